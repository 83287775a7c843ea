package contrastive

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// Config holds the settings of the contrastive training loop.
type Config struct {
	// Temperature is NT-Xent's τ.
	Temperature float64
	// Views is the augmentation drawn twice per image, each draw a view.
	// Its Seed seeds the stream of draws.
	Views data.Augment
	// Epochs are passes over the images.
	Epochs    int
	BatchSize int // images per step, so 2·BatchSize views; 0: all at once
	Shuffle   bool
	// Seed drives the shuffling of the images.
	Seed uint64
	// Schedule sets the learning rate at the start of every epoch from
	// the initial rate; nil keeps it constant.
	Schedule optim.Schedule
	// CheckpointEvery saves a checkpoint to CheckpointPath every that many
	// epochs; 0 never does.
	CheckpointEvery int
	CheckpointPath  string
	// Log receives one line per epoch; nil discards.
	Log io.Writer
	// OnStep, when set, is called after every step; an error stops
	// training with that error.
	OnStep func(StepInfo) error
}

// StepInfo describes a step that has just run.
type StepInfo struct {
	Epoch, Step int // 1-based
	Loss        float64
	Rows        int // images (each seen as two views)
	EpochDone   bool
}

// Epoch holds an epoch's mean loss, weighted by batch size.
type Epoch struct {
	Epoch   int
	LR      float64
	Loss    float64
	Seconds float64
}

// History is the record of a run.
type History struct{ Epochs []Epoch }

// Trainer runs the contrastive loop on one network.
type Trainer struct {
	Net *nn.Sequential
	In  []int // per-sample shape, [C, H, W] or [H, W]
	Opt optim.Optimizer
	// Config is the loop's settings.
	Config Config
	// Spec is the spec the trainer was built from, if any; a checkpoint
	// carries it, and Resume refuses one of another spec.
	Spec *spec.Spec

	rng, shuffle, aug *tensor.RNG
	loader            *data.Loader
	views             []float32   // 2·BatchSize views, reused
	warps             []data.Warp // their warps, reused
	baseLR            float64

	epoch, step int
	sum         float64
	rows        int
	start       time.Time
	history     History
}

// augmentStream sets the views' stream apart from the others seeded from
// the same seed.
const augmentStream = 0x51c1_a51c_1a51_c1a5

// NewTrainer prepares to train net, which takes per-sample shape in and
// gives an embedding [D] per sample, on the images of ds. rng is the
// generator of randomness that should go on after drawing the initial
// weights (dropout masks).
func NewTrainer(net *nn.Sequential, in []int, opt optim.Optimizer, ds *data.Dataset, cfg Config, rng *tensor.RNG) (*Trainer, error) {
	if cfg.Epochs < 1 {
		return nil, fmt.Errorf("contrastive: epochs %d, want ≥ 1", cfg.Epochs)
	}
	if !(cfg.Temperature > 0) || math.IsInf(cfg.Temperature, 0) {
		return nil, fmt.Errorf("contrastive: temperature %v, want a positive number", cfg.Temperature)
	}
	if !slices.Equal(ds.SampleShape(), in) {
		return nil, fmt.Errorf("contrastive: the network takes %v, but the data's samples are %v", in, ds.SampleShape())
	}
	if len(in) < 2 {
		return nil, fmt.Errorf("contrastive: the views are augmented images; want samples of shape [C, H, W] or [H, W], got %v", in)
	}
	out, err := net.OutShape(in)
	if err != nil {
		return nil, err
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("contrastive: the network gives outputs of shape %v; want embeddings [D]", out)
	}
	if ds.Len() < 2 || (cfg.BatchSize == 1) {
		return nil, fmt.Errorf("contrastive: NT-Xent needs at least 2 images a batch")
	}
	plain := *ds
	plain.Augment = nil // the loop draws its own two views
	t := &Trainer{Net: net, In: in, Opt: opt, Config: cfg, rng: rng, baseLR: opt.LR(),
		aug: tensor.NewRNG(cfg.Views.Seed ^ augmentStream)}
	if cfg.Shuffle {
		t.shuffle = tensor.NewRNG(cfg.Seed ^ 0x5eed5eed5eed5eed)
	}
	if t.loader, err = data.NewLoader(&plain, cfg.BatchSize, t.shuffle); err != nil {
		return nil, err
	}
	return t, nil
}

