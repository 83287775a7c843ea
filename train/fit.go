package train

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/schollz/progressbar/v3"
)

// Config holds the settings of the training loop.
type Config struct {
	Epochs    int
	BatchSize int // 0: the whole set in one batch
	Shuffle   bool
	// Schedule sets the learning rate of each epoch from the optimizer's
	// initial rate; nil keeps it constant.
	Schedule optim.Schedule
	// Plateau, if set, lowers the rate when the validation loss (or the
	// training loss, without validation) stops improving.
	Plateau *optim.ReduceLROnPlateau
	// ClipNorm and ClipValue clip gradients before each step when positive.
	ClipNorm, ClipValue float64
	// EarlyStop ends training after this many epochs without a better
	// monitored loss; 0 never stops early.
	EarlyStop int
	// CheckpointEvery saves a checkpoint to CheckpointPath every that many
	// epochs; 0 never does.
	CheckpointEvery int
	CheckpointPath  string
	// Log receives one line per epoch (and the progress bar when
	// Terminal is set). Nil discards.
	Log      io.Writer
	Terminal bool
	// Penalty adds L1 and L2 penalties on the weights to the loss's
	// gradient, part of the optimizer element.
	Penalty Penalty
	// OnStep, when set, is called after every training step; an error
	// stops training with that error. The playground draws its frames
	// from it, and a GAN or RL loop can hook its own work in.
	OnStep func(StepInfo) error

	// graphOnly turns the fused step off, so tests can compare the paths.
	graphOnly bool
}

// StepInfo describes a training step that has just run.
type StepInfo struct {
	Epoch int // 1-based epoch the step belongs to
	Step  int // 1-based step within the epoch
	Loss  float64
	Rows  int // samples in the batch
	// EpochDone is set on the last step of an epoch, after the epoch's
	// metrics were recorded in the history.
	EpochDone bool
}

// Epoch holds the metrics of one epoch. Accuracies are NaN for regression
// and validation figures NaN without a validation set. For a sequence
// model the accuracy is per token (of the tokens with a target) and the
// exact-match rate per sequence (every target token right); the exact
// rates are NaN for other models.
type Epoch struct {
	Epoch                    int
	LR                       float64
	TrainLoss, TrainAccuracy float64
	ValidLoss, ValidAccuracy float64
	Seconds                  float64
	TrainExact, ValidExact   float64
}

// History is the record of a training run.
type History struct {
	Epochs []Epoch
	// Stopped says why training ended before the last epoch ("" if it
	// did not).
	Stopped string
}

// Trainer runs the training loop for one model: the optimizer, data
// loaders and random state that a checkpoint saves and a resume restores.
type Trainer struct {
	Model  *Model
	Opt    optim.Optimizer
	Config Config

	baseLR  float64
	shuffle *tensor.RNG
	loader  *data.Loader
	train   *data.Dataset
	valid   *data.Dataset

	params    []nn.Param // the model's parameters, listed once for the penalty
	epoch     int        // epochs completed
	step      int        // steps taken in the current epoch
	running   epochSums
	bar       *progressbar.ProgressBar
	best      float64
	badEpochs int
	history   History
	target    *tensor.Tensor // reused float targets for binary labels
	tokens    []int          // reused per-token targets of sequence models
	first     *tensor.Tensor // a closure step's first output

	// fused runs the step without a graph when the network allows it.
	fused *fusedStep
	// dropped lists the gradients Step dropped rather than zeroed, until
	// gradients settles them.
	dropped []*autograd.Var
	// optList is Opt.Params(), listed once: listing allocates.
	optList []*autograd.Var
}

