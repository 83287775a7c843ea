package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

// Options controls Run.
type Options struct {
	// Log receives progress: a bar on a terminal, else one line per epoch.
	Log      io.Writer
	Terminal bool
	// Resume continues from the spec's checkpoint instead of starting over.
	Resume bool
	// OnStep, when set, is called after every training step (see
	// Config.OnStep).
	OnStep func(StepInfo) error
}

// Result is what Run produced.
type Result struct {
	Model   *Model
	History History
	// SavedTo is the path of the trained model.
	SavedTo string
	// Test holds the loss and accuracy on a held-out test set when the data
	// source has one (MNIST); NaN otherwise.
	TestLoss, TestAccuracy float64
}

// Sets are the encoded data sets of a run.
type Sets struct {
	Train, Valid, Test *data.Dataset
	Scaler             *data.Scaler
}

// LoadData reads the spec's input source, splits off the validation rows,
// and fits the scaler on the training rows only.
func LoadData(s *spec.Spec) (*Sets, error) {
	in, out := s.Input, s.Output
	if in.Text != nil || in.Sequence != nil {
		// Token ids are not scaled, and the held-out part is the input's
		// own: by file for text, disjoint problems for tasks.
		return sequenceSets(s)
	}
	var all, test *data.Dataset
	var err error
	switch {
	case in.CSV != "":
		// Labels are encoded once, for the whole file, before the
		// validation split, so both parts share one numbering; integers
		// are class indices only when output.classes says how many.
		all, err = data.ReadCSV(s.Resolve(in.CSV), data.CSVOptions{Features: in.Columns, Targets: out.Columns, Label: out.Label, NumClasses: out.Classes})
	case in.MNIST != nil:
		dir := s.Resolve(in.MNIST.Dir)
		if dir == "" {
			if dir, err = data.MNISTDir(); errors.Is(err, data.ErrNoMNIST) {
				return nil, fmt.Errorf("%s: input.mnist: no MNIST files: set input.mnist.dir, or import github.com/bigfunc/bigfunc/data/mnistdata", s.Path)
			} else if err != nil {
				return nil, err
			}
		}
		all, test, err = data.LoadMNIST(dir)
	case in.Synthetic != nil:
		sy := in.Synthetic
		all, err = data.Synthetic(sy.Name, sy.Size, sy.Noise, sy.Seed)
	default:
		err = fmt.Errorf("%s: input: no data source", s.Path)
	}
	if err != nil {
		return nil, err
	}
	if len(in.Shape) > 0 {
		if n := nn.Size(in.Shape); n != all.Features() {
			return nil, fmt.Errorf("%s: input.shape %v holds %d values per sample, but the data has %d feature columns", s.Path, in.Shape, n, all.Features())
		}
		all.Shape = in.Shape
		if test != nil {
			test.Shape = in.Shape
		}
	}
	sets := &Sets{Train: all, Test: test}
	if s.Train.Validation > 0 {
		if sets.Train, sets.Valid, err = data.Split(all, s.Train.Validation, s.Train.Seed); err != nil {
			return nil, err
		}
	}
	if a := in.Augment; a != nil {
		sets.Train.Augment = AugmentOf(a, s.Train.Seed)
		if err := sets.Train.Validate(); err != nil {
			return nil, fmt.Errorf("%s: input.augment: %s (set input.shape)", s.Path, strings.TrimPrefix(err.Error(), "data: "))
		}
	}
	kind := in.Scale
	if kind == "" {
		kind = string(data.ScaleNone)
	}
	if sets.Scaler, err = data.NewScaler(kind); err != nil {
		return nil, err
	}
	if sets.Scaler.Kind() == data.ScaleNone {
		// The identity needs only the width, and copying every set to
		// transform it would double the memory (and expand images).
		return sets, sets.Scaler.Fit(tensor.Zeros(1, sets.Train.Features()))
	}
	// Per-column statistics need float32 features: images held as bytes
	// are expanded here, at four times their size.
	for _, ds := range []*data.Dataset{sets.Train, sets.Valid, sets.Test} {
		if ds != nil {
			ds.Expand()
		}
	}
	if err := sets.Scaler.Fit(sets.Train.X); err != nil {
		return nil, err
	}
	for _, ds := range []*data.Dataset{sets.Train, sets.Valid, sets.Test} {
		if ds == nil {
			continue
		}
		if ds.X, err = sets.Scaler.Transform(ds.X); err != nil {
			return nil, err
		}
	}
	return sets, nil
}

