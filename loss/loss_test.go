package loss

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/tensor"
)

func vec(v ...float32) *tensor.Tensor { return tensor.FromSlice(v, len(v)) }

// close32 compares a float32 result with an exact reference, allowing the
// float32 rounding of the result and a little more.
func close32(got float32, want float64) bool {
	if math.IsInf(want, 0) || math.IsNaN(want) {
		return float64(got) == want || (math.IsNaN(want) && got != got)
	}
	return math.Abs(float64(got)-want) <= 1e-7+2e-7*math.Abs(want)
}

// run evaluates f on a fresh parameter holding x and back-propagates a seed
// of ones, returning the value and the gradient.
func run(x *tensor.Tensor, f func(x *autograd.Var) *autograd.Var) (value, grad []float32) {
	p := autograd.Param(x.Clone())
	out := f(p)
	out.BackwardWith(tensor.Full(1, out.Value.Shape()...))
	if p.Grad == nil {
		return out.Value.Data(), make([]float32, x.Len())
	}
	return out.Value.Data(), p.Grad.Data()
}

func TestValues(t *testing.T) {
	ln2 := math.Log(2)
	lse := 3 + math.Log(math.Exp(-2)+math.Exp(-1)+1) // log Σ exp of [1, 2, 3]
	p := []float64{math.Exp(1 - lse), math.Exp(2 - lse), math.Exp(3 - lse)}
	cases := []struct {
		name  string
		x     *tensor.Tensor
		f     func(x *autograd.Var) *autograd.Var
		value []float64
		grad  []float64
	}{
		{"mse/mean", vec(1, 2, 3), func(x *autograd.Var) *autograd.Var { return MSE(x, vec(0, 2, 5), Mean) },
			[]float64{5.0 / 3}, []float64{2.0 / 3, 0, -4.0 / 3}},
		{"mse/sum", vec(1, 2, 3), func(x *autograd.Var) *autograd.Var { return MSE(x, vec(0, 2, 5), Sum) },
			[]float64{5}, []float64{2, 0, -4}},
		{"mse/none", vec(1, 2, 3), func(x *autograd.Var) *autograd.Var { return MSE(x, vec(0, 2, 5), None) },
			[]float64{1, 0, 4}, []float64{2, 0, -4}},
		{"l1/mean", vec(1, 2, 3), func(x *autograd.Var) *autograd.Var { return L1(x, vec(0, 2, 5), Mean) },
			[]float64{1}, []float64{1.0 / 3, 0, -1.0 / 3}},
		{"l1/none", vec(1, 2, 3), func(x *autograd.Var) *autograd.Var { return L1(x, vec(0, 2, 5), None) },
			[]float64{1, 0, 2}, []float64{1, 0, -1}},
		{"huber/delta=1", vec(0.5, 0, -3, 1), func(x *autograd.Var) *autograd.Var { return Huber(x, vec(0, 0, 0, 0), 1, Sum) },
			[]float64{0.125 + 0 + 2.5 + 0.5}, []float64{0.5, 0, -1, 1}},
		{"huber/delta=2", vec(1, 3, -2), func(x *autograd.Var) *autograd.Var { return Huber(x, vec(0, 0, 0), 2, None) },
			[]float64{0.5, 4, 2}, []float64{1, 2, -2}},
		{"smooth_l1/beta=0.5", vec(0.25, 1, -0.5), func(x *autograd.Var) *autograd.Var { return SmoothL1(x, vec(0, 0, 0), 0.5, None) },
			[]float64{0.0625, 0.75, 0.25}, []float64{0.5, 1, -1}},
		{"smooth_l1/beta=1/mean", vec(0.5, -2), func(x *autograd.Var) *autograd.Var { return SmoothL1(x, vec(0, 0), 1, Mean) },
			[]float64{(0.125 + 1.5) / 2}, []float64{0.25, -0.5}},
		{"smooth_l1/beta=0", vec(0.25, 0, -1), func(x *autograd.Var) *autograd.Var { return SmoothL1(x, vec(0, 0, 0), 0, None) },
			[]float64{0.25, 0, 1}, []float64{1, 0, -1}},
		{"bce", vec(0.5, 0.9, 0, 1), func(x *autograd.Var) *autograd.Var { return BCE(x, vec(1, 0, 0, 0), None) },
			[]float64{ln2, -math.Log(0.1), 0, 100},
			[]float64{-2, 0.9 / (0.9 * 0.1), 0, 1e12}},
		{"bce/clamped", vec(0, 1), func(x *autograd.Var) *autograd.Var { return BCE(x, vec(1, 1), Mean) },
			[]float64{50}, []float64{-0.5e12, 0}},
		{"bce_with_logits", vec(0, 80, -80, 2), func(x *autograd.Var) *autograd.Var {
			return BCEWithLogits(x, vec(1, 0, 0, 0.25), None)
		}, []float64{ln2, 80, math.Log1p(math.Exp(-80)), 0.75*2 + math.Log1p(math.Exp(-2))},
			[]float64{-0.5, 1, math.Exp(-80) / (1 + math.Exp(-80)), 1/(1+math.Exp(-2)) - 0.25}},
		{"cross_entropy", tensor.FromSlice([]float32{1, 2, 3}, 1, 3), func(x *autograd.Var) *autograd.Var {
			return CrossEntropy(x, []int{2}, 0, Mean)
		}, []float64{lse - 3}, []float64{p[0], p[1], p[2] - 1}},
		{"cross_entropy/smoothing", tensor.FromSlice([]float32{1, 2, 3}, 1, 3), func(x *autograd.Var) *autograd.Var {
			return CrossEntropy(x, []int{2}, 0.3, Sum)
		}, []float64{0.7*(lse-3) + 0.1*(3*lse-6)}, []float64{p[0] - 0.1, p[1] - 0.1, p[2] - 0.8}},
		{"cross_entropy/none", tensor.FromSlice([]float32{1, 2, 3, 3, 2, 1}, 2, 3), func(x *autograd.Var) *autograd.Var {
			return CrossEntropy(x, []int{2, 1}, 0, None)
		}, []float64{lse - 3, lse - 2}, []float64{p[0], p[1], p[2] - 1, p[2], p[1] - 1, p[0]}},
		{"cross_entropy/mean2", tensor.FromSlice([]float32{1, 2, 3, 3, 2, 1}, 2, 3), func(x *autograd.Var) *autograd.Var {
			return CrossEntropy(x, []int{2, 1}, 0, Mean)
		}, []float64{(2*lse - 5) / 2}, []float64{p[0] / 2, p[1] / 2, (p[2] - 1) / 2, p[2] / 2, (p[1] - 1) / 2, p[0] / 2}},
		{"nll/mean", tensor.FromSlice([]float32{-1, -2, -0.5, -3}, 2, 2), func(x *autograd.Var) *autograd.Var {
			return NLL(x, []int{1, 0}, Mean)
		}, []float64{1.25}, []float64{0, -0.5, -0.5, 0}},
		{"nll/none", tensor.FromSlice([]float32{-1, -2, -0.5, -3}, 2, 2), func(x *autograd.Var) *autograd.Var {
			return NLL(x, []int{1, 0}, None)
		}, []float64{2, 0.5}, []float64{0, -1, -1, 0}},
	}
	for _, c := range cases {
		value, grad := run(c.x, c.f)
		if len(value) != len(c.value) || len(grad) != len(c.grad) {
			t.Errorf("%s: got %d values and %d gradients, want %d and %d", c.name, len(value), len(grad), len(c.value), len(c.grad))
			continue
		}
		for i, w := range c.value {
			if !close32(value[i], w) {
				t.Errorf("%s: value[%d] = %v, want %v", c.name, i, value[i], w)
			}
		}
		for i, w := range c.grad {
			if !close32(grad[i], w) {
				t.Errorf("%s: grad[%d] = %v, want %v", c.name, i, grad[i], w)
			}
		}
	}
}

