package activation

import (
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// MaxoutOf groups the last axis of x into runs of pieces consecutive
// elements and keeps the maximum of each run: for x of shape [N, C·k] and
// pieces = k the result is [N, C], whose column j is the maximum of input
// columns j·k … j·k+k−1. Inputs of any rank ≥ 1 work the same way on their
// last axis. The gradient flows to the first maximal element of each run,
// as PyTorch's max(dim) does, and a NaN counts as the maximum. MaxoutOf
// panics if pieces < 1 or the last axis is not a multiple of pieces.
func MaxoutOf(x *autograd.Var, pieces int) *autograd.Var {
	shape := x.Value.Shape()
	if pieces < 1 {
		panic(fmt.Sprintf("activation: MaxoutOf: pieces must be at least 1, got %d", pieces))
	}
	if len(shape) == 0 || shape[len(shape)-1]%pieces != 0 {
		panic(&tensor.ShapeError{Op: "activation.MaxoutOf", Detail: fmt.Sprintf("last axis is not a multiple of pieces=%d in", pieces), Shapes: [][]int{shape}})
	}
	outShape := append([]int(nil), shape...)
	outShape[len(outShape)-1] /= pieces
	out := tensor.Zeros(outShape...)
	od, xd := out.Data(), x.Value.Data()
	arg := make([]int, len(od))
	for j := range od {
		base := j * pieces
		best, bi := xd[base], base
		for i := base + 1; i < base+pieces; i++ {
			// best == best is false only for NaN, which then stays put.
			if v := xd[i]; v > best || (v != v && best == best) {
				best, bi = v, i
			}
		}
		od[j], arg[j] = best, bi
	}
	return autograd.New("maxout", out, func(g *tensor.Tensor) {
		gd, dst := g.Data(), x.GradData()
		for j, i := range arg {
			dst[i] += gd[j]
		}
	}, x)
}

// Maxout is the maxout layer of Goodfellow et al. (2013), which PyTorch
// lacks: y[n, j] = max over i in [j·k, j·k+k) of x[n, i], with k = Pieces.
// An input of shape [N, C·k] gives an output of shape [N, C]; see MaxoutOf
// for other ranks and for the gradient convention.
type Maxout struct {
	// Pieces is k, the number of inputs per output; it must be at least 1.
	Pieces int
}

// Forward returns MaxoutOf(x, m.Pieces).
func (m *Maxout) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return MaxoutOf(x, m.Pieces) }

// Name returns "maxout".
func (m *Maxout) Name() string { return "maxout" }

// Config returns pieces.
func (m *Maxout) Config() map[string]any { return map[string]any{"pieces": m.Pieces} }