// decoderFor picks the output decoder: the spec's choice, or the one that
// fits the loss.
func decoderFor(s *spec.Spec, m *Model, classes []string) (*data.Decoder, error) {
	kind := s.Output.Decode
	if kind == "" {
		switch {
		case m.Loss.Classification():
			kind = string(data.ArgMax)
		case m.Loss.Name() == "bce_with_logits" && s.Output.Label != "":
			kind = string(data.Sigmoid)
		case m.Loss.Name() == "bce" && s.Output.Label != "":
			kind = string(data.Threshold)
		default:
			kind = string(data.Identity)
		}
	}
	return data.NewDecoder(kind, classes)
}

// Build prepares a training run from a spec: data, model (from train.init
// when given), optimizer, schedule and trainer. Errors name the spec file.
func Build(s *spec.Spec, opts Options) (*Trainer, *Sets, error) {
	sets, err := LoadData(s)
	if err != nil {
		return nil, nil, err
	}
	var m *Model
	if v := sets.Train.Vocab; v != nil {
		// The vocabulary size comes from the data: it fills in
		// num_embeddings and linear: vocab before the network is built.
		filled := *s
		if filled.Architecture, err = withVocab(s.Architecture, v.Size(), v.Pad); err != nil {
			return nil, nil, fmt.Errorf("%s: architecture: %w", s.Path, err)
		}
		if m, err = NewModel(&filled, sets.Train.SampleShape(), s.Train.Seed); err != nil {
			return nil, nil, err
		}
		m.Spec = s
		if err := m.makeSequence(v); err != nil {
			return nil, nil, fmt.Errorf("%s: architecture: %w", s.Path, err)
		}
	} else if m, err = NewModel(s, sets.Train.SampleShape(), s.Train.Seed); err != nil {
		return nil, nil, err
	}
	if n := s.Output.Classes; n > 0 && m.Loss.Classification() && n != m.Outputs {
		hint := ""
		if out, err := m.Net.OutShape(m.InputShape); err == nil && len(out) > 1 {
			// Linear maps the last axis, as in PyTorch: images need a
			// flatten before the first linear layer of a classifier.
			hint = fmt.Sprintf(" (the output has shape %v; add - flatten before the linear layers)", out)
		}
		return nil, nil, fmt.Errorf("%s: output.classes is %d but the architecture ends with %d outputs%s", s.Path, n, m.Outputs, hint)
	}
	if err := checkClasses(s, m, sets.Train); err != nil {
		return nil, nil, err
	}
	m.Scaler = sets.Scaler
	m.FeatureNames = sets.Train.FeatureNames
	// The spec's names win over the data's, which for generated sets are
	// only defaults.
	switch {
	case s.Output.Label != "":
		m.TargetNames = []string{s.Output.Label}
	case len(s.Output.Columns) > 0:
		m.TargetNames = s.Output.Columns
	default:
		m.TargetNames = sets.Train.TargetNames
	}
	if m.Decoder, err = decoderFor(s, m, sets.Train.Classes); err != nil {
		return nil, nil, fmt.Errorf("%s: output.decode: %w", s.Path, err)
	}
	if s.Train.Init != "" {
		path := s.Resolve(s.Train.Init)
		f, err := safetensors.Load(path)
		if err != nil {
			return nil, nil, fmt.Errorf("train.init: %w", err)
		}
		if q, ok := IsQuantized(f); ok {
			return nil, nil, fmt.Errorf("train.init: %s is a model quantized to %s, which cannot start a training; start from the float32 model it was quantized from", path, q)
		}
		if err := LoadWeights(m.Net, f, path); err != nil {
			return nil, nil, fmt.Errorf("train.init: %w", err)
		}
	}
	penalty, hp, err := splitPenalty(s.Optimizer.Params)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", where(s.Path, s.Optimizer.Where), err)
	}
	opt, err := optim.New(s.Optimizer.Name, nn.Vars(m.Params()), hp)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", where(s.Path, s.Optimizer.Where), err)
	}
	cfg := Config{
		Epochs: s.Train.Epochs, BatchSize: s.Train.BatchSize, Shuffle: s.Train.Shuffle,
		ClipNorm: s.Train.ClipNorm, ClipValue: s.Train.ClipValue, EarlyStop: s.Train.EarlyStop,
		CheckpointEvery: s.Train.CheckpointEvery, CheckpointPath: CheckpointPath(s),
		Log: opts.Log, Terminal: opts.Terminal, Penalty: penalty, OnStep: opts.OnStep,
	}
	if cfg.Schedule, cfg.Plateau, err = SpecSchedule(s, opt); err != nil {
		return nil, nil, err
	}
	t, err := NewTrainer(m, opt, sets.Train, sets.Valid, cfg, s.Train.Seed)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", s.Path, err)
	}
	return t, sets, nil
}

