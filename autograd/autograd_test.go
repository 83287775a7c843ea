package autograd_test

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/tensor"
)

// awayFromKinks returns normal numbers pushed at least 0.1 away from 0, so
// that Abs and ReLU have a derivative at every test point.
func awayFromKinks(rng *tensor.RNG, shape ...int) *tensor.Tensor {
	t := tensor.Randn(rng, shape...)
	d := t.Data()
	for i, v := range d {
		if v >= 0 && v < 0.1 {
			d[i] = v + 0.1
		} else if v < 0 && v > -0.1 {
			d[i] = v - 0.1
		}
	}
	return t
}

func TestGradients(t *testing.T) {
	rng := tensor.NewRNG(11)
	pos := func(shape ...int) *tensor.Tensor {
		return tensor.Map(tensor.Rand(rng, shape...), func(v float32) float32 { return v + 0.5 })
	}
	type in = []*autograd.Var
	cases := []struct {
		name   string
		f      func(v in) *autograd.Var
		inputs []*tensor.Tensor
	}{
		{"add broadcast", func(v in) *autograd.Var { return autograd.Add(v[0], v[1]) }, []*tensor.Tensor{tensor.Randn(rng, 3, 4), tensor.Randn(rng, 4)}},
		{"sub column", func(v in) *autograd.Var { return autograd.Sub(v[0], v[1]) }, []*tensor.Tensor{tensor.Randn(rng, 3, 4), tensor.Randn(rng, 3, 1)}},
		{"mul", func(v in) *autograd.Var { return autograd.Mul(v[0], v[1]) }, []*tensor.Tensor{tensor.Randn(rng, 2, 3), tensor.Randn(rng, 1, 3)}},
		{"div", func(v in) *autograd.Var { return autograd.Div(v[0], v[1]) }, []*tensor.Tensor{tensor.Randn(rng, 2, 3), pos(2, 3)}},
		{"scale", func(v in) *autograd.Var { return autograd.Scale(v[0], -2.5) }, []*tensor.Tensor{tensor.Randn(rng, 5)}},
		{"neg+add scalar", func(v in) *autograd.Var { return autograd.AddScalar(autograd.Neg(v[0]), 3) }, []*tensor.Tensor{tensor.Randn(rng, 5)}},
		{"matmul", func(v in) *autograd.Var { return autograd.MatMul(v[0], v[1]) }, []*tensor.Tensor{tensor.Randn(rng, 3, 4), tensor.Randn(rng, 4, 2)}},
		{"matmul batched", func(v in) *autograd.Var { return autograd.MatMul(v[0], v[1]) }, []*tensor.Tensor{tensor.Randn(rng, 2, 3, 4), tensor.Randn(rng, 2, 4, 2)}},
		{"matmul shared", func(v in) *autograd.Var { return autograd.MatMul(v[0], v[1]) }, []*tensor.Tensor{tensor.Randn(rng, 2, 3, 4), tensor.Randn(rng, 4, 2)}},
		{"linear", func(v in) *autograd.Var { return autograd.Linear(v[0], v[1], v[2]) }, []*tensor.Tensor{tensor.Randn(rng, 5, 3), tensor.Randn(rng, 2, 3), tensor.Randn(rng, 2)}},
		{"linear no bias", func(v in) *autograd.Var { return autograd.Linear(v[0], v[1], nil) }, []*tensor.Tensor{tensor.Randn(rng, 5, 3), tensor.Randn(rng, 2, 3)}},
		{"sum", func(v in) *autograd.Var { return autograd.Sum(v[0]) }, []*tensor.Tensor{tensor.Randn(rng, 2, 3)}},
		{"mean", func(v in) *autograd.Var { return autograd.Mean(v[0]) }, []*tensor.Tensor{tensor.Randn(rng, 2, 3)}},
		{"sum axis 0", func(v in) *autograd.Var { return autograd.SumAxis(v[0], 0) }, []*tensor.Tensor{tensor.Randn(rng, 2, 3, 2)}},
		{"mean axis -1", func(v in) *autograd.Var { return autograd.MeanAxis(v[0], -1) }, []*tensor.Tensor{tensor.Randn(rng, 2, 3)}},
		{"max axis", func(v in) *autograd.Var { return autograd.MaxAxis(v[0], 1) }, []*tensor.Tensor{tensor.Randn(rng, 3, 4)}},
		{"reshape", func(v in) *autograd.Var { return autograd.Mul(autograd.Reshape(v[0], 3, 2), v[1]) }, []*tensor.Tensor{tensor.Randn(rng, 2, 3), tensor.Randn(rng, 3, 2)}},
		{"transpose", func(v in) *autograd.Var { return autograd.Transpose(v[0]) }, []*tensor.Tensor{tensor.Randn(rng, 2, 3)}},
		{"slice", func(v in) *autograd.Var { return autograd.Slice(v[0], 1, 1, 3) }, []*tensor.Tensor{tensor.Randn(rng, 2, 4)}},
		{"concat", func(v in) *autograd.Var { return autograd.Concat(0, v[0], v[1]) }, []*tensor.Tensor{tensor.Randn(rng, 2, 3), tensor.Randn(rng, 1, 3)}},
		{"exp", func(v in) *autograd.Var { return autograd.Exp(v[0]) }, []*tensor.Tensor{tensor.Randn(rng, 4)}},
		{"log", func(v in) *autograd.Var { return autograd.Log(v[0]) }, []*tensor.Tensor{pos(4)}},
		{"abs", func(v in) *autograd.Var { return autograd.Abs(v[0]) }, []*tensor.Tensor{awayFromKinks(rng, 6)}},
		{"square", func(v in) *autograd.Var { return autograd.Square(v[0]) }, []*tensor.Tensor{tensor.Randn(rng, 4)}},
		{"sqrt", func(v in) *autograd.Var { return autograd.Sqrt(v[0]) }, []*tensor.Tensor{pos(4)}},
		{"tanh", func(v in) *autograd.Var { return autograd.Tanh(v[0]) }, []*tensor.Tensor{tensor.Randn(rng, 4)}},
		{"sigmoid", func(v in) *autograd.Var { return autograd.Sigmoid(v[0]) }, []*tensor.Tensor{tensor.Randn(rng, 4)}},
		{"relu", func(v in) *autograd.Var { return autograd.ReLU(v[0]) }, []*tensor.Tensor{awayFromKinks(rng, 8)}},
		{"softmax", func(v in) *autograd.Var { return autograd.Softmax(v[0], 1) }, []*tensor.Tensor{tensor.Randn(rng, 3, 4)}},
		{"softmax axis 0", func(v in) *autograd.Var { return autograd.Softmax(v[0], 0) }, []*tensor.Tensor{tensor.Randn(rng, 3, 4)}},
		{"log softmax", func(v in) *autograd.Var { return autograd.LogSoftmax(v[0], -1) }, []*tensor.Tensor{tensor.Randn(rng, 3, 4)}},
		{"composite", func(v in) *autograd.Var {
			h := autograd.ReLU(autograd.Linear(v[0], v[1], v[2]))
			return autograd.Mean(autograd.Square(autograd.Sub(h, v[0])))
		}, []*tensor.Tensor{awayFromKinks(rng, 4, 3), tensor.Randn(rng, 3, 3), tensor.Randn(rng, 3)}},
	}
	for _, c := range cases {
		if err := gradtest.Check(c.f, c.inputs, gradtest.Options{Seed: 1}); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestGradtestCatchesWrongGradient(t *testing.T) {
	// A deliberately wrong backward (2× the true derivative of x²/2) must fail.
	wrong := func(v []*autograd.Var) *autograd.Var {
		x := v[0]
		y := tensor.Map(x.Value, func(a float32) float32 { return a * a / 2 })
		return autograd.New("wrong", y, func(g *tensor.Tensor) {
			x.AccumulateGrad(tensor.Mul(g, tensor.Scale(x.Value, 2)))
		}, x)
	}
	if err := gradtest.Check(wrong, []*tensor.Tensor{tensor.FromSlice([]float32{1, -2, 3}, 3)}, gradtest.Options{}); err == nil {
		t.Fatal("gradtest accepted a wrong gradient")
	}
}

func TestGradientAccumulatesOverUses(t *testing.T) {
	x := autograd.Param(tensor.FromSlice([]float32{3}, 1))
	// y = x·x + x uses x three times: dy/dx = 2x + 1 = 7.
	y := autograd.Sum(autograd.Add(autograd.Mul(x, x), x))
	y.Backward()
	if got := x.Grad.Data()[0]; got != 7 {
		t.Fatalf("dy/dx: got %v, want 7", got)
	}
	// Leaf gradients accumulate across Backward calls, as in PyTorch...
	y.Backward()
	if got := x.Grad.Data()[0]; got != 14 {
		t.Fatalf("after second backward: got %v, want 14", got)
	}
	// ...until ZeroGrad.
	x.ZeroGrad()
	y.Backward()
	if got := x.Grad.Data()[0]; got != 7 {
		t.Fatalf("after ZeroGrad and backward: got %v, want 7", got)
	}
}

// TestDropGrad checks that a dropped gradient reads as none, that every
// way of starting a new one reuses its storage, and that only
// GradForWrite hands it over without clearing it.
func TestDropGrad(t *testing.T) {
	x := autograd.Param(tensor.FromSlice([]float32{3, 4}, 2))
	y := autograd.Sum(autograd.Mul(x, x))
	y.Backward()
	storage := &x.Grad.Data()[0]

	x.DropGrad()
	if x.Grad != nil {
		t.Fatalf("after DropGrad: gradient %v, want none", x.Grad)
	}
	x.ZeroGrad() // nothing to clear
	y.Backward()
	if got := x.Grad.Data(); got[0] != 6 || got[1] != 8 || &got[0] != storage {
		t.Fatalf("backward after DropGrad: %v (same storage %v), want [6 8] in the old storage", got, &got[0] == storage)
	}

	x.DropGrad()
	if g := x.GradData(); g[0] != 0 || g[1] != 0 || &g[0] != storage {
		t.Fatalf("GradData after DropGrad: %v, want zeros in the old storage", g)
	}

	g, add := x.GradForWrite()
	if !add || g[0] != 0 {
		t.Fatalf("GradForWrite on a live gradient: %v, add %v; want the zeros and add", g, add)
	}
	g[0], g[1] = 1, 2
	x.DropGrad()
	g, add = x.GradForWrite()
	if add || &g[0] != storage || g[0] != 1 || g[1] != 2 {
		t.Fatalf("GradForWrite after DropGrad: %v, add %v; want the old storage as it was, to overwrite", g, add)
	}

	fresh := autograd.Param(tensor.FromSlice([]float32{1}, 1))
	if g, add := fresh.GradForWrite(); add || len(g) != 1 || g[0] != 0 {
		t.Fatalf("GradForWrite with no gradient yet: %v, add %v; want one zero, to overwrite", g, add)
	}
}

func TestDetachAndConsts(t *testing.T) {
	x := autograd.Param(tensor.FromSlice([]float32{2}, 1))
	d := x.Detach()
	if d.RequiresGrad() || !d.IsLeaf() {
		t.Fatal("Detach: result requires grad or is not a leaf")
	}
	y := autograd.Sum(autograd.Mul(x, d)) // d is a constant 2: dy/dx = 2
	y.Backward()
	if got := x.Grad.Data()[0]; got != 2 {
		t.Fatalf("through detach: got %v, want 2", got)
	}
	// Operations on Consts record nothing, while x goes on recording.
	z := autograd.Mul(d, d)
	if z.RequiresGrad() || !z.IsLeaf() {
		t.Fatal("an operation on Consts recorded a graph")
	}
	if z.Value.Data()[0] != 4 {
		t.Fatalf("value on Consts: got %v, want 4", z.Value.Data()[0])
	}
	if w := autograd.Mul(x, d); !w.RequiresGrad() || w.IsLeaf() {
		t.Fatal("an operation on a Param recorded no graph")
	}
}

func TestBackwardOnlyFromScalar(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("Backward on a [2] output did not panic")
		}
	}()
	autograd.Mul(autograd.Param(tensor.Ones(2)), autograd.Param(tensor.Ones(2))).Backward()
}

