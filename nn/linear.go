package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Linear is the affine layer y = xWᵀ + b, PyTorch's nn.Linear. It acts on
// the last dimension: input [N, …, In], output [N, …, Out]. Weight is
// [Out, In] and Bias is [Out] (or nil), PyTorch's layout.
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
func (l *Linear) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(l, x, m) }

// Describe returns "linear" with out_features and bias.
func (l *Linear) Describe() Desc {
	return Desc{Op: "linear", Config: map[string]any{"out_features": l.Out, "bias": l.Bias != nil}}
}

// OutShape replaces the last dimension, which must be In, by Out.
func (l *Linear) OutShape(in []int) ([]int, error) {
	if len(in) == 0 || in[len(in)-1] != l.In {
		return nil, fmt.Errorf("linear: want input [..., %d], got %v", l.In, in)
	}
	out := append([]int(nil), in...)
	out[len(out)-1] = l.Out
	return out, nil
}

// Params returns "weight" and, if present, "bias".
func (l *Linear) Params() []Param {
	ps := []Param{{Name: "weight", Var: l.Weight}}
	if l.Bias != nil {
		ps = append(ps, Param{Name: "bias", Var: l.Bias})
	}
	return ps
}

// Fuse returns the kernel: one matrix product over every row of every
// sample.
func (l *Linear) Fuse(in []int, rows int) Kernel {
	if _, err := l.OutShape(in); err != nil {
		return nil
	}
	return linearKernel{l, Size(in) / l.In}
}

// linearKernel treats each sample as per rows of In features.
type linearKernel struct {
	l   *Linear
	per int
}

func (k linearKernel) Forward(y, x []float32, n int, _ Mode) {
	project(y, x, k.l.Weight, k.l.Bias, n*k.per, k.l.In, k.l.Out)
}

func (k linearKernel) Backward(dx, dy, x, _ []float32, n int) {
	projectBack(dx, dy, x, k.l.Weight, k.l.Bias, n*k.per, k.l.In, k.l.Out, true)
}

func init() {
	Register("linear", "out_features", func(o Options, in []int, rng *tensor.RNG) (Layer, error) {
		if err := o.Allow("out_features", "bias"); err != nil {
			return nil, err
		}
		out, err := o.Positive("out_features")
		if err != nil {
			return nil, err
		}
		bias, err := o.Bool("bias", true)
		if err != nil {
			return nil, err
		}
		if len(in) == 0 {
			return nil, fmt.Errorf("linear: want an input with at least one dimension")
		}
		width := in[len(in)-1]
		if err := checkParams("inputs × outputs:", width, out); err != nil {
			return nil, err
		}
		return NewLinear(width, out, bias, rng), nil
	})
}
