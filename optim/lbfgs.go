package optim

import (
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

var _ ClosureOptimizer = (*LBFGS)(nil)

// LBFGSConfig holds the hyperparameters of LBFGS under PyTorch's names;
// start from DefaultLBFGSConfig.
type LBFGSConfig struct {
	LR              float64 // step length (1): the first trial step of each line search
	MaxIter         int     // iterations per Step (20)
	MaxEval         int     // closure calls per Step; 0 means MaxIter·5/4
	ToleranceGrad   float64 // stop once max|g| ≤ this (1e-7)
	ToleranceChange float64 // stop once a step or the loss changes less (1e-9)
	HistorySize     int     // curvature pairs kept (100)
	// LineSearch is "" (a fixed step of LR) or "strong_wolfe".
	LineSearch string
}

// DefaultLBFGSConfig returns torch.optim.LBFGS's defaults.
func DefaultLBFGSConfig() LBFGSConfig {
	return LBFGSConfig{LR: 1, MaxIter: 20, ToleranceGrad: 1e-7, ToleranceChange: 1e-9, HistorySize: 100}
}

// ClosureOptimizer is an Optimizer whose update evaluates the loss and
// gradients several times, such as LBFGS: callers use StepClosure, not
// Step. The training loop checks for it.
type ClosureOptimizer interface {
	Optimizer
	// StepClosure runs one step. closure must zero the gradients,
	// recompute the loss and its gradients at the current parameters, and
	// return the loss. StepClosure returns the loss of its first call.
	StepClosure(closure func() float64) float64
}

// LBFGS is the limited-memory BFGS quasi-Newton method as
// torch.optim.LBFGS, all parameters treated as one flat vector x with
// gradient g. One step, up to MaxIter iterations:
//
//	f, g = closure()
//	if max|g| ≤ tolerance_grad: return
//	repeat:
//	    d = −H·g    (H from the last history_size pairs s = Δx, y = Δg
//	                 with yᵀs > 1e-10, by the two-loop recursion, scaled
//	                 by yᵀs/yᵀy; d = −g at the very first iteration)
//	    t = lr      (min(1, 1/Σ|g|)·lr at the very first iteration)
//	    if gᵀd > −tolerance_change: stop
//	    x = x + t·d, with t from the strong-Wolfe line search (c1 = 1e-4,
//	        c2 = 0.9, at most 25 evaluations) when line_search is set;
//	        then f, g = closure() (skipped after the last iteration
//	        without line search)
//	    stop after max_iter iterations or max_eval evaluations, when
//	        max|g| ≤ tolerance_grad, max|t·d| ≤ tolerance_change or
//	        |Δf| < tolerance_change
//
// The history carries over from step to step. Vectors are float32 as in
// PyTorch; dot products accumulate in float64, so trajectories agree with
// PyTorch's to rounding rather than bit for bit. Its state (State) is
// kept under parameter 0, as PyTorch keeps it: "0.func_evals",
// "0.n_iter", "0.d", "0.t", "0.old_dirs" and "0.old_stps" ([k, n] for k
// pairs of n values), "0.ro", "0.H_diag", "0.prev_flat_grad" and
// "0.prev_loss".
type LBFGS struct {
	base
	c     LBFGSConfig
	numel int

	funcEvals, nIter int
	d                []float32
	t                float64
	oldDirs, oldStps [][]float32
	ro               []float64
	hDiag            float64
	prevGrad         []float32
	prevLoss         float64
	al               []float64
}

// NewLBFGS returns an LBFGS optimizer over params. It rejects a negative
// lr or tolerance, non-positive max_iter or history_size, a negative
// max_eval and an unknown line search.
func NewLBFGS(params []*autograd.Var, c LBFGSConfig) (*LBFGS, error) {
	const name = "lbfgs"
	b, err := newBase(name, params, c.LR)
	if err != nil {
		return nil, err
	}
	err = firstErr(
		check(name, "max_iter", float64(c.MaxIter), c.MaxIter >= 1, "max_iter ≥ 1"),
		check(name, "max_eval", float64(c.MaxEval), c.MaxEval >= 0, "max_eval ≥ 1 (or absent)"),
		check(name, "tolerance_grad", c.ToleranceGrad, c.ToleranceGrad >= 0, "tolerance_grad ≥ 0"),
		check(name, "tolerance_change", c.ToleranceChange, c.ToleranceChange >= 0, "tolerance_change ≥ 0"),
		check(name, "history_size", float64(c.HistorySize), c.HistorySize >= 1, "history_size ≥ 1"),
	)
	if err != nil {
		return nil, err
	}
	if c.LineSearch != "" && c.LineSearch != "strong_wolfe" {
		return nil, configErr(name, "line_search_fn", "line_search_fn = %q, want strong_wolfe (or none)", c.LineSearch)
	}
	if c.MaxEval == 0 {
		c.MaxEval = c.MaxIter * 5 / 4
	}
	o := &LBFGS{base: b, c: c}
	for _, p := range params {
		o.numel += p.Value.Len()
	}
	return o, nil
}

// Config returns the hyperparameters, with the current learning rate.
func (o *LBFGS) Config() LBFGSConfig {
	c := o.c
	c.LR = o.lr
	return c
}

// Step panics: L-BFGS evaluates the loss again within a step, so it needs
// a closure; call StepClosure.
func (o *LBFGS) Step() {
	panic("optim: lbfgs: Step needs to evaluate the loss again within the step; call StepClosure(closure)")
}

// StepClosure runs one L-BFGS step (up to MaxIter iterations) and returns
// the loss closure gave first, before the parameters moved. A loss that is
// not finite at the start leaves the parameters as they are.
func (o *LBFGS) StepClosure(closure func() float64) float64 {
	c := o.c
	lr := o.lr
	origLoss := closure()
	if math.IsNaN(origLoss) || math.IsInf(origLoss, 0) {
		return origLoss
	}
	loss := origLoss
	currentEvals := 1
	o.funcEvals++
	g := o.gatherGrad(nil)
	if maxAbs(g) <= c.ToleranceGrad {
		return origLoss
	}
	if o.al == nil {
		o.al = make([]float64, c.HistorySize)
	}
	for nIter := 1; nIter <= c.MaxIter; nIter++ {
		o.nIter++
		// The descent direction.
		if o.nIter == 1 {
			o.d = scaled(g, -1)
			o.oldDirs, o.oldStps, o.ro = nil, nil, nil
			o.hDiag = 1
		} else {
			y := make([]float32, o.numel)
			s := make([]float32, o.numel)
			t32 := float32(o.t)
			for i := range y {
				y[i] = g[i] - o.prevGrad[i]
				s[i] = o.d[i] * t32
			}
			if ys := dot(y, s); ys > 1e-10 {
				if len(o.oldDirs) == c.HistorySize {
					o.oldDirs, o.oldStps, o.ro = o.oldDirs[1:], o.oldStps[1:], o.ro[1:]
				}
				o.oldDirs = append(o.oldDirs, y)
				o.oldStps = append(o.oldStps, s)
				o.ro = append(o.ro, f32(1/ys))
				o.hDiag = f32(ys / dot(y, y))
			}
			q := scaled(g, -1)
			for i := len(o.oldDirs) - 1; i >= 0; i-- {
				o.al[i] = f32(dot(o.oldStps[i], q) * o.ro[i])
				axpy(q, -o.al[i], o.oldDirs[i])
			}
			r := scaled(q, o.hDiag)
			for i := range o.oldDirs {
				be := f32(dot(o.oldDirs[i], r) * o.ro[i])
				axpy(r, o.al[i]-be, o.oldStps[i])
			}
			o.d = r
		}
		o.prevGrad = append(o.prevGrad[:0], g...)
		o.prevLoss = loss

		// The step length.
		if o.nIter == 1 {
			// min(1, 1/Σ|g|)·lr, a float32 tensor when 1/Σ|g| wins.
			if inv := f32(1 / sumAbs(g)); inv < 1 {
				o.t = f32(inv * f32(lr))
			} else {
				o.t = lr
			}
		} else {
			o.t = lr
		}
		gtd := dot(g, o.d)
		if gtd > f32(-c.ToleranceChange) {
			break
		}
		lsEvals := 0
		optCond := false
		if c.LineSearch == "strong_wolfe" {
			x := o.params32()
			loss, g, o.t, lsEvals = o.strongWolfe(closure, x, o.t, o.d, loss, g, gtd)
			o.addStep(o.t, o.d)
			optCond = maxAbs(g) <= c.ToleranceGrad
		} else {
			o.addStep(o.t, o.d)
			if nIter != c.MaxIter {
				loss = closure()
				g = o.gatherGrad(g)
				optCond = maxAbs(g) <= c.ToleranceGrad
				lsEvals = 1
			}
		}
		currentEvals += lsEvals
		o.funcEvals += lsEvals

		if nIter == c.MaxIter || currentEvals >= c.MaxEval || optCond {
			break
		}
		if f32(maxAbs(o.d)*math.Abs(f32(o.t))) <= f32(c.ToleranceChange) {
			break
		}
		if math.Abs(loss-o.prevLoss) < c.ToleranceChange {
			break
		}
	}
	return origLoss
}

// gatherGrad copies the parameters' gradients (zeros where one has none)
// into one flat vector, reusing dst when it has room.
func (o *LBFGS) gatherGrad(dst []float32) []float32 {
	if cap(dst) < o.numel {
		dst = make([]float32, o.numel)
	}
	dst = dst[:o.numel]
	off := 0
	for _, p := range o.params {
		n := p.Value.Len()
		if p.Grad == nil {
			clear(dst[off : off+n])
		} else {
			copy(dst[off:off+n], p.Grad.Data())
		}
		off += n
	}
	return dst
}

// params32 returns a copy of the parameters as one flat vector.
func (o *LBFGS) params32() []float32 {
	x := make([]float32, 0, o.numel)
	for _, p := range o.params {
		x = append(x, p.Value.Data()...)
	}
	return x
}

// setParams copies the flat vector x back into the parameters.
func (o *LBFGS) setParams(x []float32) {
	off := 0
	for _, p := range o.params {
		off += copy(p.Value.Data(), x[off:])
	}
}

// addStep moves the parameters by t·d, in float32 as PyTorch's add_ with
// alpha does.
func (o *LBFGS) addStep(t float64, d []float32) {
	a := float32(t)
	off := 0
	for _, p := range o.params {
		v := p.Value.Data()
		for i := range v {
			v[i] += a * d[off+i]
		}
		off += len(v)
	}
}

// evalAt returns the loss and gradient at x + t·d and puts the parameters
// back to x.
func (o *LBFGS) evalAt(closure func() float64, x []float32, t float64, d []float32) (float64, []float32) {
	o.addStep(t, d)
	f := closure()
	g := o.gatherGrad(nil)
	o.setParams(x)
	return f, g
}

// strongWolfe is PyTorch's _strong_wolfe (from minFunc's lswolfe):
// bracketing, then zooming with cubic interpolation, until the strong
// Wolfe conditions f(t) ≤ f + c1·t·gᵀd and |g(t)ᵀd| ≤ −c2·gᵀd hold, the
// bracket shrinks below tolerance_change, or 25 evaluations are spent. It
// returns the loss and gradient at the chosen t, t, and the evaluations.
//
// Step lengths and slopes are float32 and the losses float64, as in
// PyTorch, where the slopes are float32 tensors, the losses Python floats,
// and the steps become tensors once interpolated; with cancellation in the
// interpolation, the precision shows in the trajectory.
func (o *LBFGS) strongWolfe(closure func() float64, x []float32, t0 float64, d []float32, f float64, g []float32, gtd64 float64) (float64, []float32, float64, int) {
	const maxLS = 25
	tolChange := float32(o.c.ToleranceChange)
	t, gtd := float32(t0), float32(gtd64)
	dNorm := float32(maxAbs(d))
	g = append([]float32(nil), g...)
	fNew, gNew := o.evalAt(closure, x, float64(t), d)
	evals := 1
	gtdNew := float32(dot(gNew, d))

	tPrev, fPrev, gPrev, gtdPrev := float32(0), f, g, gtd
	done := false
	lsIter := 0
	var bracket, bracketGtd []float32
	var bracketF []float64
	var bracketG [][]float32
	for lsIter < maxLS {
		if armijoFails(fNew, f, t, gtd) || (lsIter > 1 && fNew >= fPrev) {
			bracket, bracketF = []float32{tPrev, t}, []float64{fPrev, fNew}
			bracketG, bracketGtd = [][]float32{gPrev, gNew}, []float32{gtdPrev, gtdNew}
			break
		}
		if curvatureHolds(gtdNew, gtd) {
			bracket, bracketF, bracketG = []float32{t}, []float64{fNew}, [][]float32{gNew}
			done = true
			break
		}
		if gtdNew >= 0 {
			bracket, bracketF = []float32{tPrev, t}, []float64{fPrev, fNew}
			bracketG, bracketGtd = [][]float32{gPrev, gNew}, []float32{gtdPrev, gtdNew}
			break
		}
		minStep := t + float32(0.01*(t-tPrev))
		maxStep := t * 10
		tmp := t
		t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, &[2]float32{minStep, maxStep})
		tPrev, fPrev, gPrev, gtdPrev = tmp, fNew, gNew, gtdNew
		fNew, gNew = o.evalAt(closure, x, float64(t), d)
		evals++
		gtdNew = float32(dot(gNew, d))
		lsIter++
	}
	if lsIter == maxLS {
		// PyTorch leaves bracket_gtd as it was here; the zoom below does
		// not run, since it needs lsIter < maxLS.
		bracket, bracketF, bracketG = []float32{0, t}, []float64{f, fNew}, [][]float32{g, gNew}
	}

	insufProgress := false
	low, high := 0, 1
	if bracketF[0] > bracketF[len(bracketF)-1] {
		low, high = 1, 0
	}
	for !done && lsIter < maxLS {
		if float32(abs32(bracket[1]-bracket[0])*dNorm) < tolChange {
			break
		}
		t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1], nil)
		bmax, bmin := max(bracket[0], bracket[1]), min(bracket[0], bracket[1])
		eps := float32(0.1 * (bmax - bmin))
		if min(bmax-t, t-bmin) < eps {
			if insufProgress || t >= bmax || t <= bmin {
				if abs32(t-bmax) < abs32(t-bmin) {
					t = bmax - eps
				} else {
					t = bmin + eps
				}
				insufProgress = false
			} else {
				insufProgress = true
			}
		} else {
			insufProgress = false
		}
		fNew, gNew = o.evalAt(closure, x, float64(t), d)
		evals++
		gtdNew = float32(dot(gNew, d))
		lsIter++

		if armijoFails(fNew, f, t, gtd) || fNew >= bracketF[low] {
			bracket[high], bracketF[high], bracketG[high], bracketGtd[high] = t, fNew, gNew, gtdNew
			if bracketF[0] <= bracketF[1] {
				low, high = 0, 1
			} else {
				low, high = 1, 0
			}
		} else {
			if curvatureHolds(gtdNew, gtd) {
				done = true
			} else if float32(gtdNew*(bracket[high]-bracket[low])) >= 0 {
				bracket[high], bracketF[high], bracketG[high], bracketGtd[high] = bracket[low], bracketF[low], bracketG[low], bracketGtd[low]
			}
			bracket[low], bracketF[low], bracketG[low], bracketGtd[low] = t, fNew, gNew, gtdNew
		}
	}
	return bracketF[low], bracketG[low], float64(bracket[low]), evals
}

