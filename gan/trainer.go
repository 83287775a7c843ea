package gan

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/schollz/progressbar/v3"
)

// Network is one of the two players: a network, the per-sample shape it
// takes, and its own optimizer over its parameters.
type Network struct {
	Net *nn.Sequential
	In  []int
	Opt optim.Optimizer
}

// Config holds the settings of the GAN training loop.
type Config struct {
	Loss         loss.GAN
	Latent       int // size of the generator's input
	Distribution Distribution
	// DSteps discriminator updates, each on the next batch of real data,
	// then GSteps generator updates make one step of the loop.
	DSteps, GSteps int
	Epochs         int // passes over the real data
	// Schedule sets each optimizer's learning rate at the start of every
	// epoch from its initial rate; nil keeps them constant.
	Schedule  optim.Schedule
	BatchSize int // 0: the whole set in one batch
	Shuffle   bool
	// Seed drives the shuffling of the real data (the latents and dropout
	// masks come from the generator of randomness given to NewTrainer).
	Seed uint64
	// CheckpointEvery saves a checkpoint to CheckpointPath every that many
	// epochs; 0 never does.
	CheckpointEvery int
	CheckpointPath  string
	// Log receives one line per epoch (or a progress bar when Terminal is
	// set); nil discards.
	Log      io.Writer
	Terminal bool
	// OnStep, when set, is called after every step; an error stops
	// training with that error.
	OnStep func(StepInfo) error
	// EMA, when positive, keeps an exponential moving average of the
	// generator's weights over its updates, with this decay:
	// avg = EMA·avg + (1 − EMA)·w after every update. UseAverage puts it
	// in the generator. A GAN's generator circles its target rather than
	// settling on it; the average sits nearer the middle of the circle.
	EMA float64
}

// StepInfo describes a step that has just run.
type StepInfo struct {
	Epoch int // 1-based epoch the step belongs to
	Step  int // 1-based step within the epoch
	// DLoss and GLoss are the mean losses of the step's discriminator and
	// generator updates.
	DLoss, GLoss float64
	Rows         int // real samples the discriminator read
	// EpochDone is set on the last step of an epoch, after the epoch was
	// recorded in the history.
	EpochDone bool
}

// Epoch holds the mean losses of one epoch, weighted by batch size.
type Epoch struct {
	Epoch        int
	DLoss, GLoss float64
	Seconds      float64
}

// History is the record of a run.
type History struct{ Epochs []Epoch }

// Trainer runs the GAN loop: the two networks, the real data's loader and
// the random state that a checkpoint saves and a resume restores.
type Trainer struct {
	G, D   Network
	Config Config
	// Spec is the spec the trainer was built from, if any; a checkpoint
	// carries it, and Resume refuses one of another spec.
	Spec *spec.Spec

	rng     *tensor.RNG // latents and training-mode randomness
	shuffle *tensor.RNG
	loader  *data.Loader
	rows    int        // samples per generator update
	baseLR  [2]float64 // the generator's and discriminator's initial rates
	samples int        // real samples

	epoch, step, batch int // epochs done; steps and batches into the current one
	running            sums
	bar                *progressbar.ProgressBar
	history            History
	average            []*tensor.Tensor // the generator's averaged weights (Config.EMA)
}

type sums struct {
	start        time.Time
	dLoss, gLoss float64
	dRows, gRows int
}

// NewTrainer prepares to train the generator g against the discriminator
// d on the real samples of ds (already encoded). rng is the generator of
// randomness that should go on after drawing the initial weights: it
// draws the latents and the dropout masks.
func NewTrainer(g, d Network, ds *data.Dataset, cfg Config, rng *tensor.RNG) (*Trainer, error) {
	if cfg.Latent < 1 || cfg.DSteps < 1 || cfg.GSteps < 1 || cfg.Epochs < 1 {
		return nil, fmt.Errorf("gan: latent %d, d_steps %d, g_steps %d, epochs %d: want each ≥ 1", cfg.Latent, cfg.DSteps, cfg.GSteps, cfg.Epochs)
	}
	if _, err := ParseDistribution(string(cfg.Distribution)); err != nil {
		return nil, err
	}
	shape := ds.SampleShape()
	if !slices.Equal(g.In, []int{cfg.Latent}) {
		return nil, fmt.Errorf("gan: the generator takes %v, want [%d], the latent size", g.In, cfg.Latent)
	}
	out, err := g.Net.OutShape(g.In)
	if err != nil {
		return nil, fmt.Errorf("generator: %w", err)
	}
	if !slices.Equal(out, shape) {
		return nil, fmt.Errorf("gan: the generator makes samples of shape %v, but the data's are %v", out, shape)
	}
	if !slices.Equal(d.In, shape) {
		return nil, fmt.Errorf("gan: the discriminator takes %v, but the data's samples are %v", d.In, shape)
	}
	if _, err := d.Net.OutShape(d.In); err != nil {
		return nil, fmt.Errorf("discriminator: %w", err)
	}
	if !(cfg.EMA >= 0 && cfg.EMA < 1) {
		return nil, fmt.Errorf("gan: ema %g, want a decay in [0, 1)", cfg.EMA)
	}
	t := &Trainer{G: g, D: d, Config: cfg, rng: rng, baseLR: [2]float64{g.Opt.LR(), d.Opt.LR()}}
	if cfg.EMA > 0 {
		for _, p := range g.Net.Params() {
			t.average = append(t.average, p.Value.Clone())
		}
	}
	if cfg.Shuffle {
		// A stream of its own, as train's, so that shuffling does not
		// shift the latents.
		t.shuffle = tensor.NewRNG(cfg.Seed ^ 0x5eed5eed5eed5eed)
	}
	if t.loader, err = data.NewLoader(ds, cfg.BatchSize, t.shuffle); err != nil {
		return nil, err
	}
	t.samples = ds.Len()
	t.rows = cfg.BatchSize
	if t.rows <= 0 || t.rows > ds.Len() {
		t.rows = ds.Len()
	}
	return t, nil
}

