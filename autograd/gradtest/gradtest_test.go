package gradtest

import (
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

func TestCheckReportsTheBadElement(t *testing.T) {
	// Correct for element 0, wrong (zero) for element 1.
	f := func(in []*autograd.Var) *autograd.Var {
		x := in[0]
		return autograd.New("half_wrong", tensor.Scale(x.Value, 3), func(g *tensor.Tensor) {
			gd := x.GradData()
			gd[0] += 3 * g.Data()[0]
		}, x)
	}
	err := Check(f, []*tensor.Tensor{tensor.FromSlice([]float32{1, 2}, 2)}, Options{})
	if err == nil || !strings.Contains(err.Error(), "input 0 element 1") {
		t.Fatalf("got %v, want an error naming input 0 element 1", err)
	}
}

func TestCheckAcceptsCorrect(t *testing.T) {
	f := func(in []*autograd.Var) *autograd.Var { return autograd.Mul(in[0], in[1]) }
	rng := tensor.NewRNG(2)
	if err := Check(f, []*tensor.Tensor{tensor.Randn(rng, 3), tensor.Randn(rng, 3)}, Options{}); err != nil {
		t.Fatalf("got %v, want nil", err)
	}
}