// History returns the epochs trained so far.
func (t *Trainer) History() History { return t.history }

// Done reports whether all epochs have run.
func (t *Trainer) Done() bool { return t.epoch >= t.Config.Epochs }

// Run trains until all epochs have run, an error, or ctx is cancelled.
func (t *Trainer) Run(ctx context.Context) (History, error) {
	for !t.Done() {
		if err := ctx.Err(); err != nil {
			return t.history, err
		}
		if _, err := t.Advance(); err != nil {
			return t.history, err
		}
	}
	return t.history, nil
}

// Advance runs one step: the next batch of images, two views of each,
// the network on all 2N views, NT-Xent, and an update; and, when the step
// ends an epoch, the epoch's bookkeeping. A loss that is not finite stops
// training with an error, the update skipped.
func (t *Trainer) Advance() (StepInfo, error) {
	cfg := t.Config
	if t.Done() {
		return StepInfo{}, fmt.Errorf("contrastive: all %d epochs have run", cfg.Epochs)
	}
	if t.step == 0 {
		t.sum, t.rows, t.start = 0, 0, time.Now()
		if cfg.Schedule != nil {
			t.Opt.SetLR(cfg.Schedule.LR(t.baseLR, t.epoch))
		}
	}
	b, ok := t.loader.Next()
	if !ok {
		return StepInfo{}, fmt.Errorf("epoch %d: the loader ran out of batches", t.epoch+1)
	}
	t.step++
	n := b.Len()
	info := StepInfo{Epoch: t.epoch + 1, Step: t.step, Rows: n}
	x := t.Views(b.X)
	t.Opt.ZeroGrad()
	z := t.Net.Forward(autograd.Const(x), nn.Train(t.rng))
	l := loss.NTXent(z, cfg.Temperature)
	info.Loss = float64(l.Value.Item())
	if math.IsNaN(info.Loss) || math.IsInf(info.Loss, 0) {
		msg := fmt.Sprintf("epoch %d step %d: loss is %v; training stopped", info.Epoch, info.Step, info.Loss)
		if e := cfg.CheckpointEvery; e > 0 && t.epoch >= e {
			msg += fmt.Sprintf(" (the last good checkpoint, epoch %d, is kept in %s)", t.epoch-t.epoch%e, cfg.CheckpointPath)
		}
		return info, fmt.Errorf("%s; try a lower learning rate", msg)
	}
	l.Backward()
	t.Opt.Step()
	t.sum += info.Loss * float64(n)
	t.rows += n
	if t.step == t.loader.NumBatches() {
		if _, more := t.loader.Next(); more {
			return info, fmt.Errorf("epoch %d: the loader served more than %d batches", info.Epoch, t.step)
		}
		info.EpochDone = true
		if err := t.endEpoch(); err != nil {
			return info, err
		}
	}
	if cfg.OnStep != nil {
		if err := cfg.OnStep(info); err != nil {
			return info, err
		}
	}
	return info, nil
}

// Views returns two augmented views of each image of x, [N, features]:
// [2N, in...], the first views in rows 0..N−1 and the second in N..2N−1,
// so that rows i and i+N are a pair, as NT-Xent expects. Each view is a
// fresh draw from the trainer's stream.
//
// The warps are drawn in order from that one stream, and applying a warp
// reads nothing else, so the applications are shared among up to
// GOMAXPROCS goroutines without changing a bit of the result: drawing is
// cheap, applying (bilinear sampling of every pixel) is most of the work.
func (t *Trainer) Views(x *tensor.Tensor) *tensor.Tensor {
	n, f := x.Dim(0), x.Dim(1)
	if cap(t.views) < 2*n*f {
		t.views = make([]float32, 2*n*f)
	}
	v := t.views[:2*n*f]
	h, w := t.In[len(t.In)-2], t.In[len(t.In)-1]
	t.warps = t.warps[:0]
	for range 2 * n {
		t.warps = append(t.warps, t.Config.Views.Draw(t.aug, h, w))
	}
	src := x.Data()
	apply := func(lo, hi int) {
		for k := lo; k < hi; k++ {
			i := k % n // view k is of image k mod N
			t.warps[k].Apply(v[k*f:(k+1)*f], src[i*f:(i+1)*f], t.In)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), 2*n*f/minViewFloats)
	if workers < 2 {
		apply(0, 2*n)
	} else {
		var wg sync.WaitGroup
		for g := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				apply(g*2*n/workers, (g+1)*2*n/workers)
			}()
		}
		wg.Wait()
	}
	return tensor.FromSlice(v, append([]int{2 * n}, t.In...)...)
}

