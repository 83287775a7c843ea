package activation

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// forwardBackward runs f on x (as a [len(x)] Param) and back-propagates a
// gradient of ones, returning the output and the input gradient.
func forwardBackward(f func(*autograd.Var) *autograd.Var, x []float32) (y, dx []float32) {
	v := autograd.Param(tensor.FromSlice(x, len(x)))
	out := f(v)
	out.BackwardWith(tensor.Ones(out.Value.Shape()...))
	if v.Grad == nil {
		return out.Value.Data(), make([]float32, len(x))
	}
	return out.Value.Data(), v.Grad.Data()
}

func close64(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol+tol*math.Abs(want)
}

func checkSlice(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d elements, want %d", what, len(got), len(want))
		return
	}
	for i := range want {
		if !close64(float64(got[i]), want[i], tol) {
			t.Errorf("%s[%d] = %.9g, want %.9g", what, i, got[i], want[i])
		}
	}
}

func sig(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// TestKinks checks values and gradients at the points where PyTorch's
// choice of strict or non-strict comparisons decides the gradient.
func TestKinks(t *testing.T) {
	e1 := math.Exp(-1)
	tests := []struct {
		name         string
		f            func(*autograd.Var) *autograd.Var
		x            []float32
		wantY, wantD []float64
	}{
		{"relu", ReLU, []float32{-1, 0, 2}, []float64{0, 0, 2}, []float64{0, 0, 1}},
		{"leaky_relu", func(x *autograd.Var) *autograd.Var { return LeakyReLU(x, 0.01) },
			[]float32{-2, 0, 3}, []float64{-0.02, 0, 3}, []float64{0.01, 0.01, 1}},
		{"elu", func(x *autograd.Var) *autograd.Var { return ELU(x, 1) },
			[]float32{-1, 0, 1}, []float64{e1 - 1, 0, 1}, []float64{e1, 1, 1}},
		{"elu alpha 0.5", func(x *autograd.Var) *autograd.Var { return ELU(x, 0.5) },
			[]float32{-1, 0}, []float64{0.5 * (e1 - 1), 0}, []float64{0.5 * e1, 0.5}},
		{"selu", SELU, []float32{0, 1}, []float64{0, seluScale}, []float64{seluScale * seluAlpha, seluScale}},
		{"celu alpha 2", func(x *autograd.Var) *autograd.Var { return CELU(x, 2) },
			[]float32{-2, 0}, []float64{2 * (math.Exp(-1) - 1), 0}, []float64{math.Exp(-1), 1}},
		{"gelu", func(x *autograd.Var) *autograd.Var { return GELU(x, GELUNone) },
			[]float32{0, 1}, []float64{0, 0.8413447460685429}, []float64{0.5, 0.8413447460685429 + 0.24197072451914337}},
		{"gelu tanh", func(x *autograd.Var) *autograd.Var { return GELU(x, GELUTanh) },
			[]float32{0, 1}, []float64{0, 0.8411919906082768}, []float64{0.5, 1.0829640838457826}},
		{"sigmoid", Sigmoid, []float32{0}, []float64{0.5}, []float64{0.25}},
		{"tanh", Tanh, []float32{0}, []float64{0}, []float64{1}},
		{"softplus", func(x *autograd.Var) *autograd.Var { return Softplus(x, 1, 20) },
			[]float32{0, 20, 20.5}, []float64{math.Ln2, math.Log1p(math.Exp(20)), 20.5}, []float64{0.5, sig(20), 1}},
		{"softplus beta 2", func(x *autograd.Var) *autograd.Var { return Softplus(x, 2, 20) },
			[]float32{10, 10.5}, []float64{math.Log1p(math.Exp(20)) / 2, 10.5}, []float64{sig(20), 1}},
		{"softsign", Softsign, []float32{0, 1}, []float64{0, 0.5}, []float64{1, 0.25}},
		{"silu", SiLU, []float32{0}, []float64{0}, []float64{0.5}},
		{"mish", Mish, []float32{0}, []float64{0}, []float64{math.Tanh(math.Ln2)}},
		{"hardtanh", func(x *autograd.Var) *autograd.Var { return Hardtanh(x, -1, 1) },
			[]float32{-2, -1, 0.5, 1, 2}, []float64{-1, -1, 0.5, 1, 1}, []float64{0, 0, 1, 0, 0}},
		{"relu6", ReLU6, []float32{-1, 0, 3, 6, 7}, []float64{0, 0, 3, 6, 6}, []float64{0, 0, 1, 0, 0}},
		{"hardsigmoid", Hardsigmoid, []float32{-4, -3, 0, 3, 4}, []float64{0, 0, 0.5, 1, 1}, []float64{0, 0, 1.0 / 6, 0, 0}},
		{"hardswish", Hardswish, []float32{-4, -3, 0, 3, 4}, []float64{0, 0, 0, 3, 4}, []float64{0, -0.5, 0.5, 1, 1}},
		{"logsigmoid", LogSigmoid, []float32{0}, []float64{-math.Ln2}, []float64{0.5}},
		{"tanhshrink", Tanhshrink, []float32{0, 1}, []float64{0, 1 - math.Tanh(1)}, []float64{0, math.Pow(math.Tanh(1), 2)}},
		{"softshrink", func(x *autograd.Var) *autograd.Var { return Softshrink(x, 0.5) },
			[]float32{-0.7, -0.5, 0, 0.5, 0.7}, []float64{-0.2, 0, 0, 0, 0.2}, []float64{1, 0, 0, 0, 1}},
		{"hardshrink", func(x *autograd.Var) *autograd.Var { return Hardshrink(x, 0.5) },
			[]float32{-0.7, -0.5, 0, 0.5, 0.7}, []float64{-0.7, 0, 0, 0, 0.7}, []float64{1, 0, 0, 0, 1}},
		{"rrelu eval", func(x *autograd.Var) *autograd.Var { return RandomizedReLU(x, 0.1, 0.3, false, nil) },
			[]float32{-1, 0, 1}, []float64{-0.2, 0, 1}, []float64{0.2, 0.2, 1}},
		{"prelu", func(x *autograd.Var) *autograd.Var { return NewPReLU(1, 0.25).Forward(x, nn.Eval) },
			[]float32{-2, 0, 2}, []float64{-0.5, 0, 2}, []float64{0.25, 0.25, 1}},
		{"maxout ties go to the first", func(x *autograd.Var) *autograd.Var { return MaxoutOf(x, 2) },
			[]float32{3, 3, 1, 5, 5, 5}, []float64{3, 5, 5}, []float64{1, 0, 0, 1, 1, 0}},
		{"identity", Identity, []float32{-1, 0, 1}, []float64{-1, 0, 1}, []float64{1, 1, 1}},
	}
	for _, tc := range tests {
		y, dx := forwardBackward(tc.f, tc.x)
		checkSlice(t, tc.name+" y", y, tc.wantY, 1e-6)
		checkSlice(t, tc.name+" dx", dx, tc.wantD, 1e-6)
	}
}

// TestPReLUWeightGradientAtZero checks that x = 0 contributes x·dy = 0 to
// the slope's gradient and that only x ≤ 0 contributes at all.
func TestPReLUWeightGradientAtZero(t *testing.T) {
	p := NewPReLU(1, 0.25)
	x := autograd.Param(tensor.FromSlice([]float32{0, -2, 3}, 1, 3))
	p.Forward(x, nn.Eval).BackwardWith(tensor.FromSlice([]float32{5, 1.5, 7}, 1, 3))
	checkSlice(t, "dweight", p.Weight.Grad.Data(), []float64{-3}, 1e-6)
	checkSlice(t, "dx", x.Grad.Data(), []float64{1.25, 0.375, 7}, 1e-6)
}

// gradInput holds values away from every kink of the default and test
// parameters (0, ±0.5, ±1, −2, 2.5, ±3, 6), shaped [3, 4].
var gradInput = []float32{
	-4.3, 0.75, -1.7, -0.8,
	0.2, -0.35, 2.2, -2.6,
	1.3, 4.4, -0.15, 0.4,
}

// TestGradients compares every activation's gradient with central
// differences, through the registry so that every name is covered.
func TestGradients(t *testing.T) {
	configs := []struct {
		name   string
		params map[string]any
	}{
		{"leaky_relu", map[string]any{"negative_slope": 0.2}},
		{"elu", map[string]any{"alpha": 0.5}},
		{"celu", map[string]any{"alpha": 2.0}},
		{"gelu", map[string]any{"approximate": "tanh"}},
		{"softplus", map[string]any{"beta": 2.0, "threshold": 5.0}},
		{"hardtanh", map[string]any{"min_val": -2.0, "max_val": 2.5}},
		{"softshrink", map[string]any{"lambd": 1.0}},
		{"hardshrink", map[string]any{"lambd": 1.0}},
		{"softmax", map[string]any{"dim": 0}},
		{"log_softmax", map[string]any{"dim": 0}},
		{"prelu", map[string]any{"num_parameters": 4, "init": -0.3}},
		{"maxout", map[string]any{"pieces": 4}},
	}
	for _, name := range Names() {
		var params map[string]any
		if name == "maxout" {
			params = map[string]any{"pieces": 2}
		}
		configs = append(configs, struct {
			name   string
			params map[string]any
		}{name, params})
	}
	x := tensor.FromSlice(gradInput, 3, 4)
	for _, c := range configs {
		l, err := New(c.name, c.params)
		if err != nil {
			t.Fatalf("New(%q, %v): %v", c.name, c.params, err)
		}
		// Random slopes change on every call, so check evaluation mode.
		f := func(in []*autograd.Var) *autograd.Var { return l.Forward(in[0], nn.Eval) }
		if err := gradtest.Check(f, []*tensor.Tensor{x}, gradtest.Options{}); err != nil {
			t.Errorf("%s %v: %v", c.name, c.params, err)
		}
	}
}

func TestPReLUGradients(t *testing.T) {
	x := tensor.FromSlice([]float32{
		-1.5, 0.4, -0.3, 2.1, 0.9, -2.2,
		0.6, -0.7, 1.8, -1.1, -0.2, 0.3,
	}, 2, 3, 2)
	for _, w := range []*tensor.Tensor{
		tensor.FromSlice([]float32{0.25}, 1),
		tensor.FromSlice([]float32{0.1, -0.4, 0.7}, 3),
	} {
		f := func(in []*autograd.Var) *autograd.Var { return ParametricReLU(in[0], in[1]) }
		if err := gradtest.Check(f, []*tensor.Tensor{x, w}, gradtest.Options{}); err != nil {
			t.Errorf("prelu with %d slopes: %v", w.Len(), err)
		}
	}
}

func TestSoftmaxGradients(t *testing.T) {
	x := tensor.Randn(tensor.NewRNG(3), 3, 5)
	for _, dim := range []int{-1, 0, 1} {
		for name, op := range map[string]func(*autograd.Var, int) *autograd.Var{"softmax": Softmax, "log_softmax": LogSoftmax} {
			f := func(in []*autograd.Var) *autograd.Var { return op(in[0], dim) }
			if err := gradtest.Check(f, []*tensor.Tensor{x}, gradtest.Options{}); err != nil {
				t.Errorf("%s dim %d: %v", name, dim, err)
			}
		}
	}
}

func TestMaxoutGradients(t *testing.T) {
	// A permutation keeps every pair of inputs 0.1 apart, far from ties.
	perm := tensor.NewRNG(4).Perm(24)
	d := make([]float32, len(perm))
	for i, p := range perm {
		d[i] = float32(p)*0.1 - 1.2
	}
	x := tensor.FromSlice(d, 2, 12)
	for _, k := range []int{1, 2, 3, 4, 6} {
		f := func(in []*autograd.Var) *autograd.Var { return MaxoutOf(in[0], k) }
		if err := gradtest.Check(f, []*tensor.Tensor{x}, gradtest.Options{}); err != nil {
			t.Errorf("maxout pieces %d: %v", k, err)
		}
	}
	y := MaxoutOf(autograd.Const(x), 3)
	if got := y.Shape(); len(got) != 2 || got[0] != 2 || got[1] != 4 {
		t.Errorf("maxout [2 12] by 3: shape %v, want [2 4]", got)
	}
	for j := range 4 {
		want := max(d[3*j], d[3*j+1], d[3*j+2])
		if got := y.Value.At(0, j); got != want {
			t.Errorf("maxout[0][%d] = %g, want %g (max of columns %d..%d)", j, got, want, 3*j, 3*j+2)
		}
	}
}

// TestExtremes checks that inputs of ±100 and ±1e4 give finite values and
// gradients, with the limits the exact functions approach.
func TestExtremes(t *testing.T) {
	x := []float32{-1e4, -100, 100, 1e4}
	for _, name := range Names() {
		params := map[string]any(nil)
		if name == "maxout" {
			params = map[string]any{"pieces": 2}
		}
		l, err := New(name, params)
		if err != nil {
			t.Fatal(err)
		}
		y, dx := forwardBackward(train(l, tensor.NewRNG(1)), x)
		for i := range y {
			if math.IsNaN(float64(y[i])) || math.IsInf(float64(y[i]), 0) {
				t.Errorf("%s: y[%d] = %g, want finite", name, i, y[i])
			}
		}
		for i := range dx {
			if math.IsNaN(float64(dx[i])) || math.IsInf(float64(dx[i]), 0) {
				t.Errorf("%s: dx[%d] = %g at x = %g, want finite", name, i, dx[i], x[i])
			}
		}
	}

	limits := []struct {
		name         string
		f            func(*autograd.Var) *autograd.Var
		wantY, wantD []float64
	}{
		{"softplus", func(x *autograd.Var) *autograd.Var { return Softplus(x, 1, 20) },
			[]float64{0, math.Exp(-100), 100, 1e4}, []float64{0, math.Exp(-100), 1, 1}},
		{"softplus huge threshold", func(x *autograd.Var) *autograd.Var { return Softplus(x, 1, 1e6) },
			[]float64{0, math.Exp(-100), 100, 1e4}, []float64{0, math.Exp(-100), 1, 1}},
		{"mish", Mish, []float64{0, -100 * math.Exp(-100), 100, 1e4}, []float64{0, 0, 1, 1}},
		{"silu", SiLU, []float64{0, -100 * math.Exp(-100), 100, 1e4}, []float64{0, 0, 1, 1}},
		{"logsigmoid", LogSigmoid, []float64{-1e4, -100, -math.Exp(-100), 0}, []float64{1, 1, math.Exp(-100), 0}},
		{"sigmoid", Sigmoid, []float64{0, math.Exp(-100), 1, 1}, []float64{0, math.Exp(-100), 0, 0}},
		{"tanh", Tanh, []float64{-1, -1, 1, 1}, []float64{0, 0, 0, 0}},
		{"gelu", func(x *autograd.Var) *autograd.Var { return GELU(x, GELUNone) }, []float64{0, 0, 100, 1e4}, []float64{0, 0, 1, 1}},
		{"gelu tanh", func(x *autograd.Var) *autograd.Var { return GELU(x, GELUTanh) }, []float64{0, 0, 100, 1e4}, []float64{0, 0, 1, 1}},
		{"elu", func(x *autograd.Var) *autograd.Var { return ELU(x, 1) }, []float64{-1, -1, 100, 1e4}, []float64{0, 0, 1, 1}},
		{"selu", SELU, []float64{-seluScale * seluAlpha, -seluScale * seluAlpha, seluScale * 100, seluScale * 1e4},
			[]float64{0, 0, seluScale, seluScale}},
		{"celu", func(x *autograd.Var) *autograd.Var { return CELU(x, 1) }, []float64{-1, -1, 100, 1e4}, []float64{0, 0, 1, 1}},
		{"softsign", Softsign, []float64{-1e4 / 10001, -100.0 / 101, 100.0 / 101, 1e4 / 10001},
			[]float64{1 / 10001.0 / 10001, 1 / 101.0 / 101, 1 / 101.0 / 101, 1 / 10001.0 / 10001}},
		{"tanhshrink", Tanhshrink, []float64{-1e4 + 1, -99, 99, 1e4 - 1}, []float64{1, 1, 1, 1}},
	}
	for _, tc := range limits {
		y, dx := forwardBackward(tc.f, x)
		checkSlice(t, tc.name+" y", y, tc.wantY, 1e-6)
		checkSlice(t, tc.name+" dx", dx, tc.wantD, 1e-6)
	}

	logits := autograd.Param(tensor.FromSlice([]float32{1e4, 0, -1e4, 3}, 1, 4))
	for name, y := range map[string]*autograd.Var{"softmax": Softmax(logits, -1), "log_softmax": LogSoftmax(logits, -1)} {
		y.BackwardWith(tensor.FromSlice([]float32{1, -1, 0.5, 2}, 1, 4))
		for i, v := range append(y.Value.Data(), logits.Grad.Data()...) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Errorf("%s of logits 1e4: element %d = %g, want finite", name, i, v)
			}
		}
		logits.ZeroGrad()
	}
}

