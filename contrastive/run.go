package contrastive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// Options controls Run.
type Options struct {
	Log    io.Writer // a line per epoch; nil discards
	Resume bool      // continue from the spec's checkpoint
	OnStep func(StepInfo) error
}

// Result is what Run produced.
type Result struct {
	History History
	SavedTo string
}

// Build prepares a SimCLR run from a spec with a simclr section: the
// images, the network initialised from train.seed, its optimizer, and
// the trainer, whose views follow input.augment. Errors name the spec.
func Build(s *spec.Spec, opts Options) (*Trainer, error) {
	if s.SimCLR == nil {
		return nil, fmt.Errorf("%s: not a SimCLR spec: want a simclr section", s.Path)
	}
	sets, err := train.LoadData(s)
	if err != nil {
		return nil, err
	}
	in := sets.Train.SampleShape()
	rng := tensor.NewRNG(s.Train.Seed)
	net, _, err := spec.BuildArchitecture(in, s.Architecture, rng)
	if err != nil {
		return nil, err
	}
	if k := s.SimCLR.Encoder; k >= len(net.Layers) {
		return nil, fmt.Errorf("%s: simclr.encoder: %d layers of %d leave no projection head; want fewer", s.Path, k, len(net.Layers))
	}
	opt, err := optim.New(s.Optimizer.Name, nn.Vars(net.Params()), s.Optimizer.Params)
	if err != nil {
		return nil, fmt.Errorf("%s: optimizer: %w", s.Path, err)
	}
	cfg := Config{
		Temperature: s.SimCLR.Temperature, Views: *train.AugmentOf(s.Input.Augment, s.Train.Seed),
		Epochs: s.Train.Epochs, BatchSize: s.Train.BatchSize, Shuffle: s.Train.Shuffle, Seed: s.Train.Seed,
		CheckpointEvery: s.Train.CheckpointEvery, CheckpointPath: train.CheckpointPath(s),
		Log: opts.Log, OnStep: opts.OnStep,
	}
	if cfg.Schedule, _, err = train.SpecSchedule(s, nil); err != nil {
		return nil, err
	}
	t, err := NewTrainer(net, in, opt, sets.Train, cfg, rng)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Path, err)
	}
	t.Spec = s
	return t, nil
}

// Run trains the network s describes and saves it (encoder and head, with
// the spec) to s.SavePath(); LoadEncoder reads the encoder back.
func Run(ctx context.Context, s *spec.Spec, opts Options) (*Result, error) {
	t, err := Build(s, opts)
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
	}
	hist, err := t.Run(ctx)
	if err != nil {
		return nil, err
	}
	if t.Config.CheckpointEvery > 0 {
		if err := t.SaveCheckpoint(t.Config.CheckpointPath); err != nil {
			return nil, err
		}
	}
	f := &safetensors.File{Metadata: map[string]string{metaSpec: string(s.Raw)}}
	train.AddNetwork(f, "", t.Net)
	res := &Result{History: hist, SavedTo: s.SavePath()}
	return res, safetensors.Save(res.SavedTo, f)
}

// Encoder is the part of a trained network that makes representations.
type Encoder struct {
	Net *nn.Sequential
	In  []int // per-sample input shape
	// Spec is the spec the network was trained from.
	Spec *spec.Spec
}

// LoadEncoder reads a network Run saved and returns its encoder: the
// first simclr.encoder layers of the architecture in the file's spec.
func LoadEncoder(path string) (*Encoder, error) {
	f, err := safetensors.Load(path)
	if err != nil {
		return nil, err
	}
	raw, ok := f.Metadata[metaSpec]
	if !ok {
		return nil, fmt.Errorf("%s: no %q metadata; want a network that training a SimCLR spec saved", path, metaSpec)
	}
	s, err := spec.Parse(path+" (its spec)", []byte(raw))
	if err != nil {
		return nil, err
	}
	if s.SimCLR == nil {
		return nil, fmt.Errorf("%s: its spec has no simclr section", path)
	}
	sets, err := train.LoadData(s)
	if err != nil {
		return nil, err
	}
	in := sets.Train.SampleShape()
	net, _, err := spec.BuildArchitecture(in, s.Architecture, tensor.NewRNG(0))
	if err != nil {
		return nil, err
	}
	if err := train.LoadWeights(net, f, path); err != nil {
		return nil, err
	}
	return &Encoder{Net: nn.NewSequential(net.Layers[:s.SimCLR.Encoder]...), In: in, Spec: s}, nil
}

// Features runs the encoder on the rows of x, [N, features], in
// evaluation mode, a few hundred at a time, and returns [N, D].
func (e *Encoder) Features(x *tensor.Tensor) (*tensor.Tensor, error) {
	out, err := e.Net.OutShape(e.In)
	if err != nil {
		return nil, err
	}
	if x.Dims() != 2 || x.Dim(1) != nn.Size(e.In) {
		return nil, fmt.Errorf("contrastive: the encoder takes samples of shape %v, got a set of shape %v", e.In, x.Shape())
	}
	const chunk = 256
	n, w := x.Dim(0), nn.Size(out)
	y := tensor.Zeros(n, w)
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		part := x.Slice(0, lo, hi)
		var v *tensor.Tensor
		if k := nn.Fuse(e.Net, e.In, hi-lo); k != nil {
			v = tensor.Zeros(hi-lo, w)
			k.Forward(v.Data(), part.Data(), hi-lo, nn.Eval)
		} else {
			v = e.Net.Forward(autograd.Const(part.Reshape(append([]int{hi - lo}, e.In...)...)), nn.Eval).Value
		}
		copy(y.Data()[lo*w:hi*w], v.Data())
	}
	return y, nil
}