// minViewFloats is the least output, in floats, worth a goroutine of its
// own: a few dozen MNIST views, where starting a goroutine costs about a
// microsecond and a view tens of them.
const minViewFloats = 1 << 14

func (t *Trainer) endEpoch() error {
	cfg := t.Config
	e := Epoch{Epoch: t.epoch + 1, LR: t.Opt.LR(), Loss: t.sum / float64(t.rows), Seconds: time.Since(t.start).Seconds()}
	t.epoch, t.step = e.Epoch, 0
	t.history.Epochs = append(t.history.Epochs, e)
	if cfg.Log != nil {
		fmt.Fprintf(cfg.Log, "epoch %*d/%d  nt_xent %.6g  lr %.3g  %.2fs\n", len(fmt.Sprint(cfg.Epochs)), e.Epoch, cfg.Epochs, e.Loss, e.LR, e.Seconds)
	}
	if cfg.CheckpointEvery > 0 && e.Epoch%cfg.CheckpointEvery == 0 && e.Epoch < cfg.Epochs {
		return t.SaveCheckpoint(cfg.CheckpointPath)
	}
	return nil
}

const (
	metaCheckpoint = "bigfunc.simclr.checkpoint"
	metaSpec       = "bigfunc.spec"
	optimPart      = "optimizer."
)

type checkpoint struct {
	Epoch   int             `json:"epoch"`
	BaseLR  float64         `json:"base_lr"`
	RNG     string          `json:"rng"`
	Shuffle string          `json:"shuffle_rng,omitempty"`
	Views   string          `json:"views_rng"`
	Loader  json.RawMessage `json:"loader"`
	History []Epoch         `json:"history"`
}

// SaveCheckpoint writes everything needed to resume after the current
// epoch: the weights and buffers, the optimizer's state under
// "optimizer.", and the loop's state and the spec in the metadata. The
// write is atomic.
func (t *Trainer) SaveCheckpoint(path string) error {
	f := &safetensors.File{Metadata: map[string]string{}}
	train.AddNetwork(f, "", t.Net)
	train.AddOptimizerState(f, optimPart, t.Opt)
	ck := checkpoint{Epoch: t.epoch, BaseLR: t.baseLR, History: t.history.Epochs}
	var err error
	if ck.RNG, err = train.RNGText(t.rng); err != nil {
		return err
	}
	if ck.Views, err = train.RNGText(t.aug); err != nil {
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
var Resumable = []string{"train.epochs", "train.save"}

// Resume restores the state SaveCheckpoint saved at path, so that training
// goes on with the very steps it would have taken.
func (t *Trainer) Resume(path string) error {
	f, err := safetensors.Load(path)
	if err != nil {
		return err
	}
	raw, ok := f.Metadata[metaCheckpoint]
	if !ok {
		return fmt.Errorf("%s: not a SimCLR checkpoint (no %q metadata)", path, metaCheckpoint)
	}
	if t.Spec != nil {
		if err := train.CheckResume(path, f.Metadata[metaSpec], t.Spec, Resumable); err != nil {
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
	if err := train.TakeState(f, "", optimPart, t.Net, t.Opt, path); err != nil {
		return err
	}
	for _, r := range []struct {
		rng  *tensor.RNG
		text string
		what string
	}{{t.rng, ck.RNG, "rng"}, {t.aug, ck.Views, "views rng"}, {t.shuffle, ck.Shuffle, "shuffle rng"}} {
		if r.rng == nil {
			continue
		}
		if err := train.SetRNGText(r.rng, r.text); err != nil {
			return fmt.Errorf("%s: %s: %w", path, r.what, err)
		}
	}
	if err := train.RestoreLoader(t.loader, ck.Loader, path); err != nil {
		return err
	}
	t.epoch, t.step, t.baseLR = ck.Epoch, 0, ck.BaseLR
	t.history = History{Epochs: ck.History}
	return nil
}