// Samples returns the number of real samples an epoch passes over.
func (t *Trainer) Samples() int { return t.samples }

// History returns the epochs trained so far.
func (t *Trainer) History() History { return t.history }

// Done reports whether all epochs have run.
func (t *Trainer) Done() bool { return t.epoch >= t.Config.Epochs }

// StepsPerEpoch returns the number of steps in an epoch: the batches of
// real data, DSteps to a step.
func (t *Trainer) StepsPerEpoch() int {
	return (t.loader.NumBatches() + t.Config.DSteps - 1) / t.Config.DSteps
}

// Run trains until all epochs have run, an error, or ctx is cancelled.
func (t *Trainer) Run(ctx context.Context) (History, error) {
	cfg := t.Config
	if cfg.Terminal && cfg.Log != nil {
		t.bar = progressbar.NewOptions(cfg.Epochs*t.StepsPerEpoch(),
			progressbar.OptionSetWriter(cfg.Log),
			progressbar.OptionSetDescription("training"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond))
		_ = t.bar.Set(t.epoch * t.StepsPerEpoch())
		defer func() { t.bar = nil }()
	}
	for !t.Done() {
		if err := ctx.Err(); err != nil {
			return t.history, err
		}
		if _, err := t.Advance(); err != nil {
			return t.history, err
		}
	}
	if t.bar != nil {
		_ = t.bar.Finish()
		if n := len(t.history.Epochs); n > 0 {
			fmt.Fprintln(cfg.Log, formatEpoch(t.history.Epochs[n-1], cfg.Epochs))
		}
	}
	return t.history, nil
}