func TestEmptyMeanIsNaN(t *testing.T) {
	got := MSE(autograd.Param(tensor.Zeros(0)), tensor.Zeros(0), Mean).Value.Item()
	if got == got {
		t.Errorf("MSE of nothing with Mean = %v, want NaN", got)
	}
	got = CrossEntropy(autograd.Param(tensor.Zeros(0, 3)), nil, 0, Mean).Value.Item()
	if got == got {
		t.Errorf("CrossEntropy of nothing with Mean = %v, want NaN", got)
	}
}

// lossFn is a loss under test, with its hyperparameter already chosen.
type lossFn struct {
	name string
	f    func(x *autograd.Var, r Reduction) *autograd.Var
	x    *tensor.Tensor // an input away from kinks and clamps
}

func gradCases() []lossFn {
	rng := tensor.NewRNG(7)
	pred := tensor.Randn(rng, 4, 3)
	target := tensor.Randn(rng, 4, 3)
	// Keep |x − t| away from 0 and from the Huber and smooth L1 thresholds
	// (1 and 0.5), where the derivative jumps or the curvature changes.
	pd, td := pred.Data(), target.Data()
	for i := range pd {
		d := pd[i] - td[i]
		for _, kink := range []float32{-1, -0.5, 0, 0.5, 1} {
			if d > kink-0.05 && d < kink+0.05 {
				pd[i] += 0.2
				d += 0.2
			}
		}
	}
	probs := tensor.Uniform(rng, 0.1, 0.9, 4, 3)
	bits := tensor.Zeros(4, 3)
	for i := range bits.Data() {
		bits.Data()[i] = float32(rng.Intn(2))
	}
	soft := tensor.Uniform(rng, 0, 1, 4, 3)
	logits := tensor.Randn(rng, 5, 4)
	classes := []int{0, 3, 1, 3, 2}
	logp := tensor.LogSoftmax(tensor.Randn(rng, 5, 4), 1)
	return []lossFn{
		{"mse", func(x *autograd.Var, r Reduction) *autograd.Var { return MSE(x, target, r) }, pred},
		{"l1", func(x *autograd.Var, r Reduction) *autograd.Var { return L1(x, target, r) }, pred},
		{"huber", func(x *autograd.Var, r Reduction) *autograd.Var { return Huber(x, target, 1, r) }, pred},
		{"huber/0.5", func(x *autograd.Var, r Reduction) *autograd.Var { return Huber(x, target, 0.5, r) }, pred},
		{"smooth_l1", func(x *autograd.Var, r Reduction) *autograd.Var { return SmoothL1(x, target, 1, r) }, pred},
		{"smooth_l1/0.5", func(x *autograd.Var, r Reduction) *autograd.Var { return SmoothL1(x, target, 0.5, r) }, pred},
		{"smooth_l1/0", func(x *autograd.Var, r Reduction) *autograd.Var { return SmoothL1(x, target, 0, r) }, pred},
		{"bce", func(x *autograd.Var, r Reduction) *autograd.Var { return BCE(x, bits, r) }, probs},
		{"bce/soft", func(x *autograd.Var, r Reduction) *autograd.Var { return BCE(x, soft, r) }, probs},
		{"bce_with_logits", func(x *autograd.Var, r Reduction) *autograd.Var { return BCEWithLogits(x, bits, r) }, tensor.Scale(pred, 3)},
		{"bce_with_logits/soft", func(x *autograd.Var, r Reduction) *autograd.Var { return BCEWithLogits(x, soft, r) }, pred},
		{"cross_entropy", func(x *autograd.Var, r Reduction) *autograd.Var { return CrossEntropy(x, classes, 0, r) }, logits},
		{"cross_entropy/0.2", func(x *autograd.Var, r Reduction) *autograd.Var { return CrossEntropy(x, classes, 0.2, r) }, logits},
		{"cross_entropy/1", func(x *autograd.Var, r Reduction) *autograd.Var { return CrossEntropy(x, classes, 1, r) }, logits},
		{"nll", func(x *autograd.Var, r Reduction) *autograd.Var { return NLL(x, classes, r) }, logp},
	}
}