func TestRReLU(t *testing.T) {
	const lower, upper = 0.1, 0.3
	x := []float32{-2, -1, 0, 0.5, -0.25, 3, -4, -0.5}
	run := func(seed uint64) (y, dx []float32) {
		l := NewRReLU(lower, upper)
		return forwardBackward(train(l, tensor.NewRNG(seed)), x)
	}
	y, dx := run(7)
	for i, v := range x {
		if v > 0 {
			if y[i] != v || dx[i] != 1 {
				t.Errorf("x = %g: y = %g, dx = %g, want %g and 1", v, y[i], dx[i], v)
			}
			continue
		}
		if dx[i] < lower || dx[i] >= upper {
			t.Errorf("x = %g: slope %g, want in [%g, %g)", v, dx[i], lower, upper)
		}
		if want := v * dx[i]; y[i] != want {
			t.Errorf("x = %g: y = %g, want x·slope = %g (backward must reuse the forward slope)", v, y[i], want)
		}
	}
	y2, _ := run(7)
	for i := range y {
		if y[i] != y2[i] {
			t.Errorf("same seed: y[%d] = %g, then %g", i, y2[i], y[i])
		}
	}

	l := NewRReLU(lower, upper)
	y, dx = forwardBackward(eval(l), x)
	for i, v := range x {
		want, wantD := float64(v), 1.0
		if v <= 0 {
			want, wantD = float64(v)*(lower+upper)/2, (lower+upper)/2
		}
		if !close64(float64(y[i]), want, 1e-6) || !close64(float64(dx[i]), wantD, 1e-6) {
			t.Errorf("eval x = %g: y = %g, dx = %g, want %g and %g", v, y[i], dx[i], want, wantD)
		}
	}
}

