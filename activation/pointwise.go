package activation

import (
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// Pointwise is implemented by activations that map each element on its
// own. Fused training loops call these slice kernels directly on their
// reusable buffers; the autograd forms call the very same kernels, so both
// paths give bit-identical results.
type Pointwise = nn.Pointwise

// pointwiseVar records p applied to x as one autograd operation.
func pointwiseVar(x *autograd.Var, op string, p Pointwise) *autograd.Var {
	xd := x.Value.Data()
	out := tensor.Zeros(x.Value.Shape()...)
	od := out.Data()
	p.Apply(od, xd)
	return autograd.New(op, out, func(g *tensor.Tensor) {
		p.Backprop(x.GradData(), g.Data(), xd, od)
	}, x)
}

// Apply copies x to y.
func (*IdentityLayer) Apply(y, x []float32) { copy(y, x) }

// Backprop adds dy to dx.
func (*IdentityLayer) Backprop(dx, dy, _, _ []float32) {
	dy = dy[:len(dx)]
	for i := range dx {
		dx[i] += dy[i]
	}
}

// Apply writes max(x, 0).
func (*ReLULayer) Apply(y, x []float32) { kernel.ReLU(y, x) }

// Backprop passes dy where x > 0, so ReLU′(0) = 0.
func (*ReLULayer) Backprop(dx, dy, x, _ []float32) { kernel.ReLUBackward(dx, dy, x) }

// InPlace marks that ReLU may overwrite its input: max(x, 0) > 0 exactly
// where x > 0, all Backprop reads of x.
func (*ReLULayer) InPlace() {}

// Apply writes x for x > 0 and NegativeSlope·x otherwise.
func (l *LeakyReLULayer) Apply(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		if v > 0 {
			y[i] = v
		} else {
			y[i] = float32(float64(v) * l.NegativeSlope)
		}
	}
}

// Backprop passes dy for x > 0 and NegativeSlope·dy otherwise.
func (l *LeakyReLULayer) Backprop(dx, dy, x, _ []float32) {
	dy, x = dy[:len(dx)], x[:len(dx)]
	for i := range dx {
		if x[i] > 0 {
			dx[i] += dy[i]
		} else {
			dx[i] += float32(float64(dy[i]) * l.NegativeSlope)
		}
	}
}

// Apply writes σ(x), computed in float64 without overflow.
func (*SigmoidLayer) Apply(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		s, _ := sigmoidPair(float64(v))
		y[i] = float32(s)
	}
}

// Backprop adds dy·y(1 − y).
func (*SigmoidLayer) Backprop(dx, dy, _, y []float32) {
	dy, y = dy[:len(dx)], y[:len(dx)]
	for i := range dx {
		v := float64(y[i])
		dx[i] += float32(float64(dy[i]) * v * (1 - v))
	}
}

// Apply writes tanh(x).
func (*TanhLayer) Apply(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = float32(math.Tanh(float64(v)))
	}
}

// Backprop adds dy·(1 − y²).
func (*TanhLayer) Backprop(dx, dy, _, y []float32) {
	dy, y = dy[:len(dx)], y[:len(dx)]
	for i := range dx {
		v := float64(y[i])
		dx[i] += float32(float64(dy[i]) * (1 - v*v))
	}
}

// Apply writes x·Φ(x), exactly or in the tanh form.
func (l *GELULayer) Apply(y, x []float32) {
	y = y[:len(x)]
	if l.Approximate == GELUTanh {
		// ½(1 + tanh u) = σ(2u), which stays accurate where tanh u ≈ −1.
		for i, v := range x {
			v := float64(v)
			s, _ := sigmoidPair(2 * geluTanhBeta * (v + geluTanhK*v*v*v))
			y[i] = float32(v * s)
		}
		return
	}
	// PyTorch's own float32 computation, so that the bits agree.
	kernel.GELU(y, x)
}

// Backprop adds dy·GELU′(x).
func (l *GELULayer) Backprop(dx, dy, x, _ []float32) {
	dy, x = dy[:len(dx)], x[:len(dx)]
	if l.Approximate == GELUTanh {
		for i := range dx {
			dx[i] += dy[i] * geluTanhGrad32(x[i])
		}
		return
	}
	kernel.GELUGradAdd(dx, dy, x)
}
