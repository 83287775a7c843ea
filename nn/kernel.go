package nn

import (
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Kernel is the buffer-reusing form of a layer's forward and backward pass
// for a fixed per-sample input shape: the training loop runs a network's
// kernels on buffers it keeps from step to step, so a warm step allocates
// nothing and records no graph. x and y hold n samples each, row-major.
type Kernel interface {
	// Forward writes the layer's output for the n samples of x into y.
	Forward(y, x []float32, n int, m Mode)
	// Backward adds ∂loss/∂x into dx (skipped when dx is nil) and each
	// trainable parameter's gradient into its Grad, given dy = ∂loss/∂y
	// and the x and y of the latest Forward, which it may not change.
	Backward(dx, dy, x, y []float32, n int)
}

// Fuser is implemented by layers that bring a Kernel.
type Fuser interface {
	// Fuse returns a kernel for batches of up to rows samples of the
	// per-sample shape in, or nil if the layer cannot run fused there.
	Fuse(in []int, rows int) Kernel
}

// Pointwise is implemented by layers that map each element on its own,
// such as most activations. Such a layer needs no Kernel of its own.
type Pointwise interface {
	// Apply writes f(x[i]) to y[i].
	Apply(y, x []float32)
	// Backprop adds dy[i]·f′(x[i]) to dx[i]; y holds f(x).
	Backprop(dx, dy, x, y []float32)
}

// InPlacer is implemented by Pointwise layers that may run in place:
// Apply works with y and x the same slice, and Backprop gives the same
// result when x has been overwritten by y (ReLU's Backprop reads only
// whether x > 0, which y = max(x, 0) tells as well). A chain of kernels
// then lets such a layer write over its input when the layer before it
// is OutputFree, and keeps one buffer fewer.
type InPlacer interface {
	Pointwise
	InPlace()
}

// OutputFree is implemented by kernels whose Backward never reads y, so
// that a following in-place layer may overwrite it.
type OutputFree interface {
	Kernel
	OutputFree()
}

// Fuse returns l's kernel for batches of up to rows samples of the
// per-sample shape in, or nil if l (or a layer inside it) only runs as a
// graph.
func Fuse(l Layer, in []int, rows int) Kernel {
	switch f := l.(type) {
	case Fuser:
		return f.Fuse(in, rows)
	case Pointwise:
		return pointwiseKernel{f}
	}
	return nil
}

type pointwiseKernel struct{ p Pointwise }

func (k pointwiseKernel) Forward(y, x []float32, n int, _ Mode) { k.p.Apply(y, x) }

func (k pointwiseKernel) Backward(dx, dy, x, y []float32, _ int) {
	if dx != nil {
		k.p.Backprop(dx, dy, x, y)
	}
}

// KernelOp runs the kernel k on the batch x as one graph operation with
// per-sample output shape out: the graph form of a fused layer, which
// therefore computes exactly the bits the fused training step does. params
// are the Vars whose gradients k's Backward adds to; naming them makes the
// result require a gradient when they do.
func KernelOp(op string, k Kernel, x *autograd.Var, out []int, m Mode, params ...*autograd.Var) *autograd.Var {
	n := x.Value.Dim(0)
	y := tensor.Zeros(batchShape(n, out)...)
	xd, yd := x.Value.Data(), y.Data()
	k.Forward(yd, xd, n, m)
	return autograd.New(op, y, func(g *tensor.Tensor) {
		var dx []float32
		if x.RequiresGrad() {
			dx = x.GradData()
		}
		k.Backward(dx, g.Data(), xd, yd, n)
	}, append([]*autograd.Var{x}, params...)...)
}

// RunKernel runs l on the batch x through its kernel, as one graph
// operation. It is the Forward of layers whose only implementation is
// their kernel. It panics if l has no kernel for x's shape.
func RunKernel(l Layer, x *autograd.Var, m Mode) *autograd.Var {
	s := x.Value.Shape()
	in := s[1:]
	out, err := l.OutShape(in)
	if err != nil {
		panic(&tensor.ShapeError{Op: l.Describe().Op, Detail: err.Error() + ":", Shapes: [][]int{s}})
	}
	k := Fuse(l, in, s[0])
	if k == nil {
		panic("nn: " + l.Describe().Op + ": no kernel for input shape")
	}
	return KernelOp(l.Describe().Op, k, x, out, m, Vars(ParamsOf(l))...)
}

// gradOf returns p's gradient storage if p is trained, else nil, so
// kernels skip the work for frozen parameters.
func gradOf(p *autograd.Var) []float32 {
	if p == nil || !p.RequiresGrad() {
		return nil
	}
	return p.GradData()
}

// gradForWrite is gradOf for a kernel that writes every element of the
// gradient: add reports whether it must add to what is there, and is
// false after the trainer dropped the gradient (autograd.Var.DropGrad),
// which spares clearing it only to overwrite it.
func gradForWrite(p *autograd.Var) (g []float32, add bool) {
	if p == nil || !p.RequiresGrad() {
		return nil, false
	}
	return p.GradForWrite()
}
