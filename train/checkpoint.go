package train

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
)

const (
	metaCheckpoint = "bigfunc.checkpoint"
	optimPrefix    = "optimizer."
)

// checkpoint is the training state beyond the weights and the optimizer's
// buffers.
type checkpoint struct {
	Epoch     int                 `json:"epoch"`
	LR        float64             `json:"lr"`
	BaseLR    float64             `json:"base_lr"`
	Best      float64             `json:"best"`
	BadEpochs int                 `json:"bad_epochs"`
	ModelRNG  string              `json:"model_rng"`
	Shuffle   string              `json:"shuffle_rng,omitempty"`
	Loader    json.RawMessage     `json:"loader"`
	Plateau   *optim.PlateauState `json:"plateau,omitempty"`
	History   []Epoch             `json:"history"`
}

// SaveCheckpoint writes everything needed to resume training after the
// current epoch: the model file plus the optimizer state under
// "optimizer." names and the loop's state in the metadata. The write is
// atomic, so an interrupted save keeps the previous checkpoint.
func (t *Trainer) SaveCheckpoint(path string) error {
	f, err := t.Model.file()
	if err != nil {
		return err
	}
	AddOptimizerState(f, optimPrefix, t.Opt)
	ck := checkpoint{Epoch: t.epoch, LR: t.Opt.LR(), BaseLR: t.baseLR, Best: t.best, BadEpochs: t.badEpochs, History: t.history.Epochs}
	if math.IsInf(ck.Best, 1) {
		ck.Best = math.MaxFloat64 // JSON has no infinity
	}
	if ck.ModelRNG, err = RNGText(t.Model.rng); err != nil {
		return err
	}
	if t.shuffle != nil {
		if ck.Shuffle, err = RNGText(t.shuffle); err != nil {
			return err
		}
	}
	if ck.Loader, err = LoaderJSON(t.loader); err != nil {
		return err
	}
	if t.Config.Plateau != nil {
		st := t.Config.Plateau.State()
		ck.Plateau = &st
	}
	b, err := json.Marshal(ck)
	if err != nil {
		return err
	}
	f.Metadata[metaCheckpoint] = string(b)
	return safetensors.Save(path, f)
}

// ResumableKeys are the spec keys that may change between a checkpoint
// and the run that resumes from it: they say how long to go on and where
// the result goes, not what is being trained.
var ResumableKeys = []string{"train.epochs", "train.early_stop", "train.save"}

// Resume restores the state saved by SaveCheckpoint at path. The trainer
// must have been built from the checkpoint's spec, but for ResumableKeys
// (so that raising train.epochs extends training); a checkpoint of another
// spec is refused, naming the keys that changed, rather than silently
// mixed. A checkpoint with no epochs left to train is refused too.
func (t *Trainer) Resume(path string) error {
	f, err := safetensors.Load(path)
	if err != nil {
		return err
	}
	raw, ok := f.Metadata[metaCheckpoint]
	if !ok {
		return fmt.Errorf("%s: not a checkpoint (no %q metadata)", path, metaCheckpoint)
	}
	if t.Model.Spec != nil {
		if err := sameTraining(path, f.Metadata[metaSpec], t.Model.Spec); err != nil {
			return err
		}
	}
	var ck checkpoint
	if err := json.Unmarshal([]byte(raw), &ck); err != nil {
		return fmt.Errorf("%s: metadata %q: %v", path, metaCheckpoint, err)
	}
	if ck.Epoch >= t.Config.Epochs {
		return fmt.Errorf("%s: the checkpoint is at epoch %d and train.epochs is %d, so nothing is left to train; raise train.epochs to train further", path, ck.Epoch, t.Config.Epochs)
	}
	if err := TakeState(f, "", optimPrefix, t.Model.Net, t.Opt, path); err != nil {
		return err
	}
	if err := SetRNGText(t.Model.rng, ck.ModelRNG); err != nil {
		return fmt.Errorf("%s: model rng: %w", path, err)
	}
	if t.shuffle != nil {
		if err := SetRNGText(t.shuffle, ck.Shuffle); err != nil {
			return fmt.Errorf("%s: shuffle rng: %w", path, err)
		}
	}
	if err := RestoreLoader(t.loader, ck.Loader, path); err != nil {
		return err
	}
	if t.Config.Plateau != nil && ck.Plateau != nil {
		t.Config.Plateau.SetState(*ck.Plateau)
	}
	t.epoch, t.baseLR, t.best, t.badEpochs = ck.Epoch, ck.BaseLR, ck.Best, ck.BadEpochs
	t.Opt.SetLR(ck.LR)
	t.history = History{Epochs: ck.History}
	return nil
}