func TestGradients(t *testing.T) {
	for _, c := range gradCases() {
		for _, r := range []Reduction{Mean, Sum, None} {
			err := gradtest.Check(func(in []*autograd.Var) *autograd.Var { return c.f(in[0], r) },
				[]*tensor.Tensor{c.x}, gradtest.Options{Eps: 1e-3, Seed: 3})
			if err != nil {
				t.Errorf("%s/%v: %v", c.name, r, err)
			}
		}
	}
}

// TestNoneMatchesMean checks that the unreduced losses and gradients are
// the ones that Mean and Sum reduce.
func TestNoneMatchesMean(t *testing.T) {
	for _, c := range gradCases() {
		perValue, perGrad := run(c.x, func(x *autograd.Var) *autograd.Var { return c.f(x, None) })
		sumValue, sumGrad := run(c.x, func(x *autograd.Var) *autograd.Var { return c.f(x, Sum) })
		meanValue, meanGrad := run(c.x, func(x *autograd.Var) *autograd.Var { return c.f(x, Mean) })
		var s float64
		for _, v := range perValue {
			s += float64(v)
		}
		n := float64(len(perValue))
		if !close32(sumValue[0], s) || math.Abs(float64(meanValue[0])-s/n) > 1e-6*math.Abs(s/n)+1e-7 {
			t.Errorf("%s: sum %v and mean %v, want %v and %v", c.name, sumValue[0], meanValue[0], s, s/n)
		}
		for i := range perGrad {
			if sumGrad[i] != perGrad[i] || !close32(meanGrad[i], float64(perGrad[i])/n) {
				t.Errorf("%s: grad[%d] sum %v and mean %v, want %v and %v", c.name, i, sumGrad[i], meanGrad[i], perGrad[i], float64(perGrad[i])/n)
			}
		}
	}
}