// The constants of the strong Wolfe conditions.
const (
	wolfeC1 = 1e-4
	wolfeC2 = 0.9
)

// armijoFails reports f(t) > f + c1·t·gᵀd, evaluated in float32 as
// PyTorch evaluates it (gᵀd is a float32 tensor there), which matters
// near convergence, where the sufficient decrease is below float32's
// resolution of f.
func armijoFails(fNew, f float64, t, gtd float32) bool {
	return float32(fNew) > float32(f)+float32(float32(wolfeC1*t)*gtd)
}

// curvatureHolds reports |g(t)ᵀd| ≤ −c2·gᵀd, in float32 as PyTorch.
func curvatureHolds(gtdNew, gtd float32) bool {
	return abs32(gtdNew) <= float32(-wolfeC2*gtd)
}

// f32 rounds x to float32, the precision of PyTorch's scalar tensors.
func f32(x float64) float64 { return float64(float32(x)) }

func abs32(x float32) float32 { return float32(math.Abs(float64(x))) }

// cubicInterpolate is PyTorch's _cubic_interpolate (from minFunc's
// polyinterp): the minimiser of the cubic through (x1, f1) and (x2, f2)
// with slopes g1 and g2, clamped to bounds (default: between x1 and x2),
// or the middle of the bounds when the cubic has no minimum. It computes
// in float32 where PyTorch does (the slopes are tensors) and takes the
// loss difference in float64 as PyTorch does; the explicit conversions
// keep the compiler from fusing multiply-adds.
func cubicInterpolate(x1 float32, f1 float64, g1, x2 float32, f2 float64, g2 float32, bounds *[2]float32) float32 {
	var lo, hi float32
	switch {
	case bounds != nil:
		lo, hi = bounds[0], bounds[1]
	case x1 <= x2:
		lo, hi = x1, x2
	default:
		lo, hi = x2, x1
	}
	d1 := (g1 + g2) - float32(3*(f1-f2)/float64(x1-x2))
	d2sq := float32(d1*d1) - float32(g1*g2)
	if d2sq >= 0 {
		d2 := float32(math.Sqrt(float64(d2sq)))
		var minPos float32
		if x1 <= x2 {
			minPos = x2 - float32((x2-x1)*((g2+d2-d1)/(g2-g1+float32(2*d2))))
		} else {
			minPos = x1 - float32((x1-x2)*((g1+d2-d1)/(g1-g2+float32(2*d2))))
		}
		return min(max(minPos, lo), hi)
	}
	return (lo + hi) / 2
}