// sameTraining compares the checkpoint's spec with the current one key by
// key and refuses any change outside ResumableKeys.
func sameTraining(path, raw string, cur *spec.Spec) error {
	return CheckResume(path, raw, cur, ResumableKeys)
}

// CheckResume compares raw, the spec text a checkpoint at path carries,
// with cur key by key, and refuses any change to a key not in allowed with
// an error naming each changed key with its old and new value. Every loop
// that resumes from a checkpoint (this package's and the GAN trainer's)
// shares it.
func CheckResume(path, raw string, cur *spec.Spec, allowed []string) error {
	if raw == "" {
		return fmt.Errorf("%s: the checkpoint carries no spec (no %q metadata)", path, metaSpec)
	}
	old, err := spec.Parse(path+" (the checkpoint's spec)", []byte(raw))
	if err != nil {
		return err
	}
	changes, err := spec.Changes(old, cur)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	var bad []string
	for _, c := range changes {
		if slices.Contains(allowed, c.Key) {
			continue
		}
		o, n := c.Old, c.New
		if o == "" {
			o = "unset"
		}
		if n == "" {
			n = "unset"
		}
		bad = append(bad, fmt.Sprintf("%s (%s → %s)", c.Key, o, n))
	}
	switch len(bad) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s: %s changed since the checkpoint; resuming allows changes only to %s; delete the checkpoint to start over",
			path, bad[0], strings.Join(allowed, ", "))
	}
	return fmt.Errorf("%s: %s and %s changed since the checkpoint; resuming allows changes only to %s; delete the checkpoint to start over",
		path, strings.Join(bad[:len(bad)-1], ", "), bad[len(bad)-1], strings.Join(allowed, ", "))
}

// epochJSON is Epoch with NaN (not applicable) written as null, which JSON
// can hold.
type epochJSON struct {
	Epoch                    int
	LR                       float64
	TrainLoss, TrainAccuracy *float64
	ValidLoss, ValidAccuracy *float64
	Seconds                  float64
	TrainExact               *float64 `json:",omitempty"`
	ValidExact               *float64 `json:",omitempty"`
}

func nanToNil(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func nilToNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// MarshalJSON writes e with NaN metrics as null.
func (e Epoch) MarshalJSON() ([]byte, error) {
	return json.Marshal(epochJSON{e.Epoch, e.LR, nanToNil(e.TrainLoss), nanToNil(e.TrainAccuracy),
		nanToNil(e.ValidLoss), nanToNil(e.ValidAccuracy), e.Seconds, nanToNil(e.TrainExact), nanToNil(e.ValidExact)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *Epoch) UnmarshalJSON(b []byte) error {
	var j epochJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = Epoch{Epoch: j.Epoch, LR: j.LR, TrainLoss: nilToNaN(j.TrainLoss), TrainAccuracy: nilToNaN(j.TrainAccuracy),
		ValidLoss: nilToNaN(j.ValidLoss), ValidAccuracy: nilToNaN(j.ValidAccuracy), Seconds: j.Seconds,
		TrainExact: nilToNaN(j.TrainExact), ValidExact: nilToNaN(j.ValidExact)}
	return nil
}