func TestPanics(t *testing.T) {
	x := autograd.Const(tensor.Zeros(2, 6))
	tests := []struct {
		name string
		f    func()
	}{
		{"hardtanh min = max", func() { Hardtanh(x, 1, 1) }},
		{"softshrink negative lambd", func() { Softshrink(x, -1) }},
		{"hardshrink negative lambd", func() { Hardshrink(x, -0.1) }},
		{"gelu approximate", func() { GELU(x, "erf") }},
		{"celu alpha 0", func() { CELU(x, 0) }},
		{"softplus beta 0", func() { Softplus(x, 0, 20) }},
		{"maxout pieces 0", func() { MaxoutOf(x, 0) }},
		{"maxout pieces 4 of 6", func() { MaxoutOf(x, 4) }},
		{"prelu 4 slopes for 6 channels", func() { ParametricReLU(x, autograd.Const(tensor.Zeros(4))) }},
		{"rrelu lower > upper", func() { RandomizedReLU(x, 0.5, 0.1, false, nil) }},
		{"rrelu training without rng", func() { RandomizedReLU(x, 0.1, 0.5, true, nil) }},
		{"NewPReLU 0", func() { NewPReLU(0, 0.25) }},
	}
	for _, tc := range tests {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

// TestGELUTanhGradientTail pins the left tail of the tanh-form gradient to
// PyTorch 1.13's float32 values, where they differ from the exact
// derivative (about −1.55e-6 at −5 and −6.3e-7 at −5.137) by rounding.
func TestGELUTanhGradientTail(t *testing.T) {
	_, dx := forwardBackward(func(x *autograd.Var) *autograd.Var { return GELU(x, GELUTanh) },
		[]float32{-5, -5.137322, -6})
	want := []float32{-2.010876e-06, 0, 0}
	for i := range want {
		if math.Abs(float64(dx[i]-want[i])) > 1e-12 {
			t.Errorf("dx[%d] = %g, want %g", i, dx[i], want[i])
		}
	}
}

// train returns l's forward pass in training mode drawing from rng.
func train(l nn.Layer, rng *tensor.RNG) func(*autograd.Var) *autograd.Var {
	return func(x *autograd.Var) *autograd.Var { return l.Forward(x, nn.Train(rng)) }
}

// eval returns l's forward pass in evaluation mode.
func eval(l nn.Layer) func(*autograd.Var) *autograd.Var {
	return func(x *autograd.Var) *autograd.Var { return l.Forward(x, nn.Eval) }
}