func finite(vs []float32) bool {
	for _, v := range vs {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}

func TestHugeLogits(t *testing.T) {
	x := vec(80, -80, 1e4, -1e4, 1e4, -1e4)
	value, grad := run(x, func(x *autograd.Var) *autograd.Var {
		return BCEWithLogits(x, vec(0, 1, 1, 0, 0, 1), None)
	})
	want := []float64{80, 80, 0, 0, 1e4, 1e4}
	wantGrad := []float64{1, -1, 0, 0, 1, -1}
	for i := range want {
		if !finite(value) || math.Abs(float64(value[i])-want[i]) > 1e-6 || !close32(grad[i], wantGrad[i]) {
			t.Errorf("BCEWithLogits(%v): got %v grad %v, want %v grad %v", x.Data()[i], value[i], grad[i], want[i], wantGrad[i])
		}
	}

	logits := tensor.FromSlice([]float32{1e4, 0, -1e4, -1e4, 1e4, 0, 1e4, 1e4, -1e4}, 3, 3)
	for _, eps := range []float64{0, 0.1} {
		value, grad = run(logits, func(x *autograd.Var) *autograd.Var {
			return CrossEntropy(x, []int{1, 1, 0}, eps, None)
		})
		if !finite(value) || !finite(grad) {
			t.Errorf("CrossEntropy(ε=%v) of ±1e4 logits: got %v grad %v, want finite", eps, value, grad)
		}
		// Row 0 puts the target 1e4 below the maximum; row 1 on it.
		if w := 1e4 * (1 - eps + eps/3*3); !close32(value[0], w) {
			t.Errorf("CrossEntropy(ε=%v) row 0: got %v, want %v", eps, value[0], w)
		}
		if w := eps / 3 * 3e4; !close32(value[1], w) {
			t.Errorf("CrossEntropy(ε=%v) row 1: got %v, want %v", eps, value[1], w)
		}
		if w := math.Log(2)*1 + eps/3*2e4; !close32(value[2], w) {
			t.Errorf("CrossEntropy(ε=%v) row 2: got %v, want %v", eps, value[2], w)
		}
		if !close32(grad[6], 0.5-(1-eps)-eps/3) || !close32(grad[7], 0.5-eps/3) {
			t.Errorf("CrossEntropy(ε=%v) row 2 grad: got %v, want %v", eps, grad[6:9], []float64{0.5 - (1 - eps) - eps/3, 0.5 - eps/3, -eps / 3})
		}
	}
}

func TestConstInputNeedsNoGradient(t *testing.T) {
	x := autograd.Const(vec(1, 2))
	for _, out := range []*autograd.Var{
		MSE(x, vec(0, 0), Mean),
		BCEWithLogits(x, vec(0, 1), Sum),
		CrossEntropy(autograd.Const(tensor.Zeros(1, 2)), []int{1}, 0, Mean),
		NLL(autograd.Const(tensor.Zeros(1, 2)), []int{1}, None),
	} {
		if out.RequiresGrad() {
			t.Errorf("%s of a constant requires a gradient", out.Op())
		}
	}
}

func TestNLLKeepsIndices(t *testing.T) {
	labels := []int{1, 0}
	x := autograd.Param(tensor.Zeros(2, 2))
	out := NLL(x, labels, Sum)
	labels[0], labels[1] = 0, 1 // the caller reuses its buffer
	out.Backward()
	if got, want := x.Grad.Data(), []float32{0, -1, -1, 0}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("NLL gradient after the labels changed = %v, want %v", got, want)
	}
}

