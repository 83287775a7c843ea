package nn_test

import (
	"fmt"
	"testing"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// testNet has a layer of every kind nn has: Linear, pointwise and non-
// pointwise activations, Dropout, residual blocks with and without a
// projection shortcut, Flatten and Unflatten.
func testNet(rng *tensor.RNG) *nn.Sequential {
	return nn.NewSequential(
		nn.Flatten{},
		nn.NewLinear(6, 8, true, rng),
		&activation.TanhLayer{},
		nn.NewDropout(0.3),
		&nn.Residual{F: nn.NewSequential(nn.NewLinear(8, 8, true, rng), &activation.SigmoidLayer{})},
		&nn.Residual{F: nn.NewSequential(nn.NewLinear(8, 4, true, rng)), Shortcut: nn.NewLinear(8, 4, false, rng)},
		nn.Unflatten{Shape: []int{2, 2}},
		nn.NewLinear(2, 3, true, rng),
		nn.Flatten{},
	)
}

// TestKernelMatchesGraph checks that a network's kernels, the fused
// training path, compute exactly the bits of its graph form, forward and
// backward, dropout masks included.
func TestKernelMatchesGraph(t *testing.T) {
	net := testNet(tensor.NewRNG(1))
	in := []int{2, 3}
	const n = 5
	x := tensor.Randn(tensor.NewRNG(2), n, 2, 3)
	dy := tensor.Randn(tensor.NewRNG(3), n, 6)

	// Graph.
	xv := autograd.Param(x.Clone())
	y := net.Forward(xv, nn.Train(tensor.NewRNG(4)))
	y.BackwardWith(dy)
	var graphGrads [][]float32
	for _, p := range net.Params() {
		graphGrads = append(graphGrads, append([]float32(nil), p.Grad.Data()...))
		p.ZeroGrad()
	}

	// Kernels, on buffers for more rows than used.
	k := nn.Fuse(net, in, n+3)
	if k == nil {
		t.Fatal("Fuse: nil kernel for a network whose layers all have kernels")
	}
	out := make([]float32, (n+3)*6)
	k.Forward(out[:n*6], x.Data(), n, nn.Train(tensor.NewRNG(4)))
	dx := make([]float32, x.Len())
	k.Backward(dx, dy.Data(), x.Data(), out[:n*6], n)

	same := func(what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s[%d]: kernel %v, graph %v", what, i, got[i], want[i])
			}
		}
	}
	same("y", out, y.Value.Data())
	same("dx", dx, xv.Grad.Data())
	for i, p := range net.Params() {
		same(p.Name, p.Grad.Data(), graphGrads[i])
	}
}

// TestKernelsAfterDropGrad checks the kernels on gradients dropped rather
// than zeroed, as the trainer leaves them: stale values in the kept
// storage must not leak into the result, and a layer used twice must add
// its second gradient to its first. The reference is the same network
// with a copy of the shared layer in its second place, on gradients
// zeroed in place.
func TestKernelsAfterDropGrad(t *testing.T) {
	rng := tensor.NewRNG(11)
	first, last := nn.NewLinear(6, 8, true, rng), nn.NewLinear(8, 3, true, rng)
	shared := nn.NewLinear(8, 8, false, rng)
	twin := &nn.Linear{In: 8, Out: 8, Weight: autograd.Param(shared.Weight.Value.Clone())}
	const n = 4
	x := tensor.Randn(tensor.NewRNG(12), n, 6)
	dy := tensor.Randn(tensor.NewRNG(13), n, 3)

	ref := nn.NewSequential(first, &activation.TanhLayer{}, shared, &activation.TanhLayer{}, twin, last)
	params := []*autograd.Var{first.Weight, first.Bias, shared.Weight, last.Weight, last.Bias}
	for _, p := range append(params, twin.Weight) {
		p.GradData()
	}
	ref.Forward(autograd.Const(x), nn.Eval).BackwardWith(dy)
	var want [][]float32
	for _, p := range params {
		want = append(want, append([]float32(nil), p.Grad.Data()...))
	}
	for j, g := range twin.Weight.Grad.Data() {
		want[2][j] = g + want[2][j]
	}

	net := nn.NewSequential(first, &activation.TanhLayer{}, shared, &activation.TanhLayer{}, shared, last)
	for _, p := range params {
		// The dropped storage holds whatever the last step left there.
		for i := range p.Grad.Data() {
			p.Grad.Data()[i] = float32(i) + 0.5
		}
		p.DropGrad()
	}
	k := nn.Fuse(net, []int{6}, n)
	out := make([]float32, n*3)
	k.Forward(out, x.Data(), n, nn.Eval)
	k.Backward(nil, dy.Data(), x.Data(), out, n)
	for i, p := range params {
		got := p.GradData()
		for j := range want[i] {
			if got[j] != want[i][j] {
				t.Fatalf("parameter %d [%d]: kernel %v, want %v", i, j, got[j], want[i][j])
			}
		}
	}
}

