package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Linear is the affine layer y = xWᵀ + b. Input [N, In], output [N, Out];
// Weight is [Out, In] and Bias is [Out] (or nil), PyTorch's layout.
type Linear struct {
	In, Out int
	Weight  *autograd.Var
	Bias    *autograd.Var
}

// NewLinear returns a Linear layer initialised as torch.nn.Linear is:
// weights from kaiming_uniform(a = √5), which is U(±1/√in), and biases from
// U(±1/√in). It panics if a size is not positive.
func NewLinear(in, out int, bias bool, rng *tensor.RNG) *Linear {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("nn: NewLinear: sizes must be positive, got in=%d out=%d", in, out))
	}
	l := &Linear{In: in, Out: out, Weight: autograd.Param(tensor.Zeros(out, in))}
	KaimingUniform(l.Weight.Value, rng, math.Sqrt(5), FanIn, "leaky_relu")
	if bias {
		l.Bias = autograd.Param(tensor.Zeros(out))
		bound := 1 / math.Sqrt(float64(in))
		Uniform(l.Bias.Value, rng, -bound, bound)
	}
	return l
}

// Forward returns xWᵀ + b.
func (l *Linear) Forward(x *autograd.Var) *autograd.Var { return autograd.Linear(x, l.Weight, l.Bias) }

// Params returns "weight" and, if present, "bias".
func (l *Linear) Params() []Param {
	ps := []Param{{Name: "weight", Var: l.Weight}}
	if l.Bias != nil {
		ps = append(ps, Param{Name: "bias", Var: l.Bias})
	}
	return ps
}

// Flatten reshapes [N, d1, d2, …] to [N, d1·d2·…], as torch.nn.Flatten.
type Flatten struct{}

// Forward flattens every dimension after the first.
func (Flatten) Forward(x *autograd.Var) *autograd.Var {
	s := x.Value.Shape()
	if len(s) <= 2 {
		return x
	}
	return autograd.Reshape(x, s[0], -1)
}
