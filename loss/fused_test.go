package loss

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestValueGradMatchesCompute checks that the fused path gives the very
// bits of the graph path, and allocates nothing once warm.
func TestValueGradMatchesCompute(t *testing.T) {
	rng := tensor.NewRNG(1)
	pred := tensor.Randn(rng, 6, 4)
	cases := []struct {
		name   string
		params map[string]any
		target Target
	}{
		{"mse", nil, Target{Values: tensor.Randn(rng, 6, 4)}},
		{"mse", map[string]any{"reduction": "sum"}, Target{Values: tensor.Randn(rng, 6, 4)}},
		{"cross_entropy", nil, Target{Classes: []int{0, 3, 2, 1, 1, 0}}},
		{"cross_entropy", map[string]any{"label_smoothing": 0.1, "reduction": "sum"}, Target{Classes: []int{0, 3, 2, 1, 1, 0}}},
	}
	for _, c := range cases {
		l, err := New(c.name, c.params)
		if err != nil {
			t.Fatal(err)
		}
		x := autograd.Param(pred.Clone())
		v := l.Compute(x, c.target)
		v.Backward()
		grad := make([]float32, pred.Len())
		got, ok := l.(Fused).ValueGrad(pred, c.target, grad)
		if !ok {
			t.Fatalf("%s %v: not fused", c.name, c.params)
		}
		if math.Float32bits(got) != math.Float32bits(v.Value.Item()) {
			t.Errorf("%s %v: value %v, graph gives %v", c.name, c.params, got, v.Value.Item())
		}
		for i, g := range grad {
			if math.Float32bits(g) != math.Float32bits(x.Grad.Data()[i]) {
				t.Fatalf("%s %v: grad[%d] %v, graph gives %v", c.name, c.params, i, g, x.Grad.Data()[i])
			}
		}
		if a := testing.AllocsPerRun(10, func() { l.(Fused).ValueGrad(pred, c.target, grad) }); a != 0 {
			t.Errorf("%s: %v allocations per call, want 0", c.name, a)
		}
	}
	l, _ := New("l1", nil)
	if _, ok := l.(Fused).ValueGrad(pred, Target{Values: pred}, make([]float32, pred.Len())); ok {
		t.Error("l1 claims to be fused")
	}
}