// panicValue runs f and returns what it panicked with.
func panicValue(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

func TestShapeMismatchPanics(t *testing.T) {
	x := autograd.Param(tensor.Zeros(2, 3))
	cases := map[string]func(){
		"MSE":           func() { MSE(x, tensor.Zeros(3, 2), Mean) },
		"L1":            func() { L1(x, tensor.Zeros(6), Mean) },
		"Huber":         func() { Huber(x, tensor.Zeros(2, 1), 1, Mean) },
		"SmoothL1":      func() { SmoothL1(x, tensor.Zeros(2, 4), 1, Sum) },
		"BCE":           func() { BCE(x, tensor.Zeros(3, 2), None) },
		"BCEWithLogits": func() { BCEWithLogits(x, tensor.Zeros(3), Mean) },
		"CrossEntropy":  func() { CrossEntropy(x, []int{0, 1, 2}, 0, Mean) },
		"NLL":           func() { NLL(autograd.Param(tensor.Zeros(6)), []int{0}, Mean) },
	}
	for name, f := range cases {
		v := panicValue(f)
		err, ok := v.(*tensor.ShapeError)
		if !ok {
			t.Errorf("%s: panicked with %#v, want a *tensor.ShapeError", name, v)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "loss."+name+":") || len(err.Shapes) == 0 || !strings.Contains(msg, fmt.Sprint(err.Shapes[0])) {
			t.Errorf("%s: message %q does not name the loss and the shapes", name, msg)
		}
	}
}

func TestMisusePanics(t *testing.T) {
	logits := autograd.Param(tensor.Zeros(2, 3))
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"class too large", func() { CrossEntropy(logits, []int{0, 3}, 0, Mean) }, "target[1] = 3 is not a class index in [0, 3)"},
		{"ignore index", func() { NLL(logits, []int{-100, 0}, Mean) }, "target[0] = -100"},
		{"smoothing", func() { CrossEntropy(logits, []int{0, 1}, 1.5, Mean) }, "label smoothing must be in [0, 1]"},
		{"smoothing NaN", func() { CrossEntropy(logits, []int{0, 1}, math.NaN(), Mean) }, "label smoothing"},
		{"delta", func() { Huber(logits, tensor.Zeros(2, 3), 0, Mean) }, "delta must be > 0"},
		{"beta", func() { SmoothL1(logits, tensor.Zeros(2, 3), -1, Mean) }, "beta must be >= 0"},
		{"reduction", func() { MSE(logits, tensor.Zeros(2, 3), Reduction(7)) }, "invalid Reduction(7)"},
		{"probability", func() { BCE(autograd.Param(vec(0.5, 1.5)), vec(0, 1), Mean) }, "input[1] = 1.5 is not a probability"},
	}
	for _, c := range cases {
		v := panicValue(c.f)
		err, ok := v.(error)
		if !ok || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: panicked with %v, want an error containing %q", c.name, v, c.want)
		}
	}
}

func TestReduction(t *testing.T) {
	for _, r := range []Reduction{Mean, Sum, None} {
		got, err := ParseReduction(r.String())
		if err != nil || got != r {
			t.Errorf("ParseReduction(%q) = %v, %v, want %v", r.String(), got, err, r)
		}
	}
	if got := Reduction(5).String(); got != "Reduction(5)" {
		t.Errorf("Reduction(5).String() = %q, want %q", got, "Reduction(5)")
	}
	_, err := ParseReduction("avg")
	if err == nil || !strings.Contains(err.Error(), `"mean", "sum", "none"`) {
		t.Errorf("ParseReduction(\"avg\") error = %v, want one listing the reductions", err)
	}
	var zero Reduction
	if zero != Mean {
		t.Errorf("zero Reduction = %v, want mean", zero)
	}
}
