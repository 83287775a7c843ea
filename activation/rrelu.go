package activation

import (
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// RandomizedReLU returns x for x > 0 and a·x otherwise. In training each
// element with x ≤ 0 draws its own slope a ~ U(lower, upper) from rng, and
// the backward pass uses the same slopes; in evaluation a is the mean
// (lower+upper)/2 and rng is not used. It panics if lower > upper, or if
// training with a nil rng.
func RandomizedReLU(x *autograd.Var, lower, upper float64, training bool, rng *tensor.RNG) *autograd.Var {
	if !(lower <= upper) {
		panic(fmt.Sprintf("activation: RandomizedReLU: lower (%g) must not exceed upper (%g)", lower, upper))
	}
	if !training {
		return LeakyReLU(x, (lower+upper)/2)
	}
	if rng == nil {
		panic("activation: RandomizedReLU: training needs a random number generator")
	}
	xd := x.Value.Data()
	out := tensor.Zeros(x.Value.Shape()...)
	od := out.Data()
	// noise holds each element's gradient factor: 1 where x > 0, the
	// drawn slope elsewhere (PyTorch's noise tensor).
	noise := make([]float32, len(xd))
	for i, v := range xd {
		if v > 0 {
			od[i], noise[i] = v, 1
			continue
		}
		a := float32(rng.Uniform(lower, upper))
		od[i], noise[i] = v*a, a
	}
	return autograd.New("rrelu", out, func(g *tensor.Tensor) {
		gd, dst := g.Data(), x.GradData()
		for i, a := range noise {
			dst[i] += a * gd[i]
		}
	}, x)
}

// RReLU is the randomized leaky ReLU layer, PyTorch's nn.RReLU:
// y = x for x > 0 and y = a·x otherwise, with a ~ U(Lower, Upper) drawn
// per element from the mode's RNG in training and a = (Lower+Upper)/2 in
// evaluation. The output has the input's shape.
type RReLU struct {
	// Lower and Upper bound the random slopes.
	Lower, Upper float64
}

// NewRReLU returns an RReLU layer (PyTorch's defaults are lower = 1/8 and
// upper = 1/3). It panics if lower > upper.
func NewRReLU(lower, upper float64) *RReLU {
	if !(lower <= upper) {
		panic(fmt.Sprintf("activation: NewRReLU: lower (%g) must not exceed upper (%g)", lower, upper))
	}
	return &RReLU{Lower: lower, Upper: upper}
}

// Forward applies RandomizedReLU in mode m.
func (r *RReLU) Forward(x *autograd.Var, m nn.Mode) *autograd.Var {
	return RandomizedReLU(x, r.Lower, r.Upper, m.Train, m.RNG)
}

// Name returns "rrelu".
func (r *RReLU) Name() string { return "rrelu" }

// Config returns lower and upper.
func (r *RReLU) Config() map[string]any {
	return map[string]any{"lower": r.Lower, "upper": r.Upper}
}