// dot returns aᵀb, accumulated in float64 and rounded to float32, the
// precision of PyTorch's result tensor.
func dot(a, b []float32) float64 {
	var s float64
	for i, v := range a {
		s += float64(v) * float64(b[i])
	}
	return float64(float32(s))
}

// axpy adds a·x to y in float32.
func axpy(y []float32, a float64, x []float32) {
	a32 := float32(a)
	for i, v := range x {
		y[i] += a32 * v
	}
}

// scaled returns a·x as a new vector.
func scaled(x []float32, a float64) []float32 {
	a32 := float32(a)
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = v * a32
	}
	return out
}

func maxAbs(x []float32) float64 {
	var m float32
	for _, v := range x {
		if v < 0 {
			v = -v
		}
		if v > m || v != v {
			m = v
		}
	}
	return float64(m)
}

func sumAbs(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += math.Abs(float64(v))
	}
	return float64(float32(s))
}

// State returns the L-BFGS state under parameter 0's index; empty before
// the first step.
func (o *LBFGS) State() map[string]*tensor.Tensor {
	m := map[string]*tensor.Tensor{}
	if o.funcEvals == 0 {
		return m
	}
	k := len(o.oldDirs)
	flat := func(vs [][]float32) *tensor.Tensor {
		t := tensor.Zeros(k, o.numel)
		for i, v := range vs {
			copy(t.Data()[i*o.numel:], v)
		}
		return t
	}
	ro := tensor.Zeros(k)
	for i, v := range o.ro {
		ro.Data()[i] = float32(v)
	}
	vec := func(v []float32) *tensor.Tensor {
		t := tensor.Zeros(o.numel)
		copy(t.Data(), v)
		return t
	}
	m["0.func_evals"] = tensor.Scalar(float32(o.funcEvals))
	m["0.n_iter"] = tensor.Scalar(float32(o.nIter))
	m["0.d"] = vec(o.d)
	m["0.t"] = tensor.Scalar(float32(o.t))
	m["0.old_dirs"] = flat(o.oldDirs)
	m["0.old_stps"] = flat(o.oldStps)
	m["0.ro"] = ro
	m["0.H_diag"] = tensor.Scalar(float32(o.hDiag))
	m["0.prev_flat_grad"] = vec(o.prevGrad)
	m["0.prev_loss"] = tensor.Scalar(float32(o.prevLoss))
	return m
}

