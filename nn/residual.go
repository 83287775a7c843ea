package nn

import (
	"fmt"
	"slices"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/kernel"
)

// Residual is the shortcut connection y = shortcut(x) + F(x): the input
// skips over the body F and is added back to its output, so F only has to
// learn a correction. Shortcut is nil for the identity; otherwise it is a
// projection (a 1×1 convolution, say) that brings x to F's output shape.
type Residual struct {
	F        Layer
	Shortcut Layer
}

// Forward returns shortcut(x) + F(x).
func (r *Residual) Forward(x *autograd.Var, m Mode) *autograd.Var {
	s := x
	if r.Shortcut != nil {
		s = r.Shortcut.Forward(x, m)
	}
	return autograd.Add(s, r.F.Forward(x, m))
}

// Describe returns "residual" with the blocks body and, unless it is the
// identity, shortcut.
func (r *Residual) Describe() Desc {
	d := Desc{Op: "residual", Blocks: []Block{{Name: "body", Layers: layersOf(r.F)}}}
	if r.Shortcut != nil {
		d.Blocks = append(d.Blocks, Block{Name: "shortcut", Layers: layersOf(r.Shortcut)})
	}
	return d
}

// layersOf lists the layers of a Sequential, or l alone.
func layersOf(l Layer) []Layer {
	if s, ok := l.(*Sequential); ok {
		return s.Layers
	}
	return []Layer{l}
}

// OutShape returns F's output shape, which must equal the shortcut's.
func (r *Residual) OutShape(in []int) ([]int, error) {
	body, err := r.F.OutShape(in)
	if err != nil {
		return nil, err
	}
	sc := in
	if r.Shortcut != nil {
		if sc, err = r.Shortcut.OutShape(in); err != nil {
			return nil, fmt.Errorf("shortcut: %w", err)
		}
	}
	if !slices.Equal(body, sc) {
		if r.Shortcut == nil {
			return nil, fmt.Errorf("residual: the body must keep the shape %v, but ends with %v (add a shortcut to project)", in, body)
		}
		return nil, fmt.Errorf("residual: the body ends with %v but the shortcut with %v", body, sc)
	}
	return body, nil
}

// asSequential returns l as a Sequential, wrapping a single layer, so
// that state_dict names always number the layers of a block ("f.0.weight")
// however the block was built, as the spec builds it and PyTorch names it.
func asSequential(l Layer) *Sequential {
	if s, ok := l.(*Sequential); ok {
		return s
	}
	return NewSequential(l)
}

// Params returns F's parameters under "f.J." and the shortcut's under
// "shortcut.J.", J numbering the layers of each block.
func (r *Residual) Params() []Param {
	var ps []Param
	for _, p := range asSequential(r.F).Params() {
		ps = append(ps, Param{Name: "f." + p.Name, Var: p.Var})
	}
	if r.Shortcut != nil {
		for _, p := range asSequential(r.Shortcut).Params() {
			ps = append(ps, Param{Name: "shortcut." + p.Name, Var: p.Var})
		}
	}
	return ps
}

// Buffers returns F's buffers under "f.J." and the shortcut's under
// "shortcut.J.".
func (r *Residual) Buffers() []Buffer {
	var bs []Buffer
	for _, b := range asSequential(r.F).Buffers() {
		b.Name = "f." + b.Name
		bs = append(bs, b)
	}
	if r.Shortcut != nil {
		for _, b := range asSequential(r.Shortcut).Buffers() {
			b.Name = "shortcut." + b.Name
			bs = append(bs, b)
		}
	}
	return bs
}

// Fuse returns a kernel running the body into a buffer of its own and the
// shortcut into y, then adding the two.
func (r *Residual) Fuse(in []int, rows int) Kernel {
	out, err := r.OutShape(in)
	if err != nil {
		return nil
	}
	k := &residualKernel{body: Fuse(r.F, in, rows), size: Size(out), bodyOut: make([]float32, rows*Size(out))}
	if k.body == nil {
		return nil
	}
	if r.Shortcut != nil {
		if k.shortcut = Fuse(r.Shortcut, in, rows); k.shortcut == nil {
			return nil
		}
		k.scOut = make([]float32, rows*Size(out))
	}
	return k
}

type residualKernel struct {
	body, shortcut Kernel // shortcut nil: identity
	size           int
	bodyOut, scOut []float32
}

func (k *residualKernel) Forward(y, x []float32, n int, m Mode) {
	b := k.bodyOut[:n*k.size]
	k.body.Forward(b, x, n, m)
	if k.shortcut != nil {
		s := k.scOut[:n*k.size]
		k.shortcut.Forward(s, x, n, m)
		copy(y, s)
	} else {
		copy(y, x)
	}
	// The order of the sum, shortcut + body, is the graph's.
	kernel.AddTo(y[:n*k.size], b)
}

func (k *residualKernel) Backward(dx, dy, x, y []float32, n int) {
	k.body.Backward(dx, dy, x, k.bodyOut[:n*k.size], n)
	if k.shortcut != nil {
		k.shortcut.Backward(dx, dy, x, k.scOut[:n*k.size], n)
	} else if dx != nil {
		kernel.AddTo(dx, dy[:len(dx)])
	}
}