// Advance runs one step of the loop: DSteps discriminator updates, each on
// the next batch of real data (fewer at the end of an epoch), then GSteps
// generator updates; and, when the step ends an epoch, the epoch's
// bookkeeping (its line, a checkpoint). A loss that is not finite stops
// training with an error, the update it came from skipped.
func (t *Trainer) Advance() (StepInfo, error) {
	cfg := t.Config
	if t.Done() {
		return StepInfo{}, fmt.Errorf("gan: all %d epochs have run", cfg.Epochs)
	}
	if t.batch == 0 {
		t.running = sums{start: time.Now()}
		if cfg.Schedule != nil {
			t.G.Opt.SetLR(cfg.Schedule.LR(t.baseLR[0], t.epoch))
			t.D.Opt.SetLR(cfg.Schedule.LR(t.baseLR[1], t.epoch))
		}
	}
	t.step++
	info := StepInfo{Epoch: t.epoch + 1, Step: t.step}
	var dSum, gSum float64
	var dCount int
	for range cfg.DSteps {
		if t.batch == t.loader.NumBatches() {
			break
		}
		b, ok := t.loader.Next()
		if !ok {
			return info, fmt.Errorf("epoch %d: the real data ran out after %d batches", info.Epoch, t.batch)
		}
		t.batch++
		v := t.discriminatorStep(b.X)
		if err := t.guard("discriminator", v, info); err != nil {
			info.DLoss = v
			return info, err
		}
		dSum += v
		dCount++
		info.Rows += b.Len()
		t.running.dLoss += v * float64(b.Len())
		t.running.dRows += b.Len()
	}
	for range cfg.GSteps {
		v := t.generatorStep()
		if err := t.guard("generator", v, info); err != nil {
			info.GLoss = v
			return info, err
		}
		gSum += v
		t.running.gLoss += v * float64(t.rows)
		t.running.gRows += t.rows
	}
	info.DLoss, info.GLoss = dSum/float64(dCount), gSum/float64(cfg.GSteps)
	if t.bar != nil {
		_ = t.bar.Add(1)
	}
	if t.batch == t.loader.NumBatches() {
		// The loader answers once more, with no batch, to close its epoch.
		if _, more := t.loader.Next(); more {
			return info, fmt.Errorf("epoch %d: the loader served more than %d batches", info.Epoch, t.batch)
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

// guard is the NaN guard: an error naming the network, the step and the
// last good checkpoint when v is not finite.
func (t *Trainer) guard(who string, v float64, info StepInfo) error {
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		return nil
	}
	cfg := t.Config
	msg := fmt.Sprintf("epoch %d step %d: %s loss is %v; training stopped", info.Epoch, info.Step, who, v)
	if cfg.CheckpointEvery > 0 && t.epoch >= cfg.CheckpointEvery {
		msg += fmt.Sprintf(" (the last good checkpoint, epoch %d, is kept in %s)", t.epoch-t.epoch%cfg.CheckpointEvery, cfg.CheckpointPath)
	}
	return fmt.Errorf("%s; try lower learning rates", msg)
}

func (t *Trainer) endEpoch() error {
	cfg, r := t.Config, t.running
	e := t.epoch + 1
	ep := Epoch{Epoch: e, DLoss: r.dLoss / float64(r.dRows), GLoss: r.gLoss / float64(r.gRows), Seconds: time.Since(r.start).Seconds()}
	t.epoch, t.step, t.batch = e, 0, 0
	t.history.Epochs = append(t.history.Epochs, ep)
	if t.bar == nil && cfg.Log != nil {
		fmt.Fprintln(cfg.Log, formatEpoch(ep, cfg.Epochs))
	}
	if cfg.CheckpointEvery > 0 && e%cfg.CheckpointEvery == 0 && e < cfg.Epochs {
		return t.SaveCheckpoint(cfg.CheckpointPath)
	}
	return nil
}

func formatEpoch(e Epoch, total int) string {
	return fmt.Sprintf("epoch %*d/%d  d_loss %.6g  g_loss %.6g  %.2fs", len(fmt.Sprint(total)), e.Epoch, total, e.DLoss, e.GLoss, e.Seconds)
}

// latent draws n latent vectors.
func (t *Trainer) latent(n int) *tensor.Tensor {
	z := tensor.Zeros(n, t.Config.Latent)
	t.Config.Distribution.Draw(z.Data(), t.rng)
	return z
}

// discriminatorStep updates the discriminator on a batch of real samples
// [n, features] and as many fresh generated ones, and returns its loss.
func (t *Trainer) discriminatorStep(real *tensor.Tensor) float64 {
	n := real.Dim(0)
	md := nn.Train(t.rng)
	// The samples are constants here: the generator's graph is dropped.
	fake := t.G.Net.Forward(autograd.Const(t.latent(n)), md).Value
	t.D.Opt.ZeroGrad()
	r := t.D.Net.Forward(autograd.Const(real.Reshape(batch(n, t.D.In)...)), md)
	f := t.D.Net.Forward(autograd.Const(fake), md)
	l := t.Config.Loss.Discriminator(r, f)
	v := float64(l.Value.Item())
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	l.Backward()
	t.D.Opt.Step()
	return v
}

// generatorStep updates the generator through the discriminator's
// judgement of a fresh batch of its samples, and returns its loss. The
// discriminator's gradients it leaves behind are zeroed before the
// discriminator's next update.
func (t *Trainer) generatorStep() float64 {
	md := nn.Train(t.rng)
	z := t.latent(t.rows)
	t.G.Opt.ZeroGrad()
	l := t.Config.Loss.Generator(t.D.Net.Forward(t.G.Net.Forward(autograd.Const(z), md), md))
	v := float64(l.Value.Item())
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	l.Backward()
	t.G.Opt.Step()
	t.updateAverage()
	return v
}

// updateAverage moves the averaged weights towards the generator's.
func (t *Trainer) updateAverage() {
	if t.average == nil {
		return
	}
	d := float32(t.Config.EMA)
	for i, p := range t.G.Net.Params() {
		avg := t.average[i].Data()
		for j, w := range p.Value.Data() {
			avg[j] = d*avg[j] + (1-d)*w
		}
	}
}

// UseAverage puts the averaged weights (Config.EMA) in the generator and
// recounts its batch norm statistics for them: the running averages
// gathered in training followed the generator's own weights, so batches
// of latents drawn from a generator of randomness of its own, as many as
// an epoch has (at least 100), are run through it in training mode and
// their statistics averaged. Training should not go on after it. It does
// nothing when no average is kept.
func (t *Trainer) UseAverage() {
	if t.average == nil {
		return
	}
	for i, p := range t.G.Net.Params() {
		p.Value.CopyFrom(t.average[i])
	}
	rng := tensor.NewRNG(t.Config.Seed ^ 0xa7e4a7e4a7e4a7e4)
	batches := max(t.StepsPerEpoch(), 100)
	nn.RecountStats(t.G.Net, func() *autograd.Var {
		if batches == 0 {
			return nil
		}
		batches--
		z := tensor.Zeros(t.rows, t.Config.Latent)
		t.Config.Distribution.Draw(z.Data(), rng)
		return autograd.Const(z)
	}, nn.Train(rng))
}

// batch returns the shape of n samples of per-sample shape in.
func batch(n int, in []int) []int { return append([]int{n}, in...) }