// LoadState restores a state exported by State from an LBFGS over
// parameters of the same sizes. An empty map starts afresh.
func (o *LBFGS) LoadState(m map[string]*tensor.Tensor) error {
	const name = "lbfgs"
	if len(m) == 0 {
		*o = LBFGS{base: o.base, c: o.c, numel: o.numel}
		return nil
	}
	keys := []string{"func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss"}
	for k := range m {
		if indexOf(keys, k[min(len(k), 2):]) < 0 || len(k) < 2 || k[:2] != "0." {
			return stateErr(name, k, "unknown state key %q, want 0.<name> with name one of %v", k, keys)
		}
	}
	get := func(key string, size int) ([]float32, error) {
		t, ok := m["0."+key]
		if !ok || t == nil {
			return nil, stateErr(name, "0."+key, "state key %q is missing", "0."+key)
		}
		if size >= 0 && t.Len() != size {
			return nil, stateErr(name, "0."+key, "0.%s has %d values, want %d", key, t.Len(), size)
		}
		return t.Data(), nil
	}
	next := LBFGS{base: o.base, c: o.c, numel: o.numel}
	var scalars [6][]float32
	for i, key := range []string{"func_evals", "n_iter", "t", "H_diag", "prev_loss", "ro"} {
		size := 1
		if key == "ro" {
			size = -1
		}
		v, err := get(key, size)
		if err != nil {
			return err
		}
		scalars[i] = v
	}
	next.funcEvals, next.nIter = int(scalars[0][0]), int(scalars[1][0])
	next.t, next.hDiag, next.prevLoss = float64(scalars[2][0]), float64(scalars[3][0]), float64(scalars[4][0])
	k := len(scalars[5])
	if k > o.c.HistorySize {
		return stateErr(name, "0.ro", "0.ro holds %d pairs, more than history_size %d", k, o.c.HistorySize)
	}
	for _, v := range scalars[5] {
		next.ro = append(next.ro, float64(v))
	}
	d, err := get("d", o.numel)
	if err != nil {
		return err
	}
	pg, err := get("prev_flat_grad", o.numel)
	if err != nil {
		return err
	}
	next.d, next.prevGrad = append([]float32(nil), d...), append([]float32(nil), pg...)
	for _, key := range []string{"old_dirs", "old_stps"} {
		v, err := get(key, k*o.numel)
		if err != nil {
			return err
		}
		rows := make([][]float32, k)
		for i := range rows {
			rows[i] = append([]float32(nil), v[i*o.numel:(i+1)*o.numel]...)
		}
		if key == "old_dirs" {
			next.oldDirs = rows
		} else {
			next.oldStps = rows
		}
	}
	*o = next
	return nil
}
