package gan

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

const (
	metaCheckpoint = "bigfunc.gan.checkpoint"
	metaSpec       = "bigfunc.gan.spec"
	optimPart      = "optimizer."
)

// The two networks' tensors sit under these prefixes in a checkpoint, and
// the generator's averaged weights (Config.EMA) under the third.
var roles = []string{"generator.", "discriminator.", averagePart}

const averagePart = "generator_average."

type checkpoint struct {
	Epoch   int             `json:"epoch"`
	BaseLR  [2]float64      `json:"base_lr"`
	RNG     string          `json:"rng"`
	Shuffle string          `json:"shuffle_rng,omitempty"`
	Loader  json.RawMessage `json:"loader"`
	History []Epoch         `json:"history"`
}

// SaveCheckpoint writes everything needed to resume after the current
// epoch: both networks' weights and buffers under "generator." and
// "discriminator.", their optimizers' state under
// "generator.optimizer." and "discriminator.optimizer.", the generator's
// averaged weights (Config.EMA) under "generator_average.", and the
// loop's state and the spec in the metadata. The write is atomic.
func (t *Trainer) SaveCheckpoint(path string) error {
	f := &safetensors.File{Tensors: map[string]*tensor.Tensor{}, Metadata: map[string]string{}}
	for i, n := range []Network{t.G, t.D} {
		train.AddNetwork(f, roles[i], n.Net)
		train.AddOptimizerState(f, roles[i]+optimPart, n.Opt)
	}
	for i, p := range t.G.Net.Params() {
		if t.average != nil {
			train.AddTensor(f, averagePart+p.Name, t.average[i], false)
		}
	}
	ck := checkpoint{Epoch: t.epoch, BaseLR: t.baseLR, History: t.history.Epochs}
	var err error
	if ck.RNG, err = train.RNGText(t.rng); err != nil {
		return err
	}
	if t.shuffle != nil {
		if ck.Shuffle, err = train.RNGText(t.shuffle); err != nil {
			return err
		}
	}
	if ck.Loader, err = train.LoaderJSON(t.loader); err != nil {
		return err
	}
	b, err := json.Marshal(ck)
	if err != nil {
		return err
	}
	f.Metadata[metaCheckpoint] = string(b)
	if t.Spec != nil {
		f.Metadata[metaSpec] = string(t.Spec.Raw)
	}
	return safetensors.Save(path, f)
}

// Resumable are the spec keys that may change between a checkpoint and
// the run that resumes from it.
var Resumable = []string{"train.epochs", "train.save", "gan.grid"}

// Resume restores the state SaveCheckpoint saved at path, so that training
// goes on with the very steps it would have taken. A checkpoint of
// another spec (but for Resumable keys) is refused, naming what changed,
// and so is one with no epochs left to train.
func (t *Trainer) Resume(path string) error {
	f, err := safetensors.Load(path)
	if err != nil {
		return err
	}
	raw, ok := f.Metadata[metaCheckpoint]
	if !ok {
		return fmt.Errorf("%s: not a GAN checkpoint (no %q metadata)", path, metaCheckpoint)
	}
	if t.Spec != nil {
		if err := sameSpec(path, f.Metadata[metaSpec], t.Spec); err != nil {
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
	for name := range f.Tensors {
		if !slices.ContainsFunc(roles, func(r string) bool { return strings.HasPrefix(name, r) }) {
			return fmt.Errorf("%s: unexpected tensor %q; a GAN checkpoint holds generator.*, discriminator.* and generator_average.*", path, name)
		}
	}
	for i, n := range []Network{t.G, t.D} {
		what := fmt.Sprintf("%s (%s)", path, strings.TrimSuffix(roles[i], "."))
		if err := train.TakeState(f, roles[i], optimPart, n.Net, n.Opt, what); err != nil {
			return err
		}
	}
	for i, p := range t.G.Net.Params() {
		if t.average == nil {
			break
		}
		a, ok := f.Tensors[averagePart+p.Name]
		if !ok || !tensor.SameShape(a, t.average[i]) {
			return fmt.Errorf("%s: no averaged generator weight %q of shape %v; the checkpoint was saved without gan.ema", path, averagePart+p.Name, t.average[i].Shape())
		}
		t.average[i].CopyFrom(a)
	}
	if err := train.SetRNGText(t.rng, ck.RNG); err != nil {
		return fmt.Errorf("%s: rng: %w", path, err)
	}
	if t.shuffle != nil {
		if err := train.SetRNGText(t.shuffle, ck.Shuffle); err != nil {
			return fmt.Errorf("%s: shuffle rng: %w", path, err)
		}
	}
	if err := train.RestoreLoader(t.loader, ck.Loader, path); err != nil {
		return err
	}
	t.epoch, t.step, t.batch, t.baseLR = ck.Epoch, 0, 0, ck.BaseLR
	t.history = History{Epochs: ck.History}
	return nil
}

// sameSpec refuses a checkpoint whose spec differs from cur in anything
// but Resumable keys.
func sameSpec(path, raw string, cur *spec.Spec) error {
	return train.CheckResume(path, raw, cur, Resumable)
}
