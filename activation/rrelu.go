package activation

import (
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
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
// per element in training and a = (Lower+Upper)/2 in evaluation. The
// output has the input's shape. Like every PyTorch module it starts in
// training mode.
type RReLU struct {
	// Lower and Upper bound the random slopes.
	Lower, Upper float64

	rng      *tensor.RNG
	training bool
}

// NewRReLU returns an RReLU layer in training mode that draws its slopes
// from rng (PyTorch's defaults are lower = 1/8 and upper = 1/3). It panics
// if lower > upper or rng is nil.
func NewRReLU(lower, upper float64, rng *tensor.RNG) *RReLU {
	if !(lower <= upper) {
		panic(fmt.Sprintf("activation: NewRReLU: lower (%g) must not exceed upper (%g)", lower, upper))
	}
	if rng == nil {
		panic("activation: NewRReLU: rng is nil")
	}
	return &RReLU{Lower: lower, Upper: upper, rng: rng, training: true}
}

// Forward applies RandomizedReLU in the layer's current mode.
func (r *RReLU) Forward(x *autograd.Var) *autograd.Var {
	return RandomizedReLU(x, r.Lower, r.Upper, r.training, r.rng)
}

// SetTraining switches between random slopes (training) and the mean slope
// (evaluation).
func (r *RReLU) SetTraining(training bool) { r.training = training }

// Training reports whether the layer draws random slopes.
func (r *RReLU) Training() bool { return r.training }

// Name returns "rrelu".
func (r *RReLU) Name() string { return "rrelu" }

// Config returns lower and upper.
func (r *RReLU) Config() map[string]any {
	return map[string]any{"lower": r.Lower, "upper": r.Upper}
}
