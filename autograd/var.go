package autograd

import (
	"fmt"

	"github.com/bigfunc/bigfunc/tensor"
)

// Var is a node of the computation graph: a value, the gradient of the last
// backward pass with respect to it, and how to pass that gradient on to the
// Vars it was computed from.
type Var struct {
	// Value is the result of the forward computation.
	Value *tensor.Tensor
	// Grad is ∂loss/∂Value after Backward, nil before. For leaves it
	// accumulates over Backward calls until ZeroGrad (or DropGrad).
	Grad *tensor.Tensor
	// spare is the storage of a gradient DropGrad set to nil, kept for
	// the next gradient of v.
	spare *tensor.Tensor

	requiresGrad bool
	op           string
	parents      []*Var
	backward     func(grad *tensor.Tensor)
}

// Param returns a leaf Var that requires a gradient: a trainable parameter.
func Param(t *tensor.Tensor) *Var { return &Var{Value: t, requiresGrad: true, op: "param"} }

// Const returns a leaf Var that needs no gradient: input data or a target.
func Const(t *tensor.Tensor) *Var { return &Var{Value: t, op: "const"} }

// RequiresGrad reports whether gradients flow to v.
func (v *Var) RequiresGrad() bool { return v.requiresGrad }

// SetRequiresGrad switches gradient tracking of a leaf on or off (freezing a
// parameter, for example). It panics on a non-leaf Var.
func (v *Var) SetRequiresGrad(on bool) {
	if v.parents != nil {
		panic("autograd: SetRequiresGrad on a non-leaf Var (" + v.op + ")")
	}
	v.requiresGrad = on
}

// Op returns the name of the operation that produced v ("param" and "const"
// for leaves).
func (v *Var) Op() string { return v.op }

// IsLeaf reports whether v was created directly rather than computed.
func (v *Var) IsLeaf() bool { return v.parents == nil }

// Detach returns a new leaf sharing v's value but cut from the graph and
// requiring no gradient.
func (v *Var) Detach() *Var { return Const(v.Value) }

// ZeroGrad clears v's gradient.
func (v *Var) ZeroGrad() {
	if v.Grad != nil {
		clear(v.Grad.Data())
	}
}

// DropGrad sets v's gradient to nil, as PyTorch's
// zero_grad(set_to_none=True) does, but keeps its storage for the next
// gradient of v: GradData and AccumulateGrad clear it and start from zero,
// while GradForWrite hands it over as it is to a writer that sets every
// element. A trainer that drops a large gradient instead of zeroing it
// saves a pass over its memory each step.
func (v *Var) DropGrad() {
	if v.Grad != nil {
		v.spare, v.Grad = v.Grad, nil
	}
}

// GradForWrite returns v's gradient storage for a writer that covers every
// element, and whether it must add to what is there: add is false when v
// had no gradient (none yet, or dropped by DropGrad), and the writer must
// then set every element, whatever the storage holds.
func (v *Var) GradForWrite() (g []float32, add bool) {
	if v.Grad != nil {
		return v.Grad.Data(), true
	}
	v.Grad = v.takeSpare(false)
	return v.Grad.Data(), false
}

// takeSpare returns storage for a new gradient of v: the spare one if
// DropGrad left one, cleared if zero is set, else a new zero tensor.
func (v *Var) takeSpare(zero bool) *tensor.Tensor {
	t := v.spare
	v.spare = nil
	if t == nil {
		return tensor.Zeros(v.Value.Shape()...)
	}
	if zero {
		clear(t.Data())
	}
	return t
}

// Shape returns the shape of v's value.
func (v *Var) Shape() []int { return v.Value.Shape() }

// String describes v by its operation and value.
func (v *Var) String() string { return fmt.Sprintf("Var(%s, %v)", v.op, v.Value) }

// New records the result of a custom operation. value is its result;
// backward receives ∂loss/∂value and must add (never assign) the gradient
// of each parent through AccumulateGrad. New is the extension point that
// packages such as activation and loss use for fused operations.
//
// If no parent requires a gradient, the result is a plain constant and
// backward is dropped: computing on Consts records nothing. That, not a
// switch, is how inference avoids building a graph, so it is safe in any
// number of goroutines at once.
func New(op string, value *tensor.Tensor, backward func(grad *tensor.Tensor), parents ...*Var) *Var {
	out := &Var{Value: value, op: op}
	for _, p := range parents {
		if p.requiresGrad {
			out.requiresGrad = true
			break
		}
	}
	if out.requiresGrad {
		out.parents = parents
		out.backward = backward
	}
	return out
}

// AccumulateGrad adds g into v's gradient, allocating it on first use. It
// does nothing if v requires no gradient, so backward functions can call it
// for every parent.
func (v *Var) AccumulateGrad(g *tensor.Tensor) {
	if !v.requiresGrad {
		return
	}
	if v.Grad == nil {
		v.Grad = v.takeSpare(true)
	}
	if v.Grad.Len() != g.Len() {
		panic(&tensor.ShapeError{Op: "AccumulateGrad(" + v.op + ")", Shapes: [][]int{v.Value.Shape(), g.Shape()}})
	}
	gd, vd := g.Data(), v.Grad.Data()
	for i := range vd {
		vd[i] += gd[i]
	}
}

// GradData returns v's gradient storage, starting a zero gradient first if
// there is none (reusing what DropGrad kept). Fused backward functions add
// into it directly.
func (v *Var) GradData() []float32 {
	if v.Grad == nil {
		v.Grad = v.takeSpare(true)
	}
	return v.Grad.Data()
}