func TestDeepGraph(t *testing.T) {
	// 100000 chained operations must not overflow the stack.
	x := autograd.Param(tensor.FromSlice([]float32{1}, 1))
	y := x
	for i := 0; i < 100000; i++ {
		y = autograd.AddScalar(y, 0)
	}
	autograd.Sum(y).Backward()
	if got := x.Grad.Data()[0]; got != 1 {
		t.Fatalf("got %v, want 1", got)
	}
}

func TestReLUDerivativeAtZero(t *testing.T) {
	x := autograd.Param(tensor.FromSlice([]float32{-1, 0, 1}, 3))
	autograd.Sum(autograd.ReLU(x)).Backward()
	want := []float32{0, 0, 1}
	for i, g := range x.Grad.Data() {
		if g != want[i] {
			t.Fatalf("ReLU'(%v): got %v, want %v", x.Value.Data()[i], g, want[i])
		}
	}
}

func TestSigmoidFinite(t *testing.T) {
	x := autograd.Param(tensor.FromSlice([]float32{-1e4, -100, 100, 1e4}, 4))
	y := autograd.Sigmoid(x)
	autograd.Sum(y).Backward()
	for i, v := range append(y.Value.Data(), x.Grad.Data()...) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("element %d: %v", i, v)
		}
	}
}
