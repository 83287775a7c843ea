package activation

import (
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// ParametricReLU returns x for x > 0 and w·x otherwise, where weight holds
// either one slope shared by every element or one slope per channel. The
// channel axis is axis 1 of x (a 0-D or 1-D x has a single channel), as in
// PyTorch's prelu. The weight gradient of a channel is the sum of x·dy over
// its elements with x ≤ 0. ParametricReLU panics if weight has neither 1
// element nor one per channel.
func ParametricReLU(x, weight *autograd.Var) *autograd.Var {
	shape := x.Value.Shape()
	channels, inner := 1, 1
	if len(shape) > 1 {
		channels = shape[1]
		for _, d := range shape[2:] {
			inner *= d
		}
	}
	nw := weight.Value.Len()
	if nw != 1 && nw != channels {
		panic(&tensor.ShapeError{Op: "activation.ParametricReLU", Detail: fmt.Sprintf("%d slopes for %d channels: input and weight", nw, channels), Shapes: [][]int{shape, weight.Value.Shape()}})
	}
	// channelOf maps a flat index to its slope.
	channelOf := func(i int) int { return 0 }
	if nw > 1 {
		channelOf = func(i int) int { return (i / inner) % channels }
	}
	xd, wd := x.Value.Data(), weight.Value.Data()
	out := tensor.Zeros(shape...)
	od := out.Data()
	for i, v := range xd {
		if v > 0 {
			od[i] = v
		} else {
			od[i] = wd[channelOf(i)] * v
		}
	}
	return autograd.New("prelu", out, func(g *tensor.Tensor) {
		gd := g.Data()
		if x.RequiresGrad() {
			dst := x.GradData()
			for i, v := range xd {
				if v > 0 {
					dst[i] += gd[i]
				} else {
					dst[i] += wd[channelOf(i)] * gd[i]
				}
			}
		}
		if weight.RequiresGrad() {
			// Sums run in float64: a channel may collect many terms.
			acc := make([]float64, nw)
			for i, v := range xd {
				if v <= 0 {
					acc[channelOf(i)] += float64(v) * float64(gd[i])
				}
			}
			dst := weight.GradData()
			for c, s := range acc {
				dst[c] += float32(s)
			}
		}
	}, x, weight)
}

// PReLU is the layer form of ParametricReLU, PyTorch's nn.PReLU:
// y = x for x > 0 and y = a·x otherwise, with a learnable slope a, either
// one shared slope or one per channel (axis 1 of the input). The output
// has the input's shape; inputs are [N, C, …] (or any shape with a shared
// slope).
type PReLU struct {
	// Weight holds the slopes, shape [num_parameters].
	Weight *autograd.Var
	init   float64
}

// NewPReLU returns a PReLU with numParameters slopes (1, or the number of
// channels of its input), each starting at init (PyTorch's defaults are 1
// and 0.25). It panics if numParameters < 1.
func NewPReLU(numParameters int, init float64) *PReLU {
	if numParameters < 1 {
		panic(fmt.Sprintf("activation: NewPReLU: num_parameters must be at least 1, got %d", numParameters))
	}
	return &PReLU{Weight: autograd.Param(tensor.Full(float32(init), numParameters)), init: init}
}

// Forward returns ParametricReLU(x, p.Weight).
func (p *PReLU) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return ParametricReLU(x, p.Weight) }

// Params returns the slopes under PyTorch's name "weight".
func (p *PReLU) Params() []nn.Param { return []nn.Param{{Name: "weight", Var: p.Weight}} }

// Name returns "prelu".
func (p *PReLU) Name() string { return "prelu" }

// Config returns num_parameters and the initial slope init; the trained
// slopes themselves are parameters, not configuration.
func (p *PReLU) Config() map[string]any {
	return map[string]any{"num_parameters": p.Weight.Value.Len(), "init": p.init}
}
