package gan

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
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// Options controls Run.
type Options struct {
	// Log receives progress: a bar on a terminal, else a line per epoch.
	Log      io.Writer
	Terminal bool
	// Resume continues from the spec's checkpoint.
	Resume bool
	// OnStep, when set, is called after every step (see Config.OnStep).
	OnStep func(StepInfo) error
}

// Result is what Run produced.
type Result struct {
	Generator *Generator
	History   History
	SavedTo   string // where the generator was saved
}

// Build prepares a GAN run from a spec with a gan section: the real data,
// the two networks initialised from train.seed (the generator first), their
// optimizers and the trainer. Errors name the spec file.
func Build(s *spec.Spec, opts Options) (*Trainer, *Generator, error) {
	if s.GAN == nil || s.Generator == nil || s.Discriminator == nil {
		return nil, nil, fmt.Errorf("%s: not a GAN spec: want generator, discriminator and gan sections", s.Path)
	}
	sets, err := train.LoadData(s)
	if err != nil {
		return nil, nil, err
	}
	shape := sets.Train.SampleShape()
	rng := tensor.NewRNG(s.Train.Seed)
	latent := []int{s.GAN.Latent}
	build := func(what string, n *spec.Network, in []int) (Network, error) {
		net, _, err := spec.BuildArchitecture(in, n.Architecture, rng)
		if err != nil {
			if strings.HasPrefix(err.Error(), s.Path) {
				return Network{}, err // it names the layer's line already
			}
			return Network{}, fmt.Errorf("%s: %s: %w", s.Path, what, err)
		}
		opt, err := optim.New(n.Optimizer.Name, nn.Vars(net.Params()), n.Optimizer.Params)
		if err != nil {
			return Network{}, fmt.Errorf("%s: %s.optimizer: %w", where(s.Path, n.Optimizer.Where), what, err)
		}
		return Network{Net: net, In: in, Opt: opt}, nil
	}
	g, err := build("generator", s.Generator, latent)
	if err != nil {
		return nil, nil, err
	}
	d, err := build("discriminator", s.Discriminator, shape)
	if err != nil {
		return nil, nil, err
	}
	objective, err := loss.ParseGAN(s.GAN.Loss)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: gan.loss: %w", s.Path, err)
	}
	dist, err := ParseDistribution(s.GAN.Distribution)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: gan.distribution: %w", s.Path, err)
	}
	cfg := Config{
		Loss: objective, Latent: s.GAN.Latent, Distribution: dist, DSteps: s.GAN.DSteps, GSteps: s.GAN.GSteps,
		Epochs: s.Train.Epochs, BatchSize: s.Train.BatchSize, Shuffle: s.Train.Shuffle, Seed: s.Train.Seed,
		CheckpointEvery: s.Train.CheckpointEvery, CheckpointPath: train.CheckpointPath(s),
		Log: opts.Log, Terminal: opts.Terminal, OnStep: opts.OnStep, EMA: s.GAN.EMA,
	}
	if cfg.Schedule, _, err = train.SpecSchedule(s, nil); err != nil {
		return nil, nil, err
	}
	t, err := NewTrainer(g, d, sets.Train, cfg, rng)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", s.Path, err)
	}
	t.Spec = s
	gen := &Generator{Net: g.Net, Latent: cfg.Latent, Distribution: dist, Shape: shape, Spec: s.Raw}
	if names := sets.Train.FeatureNames; len(names) == nn.Size(shape) {
		gen.Columns = names
	}
	if sets.Scaler != nil && sets.Scaler.Kind() != data.ScaleNone {
		gen.Scaler = sets.Scaler
	}
	return t, gen, nil
}

func where(path, at string) string {
	if at != "" {
		return at
	}
	return path
}

// Run trains the GAN that s describes and saves the generator to
// s.SavePath(). With opts.Resume it continues from the checkpoint, which
// must come from the same spec but for train.epochs and train.save.
func Run(ctx context.Context, s *spec.Spec, opts Options) (*Result, error) {
	t, gen, err := Build(s, opts)
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
	if n := s.GAN.Grid; n > 0 {
		if err := gridEveryEpoch(t, gen, n, s.SavePath()); err != nil {
			return nil, err
		}
	}
	hist, err := t.Run(ctx)
	if err != nil {
		return nil, err
	}
	if t.Config.CheckpointEvery > 0 {
		// The state after the last epoch, so that raising train.epochs
		// and resuming goes on from here.
		if err := t.SaveCheckpoint(t.Config.CheckpointPath); err != nil {
			return nil, err
		}
	}
	t.UseAverage()
	res := &Result{Generator: gen, History: hist, SavedTo: s.SavePath()}
	if err := gen.Save(res.SavedTo); err != nil {
		return nil, err
	}
	return res, nil
}

// gridEveryEpoch makes t draw n samples after every epoch, from latents
// fixed before training, into a PNG grid beside save (its name without
// the extension, then -epoch1.png and so on), so that the pictures show
// the same latents turning into digits. The latents have a generator of
// randomness of their own: drawing them changes nothing in training.
func gridEveryEpoch(t *Trainer, gen *Generator, n int, save string) error {
	if len(gen.Shape) < 2 {
		return fmt.Errorf("gan.grid: the samples have shape %v; grids are for images [C, H, W] or [H, W]", gen.Shape)
	}
	stem := strings.TrimSuffix(save, filepath.Ext(save))
	seed := t.Config.Seed
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	next := t.Config.OnStep
	t.Config.OnStep = func(info StepInfo) error {
		if info.EpochDone {
			x, err := gen.Sample(n, tensor.NewRNG(seed^0x6e1d6e1d6e1d6e1d))
			if err != nil {
				return err
			}
			img, err := Grid(x, gen.Shape, cols)
			if err != nil {
				return err
			}
			if err := SavePNG(fmt.Sprintf("%s-epoch%d.png", stem, info.Epoch), img); err != nil {
				return err
			}
		}
		if next != nil {
			return next(info)
		}
		return nil
	}
	return nil
}