func TestNetworkGradients(t *testing.T) {
	net := testNet(tensor.NewRNG(5))
	x := tensor.Randn(tensor.NewRNG(6), 4, 2, 3)
	err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
		return net.Forward(in[0], nn.Eval)
	}, []*tensor.Tensor{x}, gradtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLinearGradients checks all three gradients of Linear on inputs of
// two and three dimensions.
func TestLinearGradients(t *testing.T) {
	rng := tensor.NewRNG(9)
	for _, shape := range [][]int{{5, 3}, {2, 4, 3}} {
		err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
			l := &nn.Linear{In: 3, Out: 2, Weight: in[1], Bias: in[2]}
			return l.Forward(in[0], nn.Eval)
		}, []*tensor.Tensor{tensor.Randn(rng, shape...), tensor.Randn(rng, 2, 3), tensor.Randn(rng, 2)}, gradtest.Options{})
		if err != nil {
			t.Errorf("input %v: %v", shape, err)
		}
	}
}

// TestArchitectureRoundTrip builds a network back from its description and
// checks that it describes itself the same way and keeps the names and
// shapes of its parameters.
func TestArchitectureRoundTrip(t *testing.T) {
	net := testNet(tensor.NewRNG(7))
	desc := fmt.Sprint(nn.Architecture(net.Layers))
	shapes, err := net.Shapes([]int{2, 3})
	if err != nil {
		t.Fatal(err)
	}
	want := "[[2 3] [6] [8] [8] [8] [8] [4] [2 2] [2 3] [6]]"
	if got := fmt.Sprint(shapes); got != want {
		t.Errorf("Shapes: got %s, want %s", got, want)
	}
	for _, l := range net.Layers {
		d := l.Describe()
		if d.Op == "residual" || !nn.Registered(d.Op) {
			continue
		}
		in := []int{8}
		switch d.Op {
		case "unflatten":
			in = []int{4}
		case "flatten":
			in = []int{2, 3}
		}
		if d.Op == "linear" {
			in = []int{l.(*nn.Linear).In}
		}
		b, err := nn.Build(d.Op, nn.Options(d.Config), in, tensor.NewRNG(0))
		if err != nil {
			t.Fatalf("Build(%s, %v): %v", d.Op, d.Config, err)
		}
		if got, want := fmt.Sprint(b.Describe()), fmt.Sprint(d); got != want {
			t.Errorf("rebuilt %s describes itself as %s, want %s", d.Op, got, want)
		}
	}
	if desc == "" {
		t.Fatal("empty architecture")
	}
}

func TestOutShapeErrors(t *testing.T) {
	rng := tensor.NewRNG(8)
	cases := []struct {
		l    nn.Layer
		in   []int
		want string
	}{
		{nn.NewLinear(3, 2, true, rng), []int{4}, "linear: want input [..., 3], got [4]"},
		{nn.Unflatten{Shape: []int{2, 3}}, []int{5}, "unflatten: want input [6] (the product of [2 3]), got [5]"},
		{&nn.Residual{F: nn.NewLinear(3, 2, true, rng)}, []int{3}, "residual: the body must keep the shape [3], but ends with [2] (add a shortcut to project)"},
		{&nn.Residual{F: nn.NewLinear(3, 2, true, rng), Shortcut: nn.NewLinear(3, 4, true, rng)}, []int{3}, "residual: the body ends with [2] but the shortcut with [4]"},
	}
	for _, c := range cases {
		_, err := c.l.OutShape(c.in)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s.OutShape(%v): got error %v, want %q", c.l.Describe().Op, c.in, err, c.want)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	cases := []struct {
		op   string
		o    nn.Options
		in   []int
		want string
	}{
		{"linear", nn.Options{}, []int{3}, "out_features is required"},
		{"linear", nn.Options{"out_features": 0}, []int{3}, "out_features must be a positive integer, got 0"},
		{"linear", nn.Options{"out_features": 2.5}, []int{3}, "out_features: want an integer, got 2.5"},
		{"linear", nn.Options{"out_features": 2, "bais": true}, []int{3}, `unknown parameter "bais"; allowed: out_features, bias`},
		{"linear", nn.Options{"out_features": 1 << 20}, []int{1 << 10}, "more than the"},
		{"dropout", nn.Options{"p": 1.5}, []int{3}, "p must be in [0, 1], got 1.5"},
		{"unflatten", nn.Options{"shape": []any{2, 2}}, []int{3}, "unflatten: want input [4]"},
		{"unflatten", nn.Options{"shape": "2x2"}, []int{4}, "shape: want a list of positive integers"},
		{"nope", nn.Options{}, []int{3}, `unknown layer "nope"`},
	}
	for _, c := range cases {
		_, err := nn.Build(c.op, c.o, c.in, tensor.NewRNG(0))
		if err == nil || !contains(err.Error(), c.want) {
			t.Errorf("Build(%s, %v): got error %v, want it to contain %q", c.op, c.o, err, c.want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
