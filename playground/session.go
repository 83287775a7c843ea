package playground

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// watchTimeout is how long a playing session keeps training after the
// page last asked for a frame. A closed or hidden tab stops polling, and
// its session then stops using the CPU until the page looks again.
const watchTimeout = 10 * time.Second

// maxHistory bounds the loss curve kept per session; older points are
// thinned to every other one when it fills, so the curve spans all epochs.
const maxHistory = 400

// problem is the data of a session: raw coordinates for drawing and the
// feature columns the network reads.
type problem struct {
	set               *dataSet
	all               *data.Dataset // every point, in the order drawn
	rawTrain, rawTest *data.Dataset // coordinates (1 or 2 columns) and targets
	train, test       *data.Dataset // feature columns and the same targets
	trainT, testT     *tensor.Tensor
	classes           []string
	yScale            float64 // the largest |target|, for colouring regression output
	features          []string
	featureFns        []func(x1, x2 float64) float64
	regression        bool
}

// newProblem draws or takes the points of c and splits them: upload holds
// the points of an uploaded CSV, already standardized when c says so.
func newProblem(c Config, set *dataSet, upload *data.Dataset) (*problem, error) {
	var all *data.Dataset
	var err error
	if set.Name == "csv" {
		all = upload
	} else if all, err = generate(set, c.Points, c.Noise, c.Seed); err != nil {
		return nil, err
	}
	p := &problem{set: set, all: all, classes: all.Classes, regression: set.Regression, features: c.Features,
		featureFns: featureFuncs(set.Dims, c.Features)}
	p.rawTrain, p.rawTest, err = data.Split(all, float64(100-c.TrainRatio)/100, c.Seed)
	if err != nil {
		return nil, err
	}
	mk := func(raw *data.Dataset) (*data.Dataset, *tensor.Tensor) {
		ds := &data.Dataset{X: expand(raw.X.Data(), set.Dims, p.featureFns), Y: raw.Y, Labels: raw.Labels,
			Classes: raw.Classes, FeatureNames: c.Features, TargetNames: raw.TargetNames}
		if raw.Y != nil {
			return ds, raw.Y
		}
		t := tensor.Zeros(len(raw.Labels), 1)
		for i, l := range raw.Labels {
			t.Data()[i] = float32(l)
		}
		return ds, t
	}
	p.train, p.trainT = mk(p.rawTrain)
	p.test, p.testT = mk(p.rawTest)
	p.yScale = 1
	if p.regression {
		m := 0.0
		for _, v := range all.Y.Data() {
			m = math.Max(m, math.Abs(float64(v)))
		}
		if m > 0 {
			p.yScale = m
		}
	}
	return p, nil
}

// histPoint is one epoch's losses.
type histPoint struct {
	epoch             int
	train, test       float64
	trainAcc, testAcc float64
}

// session is one page's playground: its set-up, data, network and
// training state. Every field after mu is guarded by it.
type session struct {
	id     string
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	cfg      Config
	set      *dataSet
	upload   *upload // the uploaded points, or nil
	prob     *problem
	net      *network
	trainer  *train.Trainer // the training loop `bigfunc train` runs
	epoch    int
	history  []histPoint
	stride   int // epochs per history point
	last     histPoint
	playing  bool
	running  bool   // a training goroutine is alive
	message  string // the latest problem to show on the page
	diverged bool   // the loss is not finite: training waits for a reset
	version  uint64 // bumped by every change the page draws
	cversion uint64 // bumped when cfg changes
	dversion uint64 // bumped when the points change
	changed  chan struct{}
	lastUsed time.Time
	watched  time.Time
	paceAt   time.Time // when the current epoch was due to start, at the configured speed
}

func newSession(ctx context.Context, id string, c Config) (*session, error) {
	s := &session{id: id, lastUsed: time.Now(), watched: time.Now()}
	s.ctx, s.cancel = context.WithCancel(ctx)
	if c.Data == "csv" {
		// A new session has no uploaded file yet.
		c.Data = DefaultConfig().Data
	}
	if err := s.rebuild(c, true); err != nil {
		s.cancel()
		return nil, err
	}
	return s, nil
}

// touch notes that the page used the session. Callers hold mu.
func (s *session) touch() { s.lastUsed = time.Now() }

// idle returns how long the page has not been heard from.
func (s *session) idle() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Since(s.lastUsed)
}

// bump records a change the page should draw and wakes frame waiters.
// Callers hold mu.
func (s *session) bump() {
	s.version++
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}