// NewTrainer prepares to train m on trainSet (validating on validSet, which
// may be nil) with opt. Both sets must already be encoded (scaled).
func NewTrainer(m *Model, opt optim.Optimizer, trainSet, validSet *data.Dataset, cfg Config, seed uint64) (*Trainer, error) {
	if err := checkTrainable(m); err != nil {
		return nil, err
	}
	t := &Trainer{Model: m, Opt: opt, Config: cfg, baseLR: opt.LR(), train: trainSet, valid: validSet, best: math.Inf(1)}
	if cfg.Shuffle {
		// A stream of its own, so shuffling does not shift the initial
		// weights or the dropout masks when it is switched on or off.
		t.shuffle = tensor.NewRNG(seed ^ 0x5eed5eed5eed5eed)
	}
	var err error
	if t.loader, err = data.NewLoader(trainSet, cfg.BatchSize, t.shuffle); err != nil {
		return nil, err
	}
	if err := checkTargets(m, trainSet, "training"); err != nil {
		return nil, err
	}
	if !cfg.graphOnly {
		rows := cfg.BatchSize
		if rows <= 0 || rows > trainSet.Len() {
			rows = trainSet.Len()
		}
		t.fused = newFusedStep(m, rows)
		m.limitPredictChunk(rows)
	}
	if validSet != nil {
		if err := checkTargets(m, validSet, "validation"); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// CheckData reports whether ds (its features and targets) fits model m
// and its loss.
func CheckData(m *Model, ds *data.Dataset) error { return checkTargets(m, ds, "the") }

// checkTargets makes sure the data fit the loss and the network's output,
// so that mistakes surface as errors before training rather than as panics
// inside it.
func checkTargets(m *Model, ds *data.Dataset, what string) error {
	if ds.IsSequence() || m.Positions > 0 {
		return checkSequences(m, ds, what)
	}
	if ds.Features() != m.Inputs {
		return fmt.Errorf("%s data has %d feature columns, the network takes %d", what, ds.Features(), m.Inputs)
	}
	switch {
	case m.Loss.Classification():
		if !ds.IsClassification() {
			return fmt.Errorf("loss %s needs class labels (output.label), but the %s data has regression targets", m.Loss.Name(), what)
		}
		for i, l := range ds.Labels {
			if l >= m.Outputs {
				return fmt.Errorf("%s data row %d: class %d, but the network has %d outputs (classes 0 to %d)", what, i+1, l, m.Outputs, m.Outputs-1)
			}
		}
	case ds.IsClassification():
		if m.Outputs != 1 {
			return fmt.Errorf("loss %s with class labels needs one output (the probability or logit of class 1), but the network has %d", m.Loss.Name(), m.Outputs)
		}
		for i, l := range ds.Labels {
			if l > 1 {
				return fmt.Errorf("%s data row %d: class %d, but loss %s handles two classes (0 and 1); use cross_entropy", what, i+1, l, m.Loss.Name())
			}
		}
	default:
		if ds.Outputs() != m.Outputs {
			return fmt.Errorf("%s data has %d target columns, the network has %d outputs", what, ds.Outputs(), m.Outputs)
		}
	}
	return nil
}

// checkSequences makes sure token sequences fit a sequence model: one id
// per position in the vocabulary, one target per position.
func checkSequences(m *Model, ds *data.Dataset, what string) error {
	switch {
	case !ds.IsSequence():
		return fmt.Errorf("the model reads token sequences, but the %s data is a table", what)
	case m.Positions == 0:
		return fmt.Errorf("the %s data holds token sequences; the architecture must map them to [T, vocabulary] (end it with linear: vocab)", what)
	case !m.Loss.Classification():
		return fmt.Errorf("loss %s cannot train on tokens; use cross_entropy", m.Loss.Name())
	case ds.Features() != m.Positions || ds.Outputs() != m.Positions:
		return fmt.Errorf("%s data has sequences of %d tokens, the model takes %d", what, ds.Features(), m.Positions)
	}
	v := m.Outputs / m.Positions
	for i, id := range ds.X.Data() {
		if id < 0 || int(id) >= v || float32(int(id)) != id {
			return fmt.Errorf("%s data sequence %d position %d: token %v is not in the vocabulary of %d", what, i/m.Positions+1, i%m.Positions+1, id, v)
		}
	}
	for i, id := range ds.Y.Data() {
		if id != data.IgnoreTarget && (id < 0 || int(id) >= v || float32(int(id)) != id) {
			return fmt.Errorf("%s data sequence %d position %d: target %v is not in the vocabulary of %d", what, i/m.Positions+1, i%m.Positions+1, id, v)
		}
	}
	return nil
}

// History returns the epochs trained so far.
func (t *Trainer) History() History { return t.history }

// epochSums accumulate the training metrics of the epoch in progress.
type epochSums struct {
	start         time.Time
	loss          float64
	correct, seen int
	tokens, exact int // sequence models: tokens with a target, sequences all right
}

// Run trains until the configured number of epochs, an early stop, an
// error, or ctx is cancelled.
func (t *Trainer) Run(ctx context.Context) (History, error) {
	cfg := t.Config
	if cfg.Terminal && cfg.Log != nil {
		t.bar = progressbar.NewOptions(cfg.Epochs*t.loader.NumBatches(),
			progressbar.OptionSetWriter(cfg.Log),
			progressbar.OptionSetDescription("training"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond))
		_ = t.bar.Set(t.epoch * t.loader.NumBatches())
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

// Done reports whether training has finished: all epochs run, or stopped
// early.
func (t *Trainer) Done() bool { return t.epoch >= t.Config.Epochs || t.history.Stopped != "" }

// Advance runs the training loop for one step: the next batch's forward
// and backward pass and update, and, when that batch closes the epoch, the
// epoch's bookkeeping (validation, schedules, checkpoint, early stop). Run
// is Advance in a loop; an interactive caller such as the playground calls
// it at its own pace, so it trains exactly as Run would. When the loss is
// not finite it returns an error, with the StepInfo holding that loss.
func (t *Trainer) Advance() (StepInfo, error) {
	cfg := t.Config
	if t.step == 0 {
		t.running = epochSums{start: time.Now()}
		if cfg.Schedule != nil {
			t.Opt.SetLR(cfg.Schedule.LR(t.baseLR, t.epoch))
		}
	}
	e := t.epoch + 1
	b, ok := t.loader.Next()
	if !ok {
		return StepInfo{}, fmt.Errorf("epoch %d: the training set is empty", e)
	}
	t.step++
	v, out := t.Step(b.X, b.Labels, b.Y)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		info := StepInfo{Epoch: e, Step: t.step, Loss: v, Rows: b.Len()}
		msg := fmt.Sprintf("epoch %d step %d: loss is %v; training stopped", e, t.step, v)
		if cfg.CheckpointEvery > 0 && t.epoch >= cfg.CheckpointEvery {
			msg += fmt.Sprintf(" (the last good checkpoint, epoch %d, is kept in %s)", t.epoch-t.epoch%cfg.CheckpointEvery, cfg.CheckpointPath)
		}
		return info, fmt.Errorf("%s; try a lower learning rate or gradient clipping", msg)
	}
	r := &t.running
	r.loss += v * float64(b.Len())
	r.seen += b.Len()
	if t.Model.Positions > 0 {
		c, n, ex := sequenceCounts(out, t.tokens, t.Model.Positions)
		r.correct, r.tokens, r.exact = r.correct+c, r.tokens+n, r.exact+ex
	} else {
		r.correct += t.correct(out, b.Labels)
	}
	if t.bar != nil {
		_ = t.bar.Add(1)
	}
	info := StepInfo{Epoch: e, Step: t.step, Loss: v, Rows: b.Len()}
	if t.step == t.loader.NumBatches() {
		// The loader answers once more, with no batch, to close its epoch.
		if _, more := t.loader.Next(); more {
			return info, fmt.Errorf("epoch %d: the loader served more than %d batches", e, t.step)
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

// endEpoch records the epoch that just ended and runs the per-epoch
// machinery: validation, plateau schedule, checkpoint and early stop.
func (t *Trainer) endEpoch() error {
	cfg, r := t.Config, t.running
	e := t.epoch + 1
	ep := Epoch{Epoch: e, LR: t.Opt.LR(), ValidLoss: math.NaN(), ValidAccuracy: math.NaN(), TrainExact: math.NaN(), ValidExact: math.NaN()}
	ep.TrainLoss = r.loss / float64(r.seen)
	ep.TrainAccuracy = t.accuracy(r.correct, r.seen)
	if t.Model.Positions > 0 {
		ep.TrainAccuracy = float64(r.correct) / float64(r.tokens)
		ep.TrainExact = float64(r.exact) / float64(r.seen)
	}
	monitored := ep.TrainLoss
	if t.valid != nil && t.valid.Len() > 0 {
		if t.Model.Positions > 0 {
			ep.ValidLoss, ep.ValidAccuracy, ep.ValidExact = EvaluateSequences(t.Model, t.valid)
		} else {
			ep.ValidLoss, ep.ValidAccuracy = Evaluate(t.Model, t.valid)
		}
		monitored = ep.ValidLoss
	}
	if cfg.Plateau != nil {
		cfg.Plateau.Step(monitored)
	}
	ep.Seconds = time.Since(r.start).Seconds()
	t.epoch, t.step = e, 0
	t.history.Epochs = append(t.history.Epochs, ep)
	if t.bar == nil && cfg.Log != nil {
		fmt.Fprintln(cfg.Log, formatEpoch(ep, cfg.Epochs))
	}
	if monitored < t.best {
		t.best, t.badEpochs = monitored, 0
	} else {
		t.badEpochs++
	}
	if cfg.CheckpointEvery > 0 && e%cfg.CheckpointEvery == 0 && e < cfg.Epochs {
		if err := t.SaveCheckpoint(cfg.CheckpointPath); err != nil {
			return err
		}
	}
	if cfg.EarlyStop > 0 && t.badEpochs >= cfg.EarlyStop {
		t.history.Stopped = fmt.Sprintf("early stop after epoch %d: no improvement for %d epochs", e, t.badEpochs)
	}
	return nil
}

// Step runs one training step on a batch: forward propagation to the loss,
// backward propagation to the gradients, clipping, and the optimizer's
// update. x is [n, inputs]; labels (classification) or y (regression)
// hold the targets. It returns the batch loss and the network's output,
// which is valid until the next step. A NaN or infinite loss skips the
// update, leaving the weights as they were. Once warm, a step of a network
// the fused path accepts allocates nothing. An optim.ClosureOptimizer
// (L-BFGS) is stepped with a closure that repeats all of this but the
// update on the same batch, as often as it needs.
func (t *Trainer) Step(x *tensor.Tensor, labels []int, y *tensor.Tensor) (float64, *tensor.Tensor) {
	if co, ok := t.Opt.(optim.ClosureOptimizer); ok {
		return t.closureStep(co, x, labels, y)
	}
	if t.fusedFits(x) {
		// The fused kernels that overwrite a whole gradient (a linear
		// layer's weights) then skip the pass that zeroes it; gradients
		// settles the rest before anything reads them. ZeroGrad below
		// passes over what was dropped, and clears whatever else the
		// optimizer holds.
		if t.optList == nil {
			t.optList = t.Opt.Params()
		}
		t.dropped = t.dropped[:0]
		for _, p := range t.optList {
			if p.Grad != nil && p.RequiresGrad() {
				p.DropGrad()
				t.dropped = append(t.dropped, p)
			}
		}
	}
	t.Opt.ZeroGrad()
	v, out := t.gradients(x, labels, y)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v, out
	}
	t.Opt.Step()
	return v, out
}

// fusedFits reports whether a batch x runs on the fused path.
func (t *Trainer) fusedFits(x *tensor.Tensor) bool {
	return t.fused != nil && x.Dim(0) <= t.fused.rows
}

// gradients runs forward and backward propagation on a batch, then the
// penalty and clipping, leaving the gradients ready for the update. It
// returns the loss and the network's output.
func (t *Trainer) gradients(x *tensor.Tensor, labels []int, y *tensor.Tensor) (float64, *tensor.Tensor) {
	cfg := t.Config
	var v float64
	var out *tensor.Tensor
	mode := nn.Train(t.Model.rng)
	if t.fusedFits(x) {
		value, o := t.fused.step(x, t.targetOf(labels, y), mode)
		v, out = float64(value), o
		// A gradient Step dropped and no kernel wrote is zero, as if
		// ZeroGrad had cleared it, for the optimizer, the penalty and
		// clipping alike.
		for _, p := range t.dropped {
			if p.Grad == nil {
				p.GradData()
			}
		}
		t.dropped = t.dropped[:0]
	} else {
		m, n := t.Model, x.Dim(0)
		o := m.Net.Forward(autograd.Const(x.Reshape(append([]int{n}, m.InputShape...)...)), mode)
		rows := m.lossRows()
		o = autograd.Reshape(o, n*rows, m.Outputs/rows)
		l := m.Loss.Compute(o, t.targetOf(labels, y))
		l.Backward()
		v, out = float64(l.Value.Item()), o.Value
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v, out
	}
	if cfg.Penalty != (Penalty{}) {
		if t.params == nil {
			t.params = t.Model.Params()
		}
		cfg.Penalty.apply(t.params)
	}
	if cfg.ClipValue > 0 {
		optim.ClipGradValue(t.Opt.Params(), cfg.ClipValue)
	}
	if cfg.ClipNorm > 0 {
		optim.ClipGradNorm(t.Opt.Params(), cfg.ClipNorm, 2)
	}
	return v, out
}

// closureStep steps an optimizer that evaluates the batch several times
// (L-BFGS), each time as Step would. It returns the loss and output of
// the first evaluation, before the parameters moved, as the other
// optimizers' steps do.
func (t *Trainer) closureStep(co optim.ClosureOptimizer, x *tensor.Tensor, labels []int, y *tensor.Tensor) (float64, *tensor.Tensor) {
	var first *tensor.Tensor
	v := co.StepClosure(func() float64 {
		co.ZeroGrad()
		v, out := t.gradients(x, labels, y)
		if first == nil {
			// The fused output buffer is overwritten by the next call.
			if t.first == nil || !tensor.SameShape(t.first, out) {
				t.first = out.Clone()
			} else {
				t.first.CopyFrom(out)
			}
			first = t.first
		}
		return v
	})
	return v, first
}

// targetOf wraps a batch's targets in the form the loss reads.
func (t *Trainer) targetOf(labels []int, y *tensor.Tensor) loss.Target {
	return targetFor(t.Model, labels, y, &t.target, &t.tokens)
}

func targetFor(m *Model, labels []int, y *tensor.Tensor, buf **tensor.Tensor, tokens *[]int) loss.Target {
	if m.Positions > 0 {
		// One class per position, IgnoreTarget (the loss's ignore_index)
		// where there is nothing to predict.
		yd := y.Data()
		if cap(*tokens) < len(yd) {
			*tokens = make([]int, len(yd))
		}
		*tokens = (*tokens)[:len(yd)]
		for i, v := range yd {
			(*tokens)[i] = int(v)
		}
		return loss.Target{Classes: *tokens}
	}
	if m.Loss.Classification() {
		return loss.Target{Classes: labels}
	}
	if labels == nil {
		return loss.Target{Values: y}
	}
	// Binary labels for bce / bce_with_logits: 0 and 1 as a [N, 1] column.
	if *buf == nil || (*buf).Len() != len(labels) {
		*buf = tensor.Zeros(len(labels), 1)
	}
	d := (*buf).Data()
	for i, l := range labels {
		d[i] = float32(l)
	}
	return loss.Target{Values: *buf}
}

func (t *Trainer) correct(out *tensor.Tensor, labels []int) int {
	return countCorrect(t.Model, out, labels)
}

func (t *Trainer) accuracy(correct, n int) float64 {
	if !t.train.IsClassification() || n == 0 {
		return math.NaN()
	}
	return float64(correct) / float64(n)
}

// countCorrect counts the rows whose decoded class equals the label.
func countCorrect(m *Model, out *tensor.Tensor, labels []int) int {
	if labels == nil {
		return 0
	}
	n := 0
	if out.Dim(1) == 1 {
		// One output: a logit for bce_with_logits, a probability for bce.
		cut := float32(0.5)
		if m.Loss.Name() == "bce_with_logits" {
			cut = 0
		}
		for i, v := range out.Data() {
			if (v >= cut) == (labels[i] == 1) {
				n++
			}
		}
		return n
	}
	for i, k := range tensor.ArgMax(out, 1) {
		if k == labels[i] {
			n++
		}
	}
	return n
}

// Evaluate returns m's mean loss on ds and, for classification, its
// accuracy (NaN otherwise). ds must already be encoded. The network runs
// in evaluation mode, so training in other goroutines goes on undisturbed.
func Evaluate(m *Model, ds *data.Dataset) (lossValue, accuracy float64) {
	if m.Positions > 0 {
		lossValue, accuracy, _ = EvaluateSequences(m, ds)
		return lossValue, accuracy
	}
	// One forward pass at a time bounds memory on large sets; compact
	// images are decoded only a chunk at a time.
	chunk := m.predictChunk()
	var sum float64
	correct := 0
	var buf *tensor.Tensor
	var xs []float32
	for lo := 0; lo < ds.Len(); lo += chunk {
		hi := min(lo+chunk, ds.Len())
		xs = ds.Rows(xs, lo, hi)
		x := tensor.New(xs, hi-lo, ds.Features())
		var y *tensor.Tensor
		var labels []int
		if ds.Y != nil {
			y = ds.Y.Slice(0, lo, hi)
		}
		if ds.Labels != nil {
			labels = ds.Labels[lo:hi]
		}
		out := m.forwardEncoded(x)
		l := m.Loss.Compute(autograd.Const(out), targetFor(m, labels, y, &buf, nil))
		sum += float64(l.Value.Item()) * float64(hi-lo)
		correct += countCorrect(m, out, labels)
	}
	accuracy = math.NaN()
	if ds.IsClassification() {
		accuracy = float64(correct) / float64(ds.Len())
	}
	return sum / float64(ds.Len()), accuracy
}

func formatEpoch(e Epoch, total int) string {
	s := fmt.Sprintf("epoch %*d/%d  loss %.6g", len(fmt.Sprint(total)), e.Epoch, total, e.TrainLoss)
	if !math.IsNaN(e.TrainAccuracy) {
		s += fmt.Sprintf("  acc %.4f", e.TrainAccuracy)
	}
	if !math.IsNaN(e.TrainExact) {
		s += fmt.Sprintf("  exact %.4f", e.TrainExact)
	}
	if !math.IsNaN(e.ValidLoss) {
		s += fmt.Sprintf("  val_loss %.6g", e.ValidLoss)
	}
	if !math.IsNaN(e.ValidAccuracy) {
		s += fmt.Sprintf("  val_acc %.4f", e.ValidAccuracy)
	}
	if !math.IsNaN(e.ValidExact) {
		s += fmt.Sprintf("  val_exact %.4f", e.ValidExact)
	}
	return s + fmt.Sprintf("  lr %.3g  %.2fs", e.LR, e.Seconds)
}
