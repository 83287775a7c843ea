package nn_test

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

func TestLinearInitBounds(t *testing.T) {
	l := nn.NewLinear(16, 8, true, tensor.NewRNG(1))
	bound := float32(1 / math.Sqrt(16))
	var maxAbs float32
	for _, v := range append(l.Weight.Value.Data(), l.Bias.Value.Data()...) {
		if v < -bound || v >= bound {
			t.Fatalf("init value %v outside U(±%v)", v, bound)
		}
		maxAbs = max(maxAbs, float32(math.Abs(float64(v))))
	}
	if maxAbs < bound/2 {
		t.Fatalf("init values suspiciously small: max |w| %v for bound %v", maxAbs, bound)
	}
	if s := l.Weight.Value.Shape(); s[0] != 8 || s[1] != 16 {
		t.Fatalf("weight shape: got %v, want [8 16]", s)
	}
}

func TestSequentialStateDictNames(t *testing.T) {
	rng := tensor.NewRNG(1)
	relu := &activation.ReLULayer{}
	s := nn.NewSequential(nn.NewLinear(4, 6, true, rng), relu, nn.NewLinear(6, 3, false, rng),
		&nn.Residual{F: nn.NewLinear(3, 3, true, rng)})
	var names []string
	for _, p := range s.Params() {
		names = append(names, p.Name)
	}
	// A residual body is numbered even when it is one layer, as the spec
	// builds it and as torch.nn.Sequential inside a block names it.
	want := []string{"0.weight", "0.bias", "2.weight", "3.f.0.weight", "3.f.0.bias"}
	if len(names) != len(want) {
		t.Fatalf("got %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("got %v, want %v", names, want)
		}
	}
	y := s.Forward(autograd.Const(tensor.Randn(rng, 5, 4)), nn.Eval)
	if sh := y.Value.Shape(); sh[0] != 5 || sh[1] != 3 {
		t.Fatalf("output shape: got %v, want [5 3]", sh)
	}
}

func TestResidualGradient(t *testing.T) {
	rng := tensor.NewRNG(2)
	err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
		r := &nn.Residual{F: &activation.TanhLayer{}}
		return r.Forward(in[0], nn.Eval)
	}, []*tensor.Tensor{tensor.Randn(rng, 3, 2)}, gradtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDropout(t *testing.T) {
	rng := tensor.NewRNG(3)
	d := nn.NewDropout(0.25)
	x := autograd.Param(tensor.Ones(100000))
	y := d.Forward(x, nn.Train(rng))
	zeros, sum := 0, float64(0)
	for _, v := range y.Value.Data() {
		if v == 0 {
			zeros++
		} else if math.Abs(float64(v)-1/0.75) > 1e-6 {
			t.Fatalf("survivor scaled to %v, want %v", v, 1/0.75)
		}
		sum += float64(v)
	}
	if frac := float64(zeros) / 100000; math.Abs(frac-0.25) > 0.01 {
		t.Fatalf("dropped fraction %v, want 0.25", frac)
	}
	if mean := sum / 100000; math.Abs(mean-1) > 0.01 {
		t.Fatalf("mean after dropout %v, want 1", mean)
	}
	autograd.Sum(y).Backward()
	for i, g := range x.Grad.Data() {
		if g != y.Value.Data()[i] {
			t.Fatalf("gradient %d: got %v, want the mask value %v", i, g, y.Value.Data()[i])
		}
	}
	if e := d.Forward(x, nn.Eval); e != x {
		t.Fatal("dropout in evaluation mode is not the identity")
	}
	if all := nn.NewDropout(1).Forward(x, nn.Train(rng)); tensor.MaxAll(all.Value).Item() != 0 {
		t.Fatal("p = 1 kept some elements")
	}
}

func TestInitSchemes(t *testing.T) {
	rng := tensor.NewRNG(4)
	w := tensor.Zeros(400, 300)
	stats := func() (mean, std, maxAbs float64) {
		var s, s2 float64
		for _, v := range w.Data() {
			s += float64(v)
			s2 += float64(v) * float64(v)
			maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
		}
		n := float64(w.Len())
		return s / n, math.Sqrt(s2/n - (s/n)*(s/n)), maxAbs
	}
	cases := []struct {
		name     string
		fill     func()
		std      float64
		maxBound float64 // 0: unbounded
	}{
		{"uniform", func() { nn.Uniform(w, rng, -2, 2) }, 4 / math.Sqrt(12), 2},
		{"normal", func() { nn.Normal(w, rng, 0, 0.5) }, 0.5, 0},
		{"xavier uniform", func() { nn.XavierUniform(w, rng, 1) }, math.Sqrt(2.0 / 700), math.Sqrt(6.0 / 700)},
		{"xavier normal", func() { nn.XavierNormal(w, rng, 2) }, 2 * math.Sqrt(2.0/700), 0},
		{"kaiming uniform", func() { nn.KaimingUniform(w, rng, 0, nn.FanIn, "relu") }, math.Sqrt(2.0 / 300), math.Sqrt(6.0 / 300)},
		{"kaiming normal fan out", func() { nn.KaimingNormal(w, rng, 0, nn.FanOut, "relu") }, math.Sqrt(2.0 / 400), 0},
	}
	for _, c := range cases {
		c.fill()
		mean, std, maxAbs := stats()
		if math.Abs(mean) > 0.02*c.std+1e-3 || math.Abs(std-c.std) > 0.02*c.std {
			t.Errorf("%s: got mean %.4g std %.4g, want 0 and %.4g", c.name, mean, std, c.std)
		}
		if c.maxBound > 0 && maxAbs > c.maxBound {
			t.Errorf("%s: value %.4g beyond bound %.4g", c.name, maxAbs, c.maxBound)
		}
	}
	nn.Constant(w, 0.5)
	nn.Ones(w)
	if w.Data()[7] != 1 {
		t.Error("Ones did not fill")
	}
	nn.Zeros(w)
	if tensor.MaxAll(w).Item() != 0 {
		t.Error("Zeros did not fill")
	}
	if g := nn.Gain("leaky_relu", math.Sqrt(5)); math.Abs(g-math.Sqrt(1.0/3)) > 1e-12 {
		t.Errorf("Gain(leaky_relu, √5): got %v, want √(1/3)", g)
	}
}

func TestFlatten(t *testing.T) {
	x := autograd.Param(tensor.Randn(tensor.NewRNG(1), 2, 3, 4))
	y := nn.Flatten{}.Forward(x, nn.Eval)
	if s := y.Value.Shape(); len(s) != 2 || s[0] != 2 || s[1] != 12 {
		t.Fatalf("got %v, want [2 12]", s)
	}
}

func TestSameSeedSameWeights(t *testing.T) {
	a := nn.NewLinear(5, 5, true, tensor.NewRNG(9))
	b := nn.NewLinear(5, 5, true, tensor.NewRNG(9))
	for i, v := range a.Weight.Value.Data() {
		if v != b.Weight.Value.Data()[i] {
			t.Fatalf("weight %d differs: %v vs %v", i, v, b.Weight.Value.Data()[i])
		}
	}
}