// rebuild replaces the data (when dataToo) and the network for c, and
// stops training. Callers hold mu (or own s exclusively).
func (s *session) rebuild(c Config, dataToo bool) error {
	set := s.setFor(c)
	c.normalize(set)
	prob := s.prob
	if dataToo || prob == nil || !slices.Equal(prob.features, c.Features) {
		var err error
		if prob, err = newProblem(c, set, s.uploadData(c)); err != nil {
			return err
		}
	}
	net, err := buildNetwork(c, prob)
	if err != nil {
		return err
	}
	opt, err := newOptimizer(c, net)
	if err != nil {
		return err
	}
	tr, err := newTrainer(c, prob, net, opt)
	if err != nil {
		return err
	}
	if prob != s.prob {
		s.dversion++
	}
	s.cfg, s.set, s.prob, s.net, s.trainer = c, set, prob, net, tr
	s.epoch, s.history, s.stride, s.playing, s.message, s.diverged = 0, nil, 1, false, "", false
	s.last = s.evaluate(0)
	if !finite(s.last.train) {
		s.diverged = true
		s.message = s.startMessage()
	}
	s.cversion++
	s.bump()
	return nil
}

func newOptimizer(c Config, n *network) (optim.Optimizer, error) {
	return optim.New(c.Optimizer, nn.Vars(n.model.Params()), map[string]any{"lr": c.LR})
}

// newTrainer sets up the training loop of `bigfunc train` for the
// session: batches shuffled as it shuffles them, the regularisation as the
// optimizer's l1 or l2, and no end (the page decides when to stop). The
// page evaluates its own train and test losses at the end of each epoch.
func newTrainer(c Config, p *problem, n *network, opt optim.Optimizer) (*train.Trainer, error) {
	cfg := train.Config{Epochs: math.MaxInt32, BatchSize: min(c.Batch, p.train.Len()), Shuffle: true, Penalty: penalty(c)}
	return train.NewTrainer(n.model, opt, p.train, nil, cfg, c.initSeed())
}

// penalty is the regularisation c asks for.
func penalty(c Config) train.Penalty {
	switch {
	case c.RegRate == 0:
	case c.Reg == "l1":
		return train.Penalty{L1: c.RegRate}
	case c.Reg == "l2":
		return train.Penalty{L2: c.RegRate}
	}
	return train.Penalty{}
}

// configure applies a new set-up, keeping the trained weights when only
// training settings (optimizer, rate, batch, regularisation) or display
// settings change. Callers hold mu.
func (s *session) configure(c Config) error {
	old := s.cfg
	if c.Data == "csv" && s.upload == nil {
		c.Data = old.Data
	}
	set := s.setFor(c)
	if !slices.Equal(c.Features, old.Features) || !slices.Equal(c.Layers, old.Layers) || c.Preset != old.Preset {
		// Edits name weights of the old network; the page sends them back
		// unchanged, but they no longer mean anything.
		if slices.Equal(c.Edits, old.Edits) {
			c.Edits = nil
		}
	}
	c.normalize(set)
	if !sameModel(old, c) {
		return s.rebuild(c, !sameData(old, c))
	}
	opt := s.trainer.Opt
	if c.Optimizer != old.Optimizer {
		var err error
		if opt, err = newOptimizer(c, s.net); err != nil {
			return err
		}
	} else if c.LR != old.LR {
		opt.SetLR(c.LR)
	}
	if c.Batch != old.Batch || c.Optimizer != old.Optimizer || c.Reg != old.Reg || c.RegRate != old.RegRate {
		// A new loop over the same network: the page's epoch count goes on.
		tr, err := newTrainer(c, s.prob, s.net, opt)
		if err != nil {
			return err
		}
		s.trainer = tr
	}
	s.cfg = c
	s.cversion++
	s.bump()
	return nil
}

// setFor returns the data set c names: the upload's description for csv.
func (s *session) setFor(c Config) *dataSet {
	if c.Data == "csv" && s.upload != nil {
		_, set := s.upload.pick(c.Standardize)
		return set
	}
	return c.dataSet()
}