// checkClasses makes sure the classes the data hold fit the network, as a
// message about the data file rather than about some row of it.
func checkClasses(s *spec.Spec, m *Model, ds *data.Dataset) error {
	if !ds.IsClassification() {
		return nil
	}
	file := s.Path
	if s.Input.CSV != "" {
		file = s.Resolve(s.Input.CSV)
	}
	n, what := len(ds.Classes), fmt.Sprintf("column %q has %d classes (%s)", s.Output.Label, len(ds.Classes), shortJoin(ds.Classes))
	if ds.Classes == nil {
		if s.Output.Classes == 0 {
			return nil // generated sets: labels checked against the outputs by the trainer
		}
		n, what = s.Output.Classes, fmt.Sprintf("output.classes is %d", s.Output.Classes)
		file = s.Path
	}
	switch {
	case m.Loss.Classification() && n > m.Outputs:
		outputs := fmt.Sprintf("%d outputs", m.Outputs)
		if m.Outputs == 1 {
			outputs = "1 output"
		}
		return fmt.Errorf("%s: %s, but the network has %s", file, what, outputs)
	case !m.Loss.Classification() && m.Outputs == 1 && n > 2:
		return fmt.Errorf("%s: %s, but loss %s handles two classes; use cross_entropy", file, what, m.Loss.Name())
	}
	return nil
}

// shortJoin lists names for a message, eliding the middle of a long list.
func shortJoin(names []string) string {
	if len(names) <= 10 {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:4], ", ") + ", …, " + names[len(names)-1]
}

// AugmentOf returns the data.Augment a spec's input.augment describes,
// drawn from a stream seeded with seed.
func AugmentOf(a *spec.Augment, seed uint64) *data.Augment {
	return &data.Augment{CropPadding: a.CropPadding, Rotation: a.Rotation, HFlip: a.HFlip,
		CropScale: a.CropScale, Noise: a.Noise, Seed: seed}
}

// CheckpointPath is where training state is saved every
// train.checkpoint_every epochs and at the end of training:
// train.checkpoint, or the spec's path with the extension
// ".ckpt.safetensors". It does not follow train.save, so that a run may
// change where the model goes and still resume.
func CheckpointPath(s *spec.Spec) string {
	if s.Train.Checkpoint != "" {
		return s.Resolve(s.Train.Checkpoint)
	}
	return strings.TrimSuffix(s.Path, filepath.Ext(s.Path)) + ".ckpt.safetensors"
}

// Run trains the model that s describes and saves it to s.SavePath().
// With opts.Resume it continues from the checkpoint, which must come from
// the same spec but for train.epochs, train.early_stop and train.save.
func Run(ctx context.Context, s *spec.Spec, opts Options) (*Result, error) {
	t, sets, err := Build(s, opts)
	if err != nil {
		return nil, err
	}
	if opts.Resume {
		path := t.Config.CheckpointPath
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("--resume: no checkpoint at %s (set train.checkpoint_every to write one)", path)
		}
		if err := t.Resume(path); err != nil {
			return nil, fmt.Errorf("--resume: %w", err)
		}
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "resuming from %s after epoch %d\n", path, t.epoch)
		}
	}
	hist, err := t.Run(ctx)
	if err != nil {
		return nil, err
	}
	if t.Config.CheckpointEvery > 0 {
		// The state after the last epoch, so that raising train.epochs
		// and resuming continues where this run ended.
		if err := t.SaveCheckpoint(t.Config.CheckpointPath); err != nil {
			return nil, err
		}
	}
	if hist.Stopped != "" && opts.Log != nil {
		fmt.Fprintln(opts.Log, hist.Stopped)
	}
	res := &Result{Model: t.Model, History: hist, SavedTo: s.SavePath(), TestLoss: math.NaN(), TestAccuracy: math.NaN()}
	if sets.Test != nil {
		res.TestLoss, res.TestAccuracy = Evaluate(t.Model, sets.Test)
	}
	if err := t.Model.Save(res.SavedTo); err != nil {
		return nil, err
	}
	return res, nil
}
