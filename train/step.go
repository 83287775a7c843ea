package train

import (
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// fusedStep runs a network through its layers' kernels (nn.Kernel) on
// buffers kept from step to step, with a loss that implements loss.Fused:
// a warm step allocates nothing and records no graph. The kernels are the
// very code the layers' graph forms run, so both paths give the same
// bits; the graph path remains for networks with a layer that has no
// kernel.
type fusedStep struct {
	net  nn.Kernel
	loss loss.Fused
	rows int // the largest batch the buffers hold
	out  int // per-sample output size
	per  int // loss rows per sample: positions of a sequence model, else 1

	y, grad []float32 // the network's output and ∂loss/∂output
	views   []view    // [n, out] tensors over y, by batch size
}

// view caches a tensor header over a buffer prefix, so that handing the
// output to the loss costs no allocation.
type view struct {
	n int
	t *tensor.Tensor
}

// newFusedStep returns the fused training step for m, or nil if m's
// layers or loss need the general graph path.
func newFusedStep(m *Model, rows int) *fusedStep {
	lf, ok := m.Loss.(loss.Fused)
	if !ok {
		return nil
	}
	f := newForward(m, rows)
	if f == nil {
		return nil
	}
	// Probe once: ValueGrad declines losses and reductions it cannot fuse.
	probe := tensor.Zeros(f.per, f.out/f.per)
	var target loss.Target
	if m.Loss.Classification() {
		target.Classes = make([]int, f.per)
	} else {
		target.Values = tensor.Zeros(1, f.out)
	}
	if _, ok := lf.ValueGrad(probe, target, make([]float32, f.out)); !ok {
		return nil
	}
	f.loss = lf
	f.grad = make([]float32, rows*f.out)
	// Allocate the gradients now, so that no warm step does.
	for _, p := range m.Params() {
		if p.RequiresGrad() {
			p.GradData()
		}
	}
	return f
}

// newForward returns the forward half of a fused step for batches of up
// to rows rows, or nil if m has a layer only the graph can run.
func newForward(m *Model, rows int) *fusedStep {
	if rows <= 0 {
		return nil
	}
	k := nn.Fuse(m.Net, m.InputShape, rows)
	if k == nil {
		return nil
	}
	return &fusedStep{net: k, rows: rows, out: m.Outputs, per: m.lossRows(), y: make([]float32, rows*m.Outputs)}
}

// output returns an [n, out] tensor over the output buffer, or for a
// sequence model [n·T, vocabulary]: the rows the loss reads.
func (f *fusedStep) output(n int) *tensor.Tensor {
	for _, v := range f.views {
		if v.n == n {
			return v.t
		}
	}
	t := tensor.New(f.y[:n*f.out], n*f.per, f.out/f.per)
	f.views = append(f.views, view{n, t})
	return t
}

// forward runs the n samples of x through the network in mode md.
func (f *fusedStep) forward(x *tensor.Tensor, md nn.Mode) {
	n := x.Dim(0)
	f.net.Forward(f.y[:n*f.out], x.Data(), n, md)
}

// step runs forward and backward on a batch x, adding parameter gradients
// into the parameters' Grad tensors (which Step zeroes, or drops for the
// kernels that set a whole gradient), and returns the loss and the
// network's output.
func (f *fusedStep) step(x *tensor.Tensor, target loss.Target, md nn.Mode) (float32, *tensor.Tensor) {
	n := x.Dim(0)
	f.forward(x, md)
	y := f.output(n)
	g := f.grad[:n*f.out]
	value, _ := f.loss.ValueGrad(y, target, g)
	f.net.Backward(nil, g, x.Data(), f.y[:n*f.out], n)
	return value, y
}
