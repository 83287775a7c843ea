package train

import (
	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// fusedStep runs the forward and backward pass of a network made of Linear
// layers, pointwise activations, dropout and flatten, with a loss that
// implements loss.Fused, over buffers kept from step to step: a warm step
// allocates nothing and records no graph. It calls exactly the kernels the
// graph path calls, in the same order, so the two give the same bits; the
// graph path remains for every other network.
type fusedStep struct {
	stages []stage
	loss   loss.Fused
	rows   int // the largest batch the buffers hold

	outs  [][]float32 // outs[i]: output of stage i, rows × width
	grads [][]float32 // grads[i]: ∂loss/∂outs[i]
	views []view      // [n, width] tensors over the last output, by batch size
}

type stage struct {
	linear *nn.Linear
	act    activation.Pointwise
	drop   *nn.Dropout
	mask   []float32
	in     int // input width
	out    int // output width
}

// view caches a tensor header over a buffer prefix, so that handing the
// output to the loss costs no allocation.
type view struct {
	n int
	t *tensor.Tensor
}

// newFusedStep returns the fused step for m, or nil if m's layers or loss
// need the general graph path.
func newFusedStep(m *Model, rows int) *fusedStep {
	lf, ok := m.Loss.(loss.Fused)
	if !ok {
		return nil
	}
	f := newForward(m, rows)
	if f == nil {
		return nil
	}
	f.loss = lf
	width := m.Outputs
	// Probe once: ValueGrad declines losses and reductions it cannot fuse.
	probe := tensor.Zeros(1, width)
	var target loss.Target
	if m.Loss.Classification() {
		target.Classes = []int{0}
	} else {
		target.Values = tensor.Zeros(1, width)
	}
	if _, ok := lf.ValueGrad(probe, target, make([]float32, width)); !ok {
		return nil
	}
	for _, s := range f.stages {
		f.grads = append(f.grads, make([]float32, rows*s.out))
		if s.linear != nil {
			s.linear.Weight.GradData()
			if s.linear.Bias != nil {
				s.linear.Bias.GradData()
			}
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
	f := &fusedStep{rows: rows}
	width := m.Inputs
	for _, l := range m.Net.Layers {
		s := stage{in: width, out: width}
		switch v := l.(type) {
		case *nn.Linear:
			if v.In != width {
				return nil
			}
			s.linear, s.out = v, v.Out
		case *nn.Dropout:
			s.drop = v
			s.mask = make([]float32, rows*width)
		case nn.Flatten:
			continue
		case activation.Pointwise:
			s.act = v
		default:
			return nil
		}
		f.stages = append(f.stages, s)
		f.outs = append(f.outs, make([]float32, rows*s.out))
		width = s.out
	}
	if len(f.stages) == 0 || width != m.Outputs {
		return nil
	}
	return f
}

// output returns an [n, width] tensor over the last stage's buffer.
func (f *fusedStep) output(n int) *tensor.Tensor {
	for _, v := range f.views {
		if v.n == n {
			return v.t
		}
	}
	last := f.stages[len(f.stages)-1].out
	t := tensor.New(f.outs[len(f.outs)-1][:n*last], n, last)
	f.views = append(f.views, view{n, t})
	return t
}

// forward runs x [n, in] through every stage into the output buffers;
// dropout acts as its layer's mode says.
func (f *fusedStep) forward(x *tensor.Tensor) {
	n := x.Dim(0)
	in := x.Data()
	for i := range f.stages {
		s := &f.stages[i]
		out := f.outs[i][:n*s.out]
		switch {
		case s.linear != nil:
			w := s.linear.Weight.Value.Data()
			kernel.Gemm(false, true, n, s.out, s.in, in, s.in, w, s.in, out, s.out, false)
			if s.linear.Bias != nil {
				kernel.AddRowVector(out, s.linear.Bias.Value.Data())
			}
		case s.act != nil:
			s.act.Apply(out, in)
		case s.drop != nil:
			if !s.drop.Training() || s.drop.P == 0 {
				copy(out, in)
				break
			}
			mask := s.mask[:n*s.out]
			s.drop.Mask(mask)
			for j, v := range in {
				out[j] = v * mask[j]
			}
		}
		in = out
	}
}

// step runs forward and backward on a batch x [n, in], adding parameter
// gradients into the parameters' Grad tensors (which the optimizer zeroes),
// and returns the loss and the network's output.
func (f *fusedStep) step(x *tensor.Tensor, target loss.Target) (float32, *tensor.Tensor) {
	n := x.Dim(0)
	f.forward(x)
	y := f.output(n)
	last := len(f.stages) - 1
	value, _ := f.loss.ValueGrad(y, target, f.grads[last][:n*f.stages[last].out])
	for i := last; i >= 0; i-- {
		s := &f.stages[i]
		g := f.grads[i][:n*s.out]
		var xin []float32
		if i > 0 {
			xin = f.outs[i-1][:n*s.in]
		} else {
			xin = x.Data()
		}
		var dx []float32
		if i > 0 {
			dx = f.grads[i-1][:n*s.in]
			clear(dx)
		}
		switch {
		case s.linear != nil:
			l := s.linear
			if dx != nil {
				kernel.Gemm(false, false, n, s.in, s.out, g, s.out, l.Weight.Value.Data(), s.in, dx, s.in, true)
			}
			kernel.Gemm(true, false, s.out, s.in, n, g, s.out, xin, s.in, l.Weight.GradData(), s.in, true)
			if l.Bias != nil {
				kernel.SumRows(l.Bias.GradData(), g)
			}
		case s.act != nil:
			if dx != nil {
				s.act.Backprop(dx, g, xin, f.outs[i][:n*s.out])
			}
		case s.drop != nil:
			if dx == nil {
				break
			}
			if !s.drop.Training() || s.drop.P == 0 {
				copy(dx, g)
				break
			}
			for j, v := range g {
				dx[j] = v * s.mask[j]
			}
		}
	}
	return value, y
}