// uploadData returns the uploaded points as c trains on them, or nil.
func (s *session) uploadData(c Config) *data.Dataset {
	if s.upload == nil {
		return nil
	}
	ds, _ := s.upload.pick(c.Standardize)
	return ds
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// startMessage explains a loss that is not finite before any training:
// the inputs themselves are out of reach of float32 arithmetic.
func (s *session) startMessage() string {
	big := 0.0
	for _, v := range s.prob.all.X.Data() {
		big = math.Max(big, math.Abs(float64(v)))
	}
	msg := fmt.Sprintf("The loss is %v with the starting weights: the inputs (up to %.3g in size) are too large to compute with in float32.", s.last.train, big)
	if s.cfg.Data == "csv" && !s.cfg.Standardize {
		msg += " Turn on \"Standardize columns\" under Data."
	}
	return msg
}

// diverge stops training because the loss is not finite. The weights are
// left as they are, but the readouts (epoch, losses, history) keep the
// last epoch whose losses were finite. Callers hold mu.
func (s *session) diverge(v float64) {
	s.playing = false
	s.diverged = true
	fix := "Lower the learning rate and press reset."
	if s.cfg.Data == "csv" && !s.cfg.Standardize {
		fix = "Turn on \"Standardize columns\" under Data, or lower the learning rate and press reset."
	}
	s.message = fmt.Sprintf("Training stopped: the loss became %v during epoch %d. The readouts show epoch %d, the last good one. %s",
		v, s.epoch+1, s.last.epoch, fix)
	s.bump()
}

// play starts the training goroutine unless it runs. A session whose loss
// is not finite stays stopped: its message says why. Callers hold mu.
func (s *session) play() {
	if s.diverged {
		s.bump()
		return
	}
	s.playing = true
	s.message = ""
	s.watched = time.Now()
	s.paceAt = time.Now()
	if !s.running {
		s.running = true
		go s.loop()
	}
	s.bump()
}

// loop trains one batch at a time while the session plays, releasing the
// lock between batches so frames and commands interleave.
func (s *session) loop() {
	for {
		s.mu.Lock()
		if !s.playing || s.ctx.Err() != nil {
			s.running = false
			s.mu.Unlock()
			return
		}
		if time.Since(s.watched) > watchTimeout {
			s.mu.Unlock()
			select {
			case <-s.ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		done := s.trainBatch()
		wait := time.Duration(0)
		if done && s.cfg.Speed > 0 {
			period := time.Second / time.Duration(s.cfg.Speed)
			now := time.Now()
			s.paceAt = s.paceAt.Add(period)
			if wait = s.paceAt.Sub(now); wait < -period {
				// Far behind (a slow epoch, a pause): start afresh
				// rather than rush to catch up.
				s.paceAt, wait = now, 0
			}
		}
		s.mu.Unlock()
		if wait > 0 {
			select {
			case <-s.ctx.Done():
			case <-time.After(wait):
			}
		}
	}
}

// trainBatch takes one step of the training loop and, when that step
// closes the epoch, records the epoch's losses. Callers hold mu.
func (s *session) trainBatch() (epochDone bool) {
	info, err := s.trainer.Advance()
	if err != nil {
		s.diverge(info.Loss)
		return true
	}
	if info.EpochDone {
		h := s.evaluate(s.epoch + 1)
		if !finite(h.train) {
			s.diverge(h.train)
			return true
		}
		s.epoch++
		s.record(h)
	}
	s.bump()
	return info.EpochDone
}

// step trains to the end of the current epoch. Callers hold mu.
func (s *session) step() {
	s.playing = false
	if s.diverged {
		s.bump()
		return
	}
	s.message = ""
	for !s.trainBatch() {
	}
}

// record appends an epoch to the loss history, thinning it when full.
func (s *session) record(h histPoint) {
	s.last = h
	if h.epoch%s.stride != 0 {
		return
	}
	s.history = append(s.history, h)
	if len(s.history) >= maxHistory {
		kept := s.history[:0]
		for i, p := range s.history {
			if i%2 == 0 {
				kept = append(kept, p)
			}
		}
		s.history = kept
		s.stride *= 2
	}
}

// evaluate returns the losses (and accuracies) on the training and test
// points with the network in evaluation mode.
func (s *session) evaluate(epoch int) histPoint {
	h := histPoint{epoch: epoch}
	h.train, h.trainAcc = s.lossOn(s.prob.train, s.prob.trainT)
	h.test, h.testAcc = s.lossOn(s.prob.test, s.prob.testT)
	return h
}

func (s *session) lossOn(ds *data.Dataset, t *tensor.Tensor) (l, acc float64) {
	if ds.Len() == 0 {
		return math.NaN(), math.NaN()
	}
	out := s.net.output(ds.X)
	l = float64(s.net.model.Loss.Compute(out, loss.Target{Values: t}).Value.Item())
	acc = math.NaN()
	if ds.Labels != nil {
		right := 0
		for i, v := range out.Value.Data() {
			if (v >= 0) == (ds.Labels[i] == 1) {
				right++
			}
		}
		acc = float64(right) / float64(ds.Len())
	}
	return l, acc
}

// perturb adds Gaussian noise of standard deviation sd to every weight and
// bias. At epoch 0 the results are recorded as edits, so the link keeps
// the perturbed start. Callers hold mu.
func (s *session) perturb(sd float64, rng *tensor.RNG) {
	record := s.epoch == 0 && s.net.paramCount() <= maxEdits
	for k, lin := range s.net.linears {
		for i, w := range lin.Weight.Value.Data() {
			v := float64(w) + sd*rng.Normal()
			lin.Weight.Value.Data()[i] = float32(v)
			if record {
				s.cfg.addEdit(Edit{Layer: k, Row: i / lin.In, Col: i % lin.In, Value: roundTo(v, 4)})
			}
		}
		for i, b := range lin.Bias.Value.Data() {
			v := float64(b) + sd*rng.Normal()
			lin.Bias.Value.Data()[i] = float32(v)
			if record {
				s.cfg.addEdit(Edit{Layer: k, Bias: true, Row: i, Value: roundTo(v, 4)})
			}
		}
	}
	if record {
		// The recorded values are rounded; set them so that a link
		// reproduces exactly what is on the screen.
		for _, e := range s.cfg.Edits {
			_ = s.net.set(e)
		}
		s.cversion++
	}
	s.afterEdit()
}

// edit sets one weight or bias. Callers hold mu.
func (s *session) edit(e Edit) error {
	if err := s.net.set(e); err != nil {
		return err
	}
	if s.epoch == 0 {
		s.cfg.addEdit(e)
		s.cversion++
	}
	s.afterEdit()
	return nil
}

// afterEdit refreshes the losses for weights changed by hand.
func (s *session) afterEdit() {
	h := s.evaluate(s.epoch)
	s.last = h
	if n := len(s.history); n > 0 && s.history[n-1].epoch == s.epoch {
		s.history[n-1] = h
	}
	s.bump()
}

func roundTo(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// upload is an uploaded CSV as read and with its columns standardized.
type upload struct {
	raw, std       *data.Dataset
	rawSet, stdSet *dataSet
}

// colScale is how one column was standardized: (raw − Mean) / Std.
type colScale struct {
	Name string  `json:"name"`
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
}

func newUpload(ds *data.Dataset) *upload {
	u := &upload{raw: ds, rawSet: uploadSet(ds)}
	std := *ds
	var scales []colScale
	std.X, scales = standardize(ds.X, ds.FeatureNames)
	if ds.Y != nil {
		var ys []colScale
		std.Y, ys = standardize(ds.Y, ds.TargetNames)
		scales = append(scales, ys...)
	}
	u.std = &std
	u.stdSet = uploadSet(&std)
	u.stdSet.Scaling = scales
	return u
}

// pick returns the points to train on and their description.
func (u *upload) pick(standardize bool) (*data.Dataset, *dataSet) {
	if standardize {
		return u.std, u.stdSet
	}
	return u.raw, u.rawSet
}

// standardize returns the columns of t [N, k] shifted to mean 0 and scaled
// to standard deviation 1, computed in float64. A constant column is only
// shifted: dividing by its standard deviation of 0 would give NaN.
func standardize(t *tensor.Tensor, names []string) (*tensor.Tensor, []colScale) {
	n, k := t.Dim(0), t.Dim(1)
	x := t.Data()
	out := make([]float32, len(x))
	scales := make([]colScale, k)
	for j := range k {
		mean := 0.0
		for i := range n {
			mean += float64(x[i*k+j])
		}
		mean /= float64(n)
		ss := 0.0
		for i := range n {
			d := float64(x[i*k+j]) - mean
			ss += d * d
		}
		std := math.Sqrt(ss / float64(n))
		if !(std > 0) || math.IsInf(std, 0) {
			std = 1
		}
		for i := range n {
			out[i*k+j] = float32((float64(x[i*k+j]) - mean) / std)
		}
		name := fmt.Sprintf("column %d", j+1)
		if j < len(names) {
			name = names[j]
		}
		scales[j] = colScale{Name: name, Mean: mean, Std: std}
	}
	return tensor.New(out, n, k), scales
}

// uploadSet describes an uploaded data set: its dimension, its kind and a
// domain that frames its points with a margin.
func uploadSet(ds *data.Dataset) *dataSet {
	base := *dataSetByName("csv")
	set := &base
	set.Dims = ds.Features()
	set.Regression = ds.Y != nil
	x := ds.X.Data()
	for j := 0; j < set.Dims; j++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := j; i < len(x); i += set.Dims {
			lo = math.Min(lo, float64(x[i]))
			hi = math.Max(hi, float64(x[i]))
		}
		pad := math.Max((hi-lo)*0.1, 0.5)
		set.Domain[2*j], set.Domain[2*j+1] = lo-pad, hi+pad
	}
	if set.Dims == 1 {
		set.Domain[2], set.Domain[3] = set.Domain[0], set.Domain[1]
	}
	return set
}
