package nn

import (
	"fmt"
	"strconv"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Dropout zeroes each element with probability P in training mode and
// scales the survivors by 1/(1−P), so evaluation, which passes x through
// unchanged, sees the same expected activation. Any shape.
type Dropout struct {
	P float64
}

// NewDropout returns a Dropout layer. It panics if p is outside [0, 1].
func NewDropout(p float64) *Dropout {
	if !(p >= 0 && p <= 1) {
		panic("nn: NewDropout: p must be in [0, 1], got " + strconv.FormatFloat(p, 'g', -1, 64))
	}
	return &Dropout{P: p}
}

// Forward applies a random mask drawn from m.RNG in training mode and is
// the identity in evaluation mode.
func (d *Dropout) Forward(x *autograd.Var, m Mode) *autograd.Var {
	if !m.Train || d.P == 0 {
		return x
	}
	mask := tensor.Zeros(x.Value.Shape()...)
	d.Mask(mask.Data(), m.RNG)
	return autograd.Mul(x, autograd.Const(mask))
}

// Describe returns "dropout" with p.
func (d *Dropout) Describe() Desc { return Desc{Op: "dropout", Config: map[string]any{"p": d.P}} }

// OutShape returns in.
func (d *Dropout) OutShape(in []int) ([]int, error) { return in, nil }

// Mask fills m with the next training mask drawn from rng: 0 with
// probability P, else 1/(1−P). Forward and the kernel both draw through
// it, so they consume the random stream identically.
func (d *Dropout) Mask(m []float32, rng *tensor.RNG) {
	if d.P >= 1 {
		clear(m)
		return
	}
	keep := float32(1 / (1 - d.P))
	for i := range m {
		m[i] = 0
		if rng.Float64() >= d.P {
			m[i] = keep
		}
	}
}

// Fuse returns a kernel that keeps its mask for the backward pass.
func (d *Dropout) Fuse(in []int, rows int) Kernel {
	return &dropoutKernel{d: d, mask: make([]float32, rows*Size(in))}
}

type dropoutKernel struct {
	d      *Dropout
	mask   []float32
	active bool // the latest Forward applied a mask
}

func (k *dropoutKernel) Forward(y, x []float32, n int, m Mode) {
	k.active = m.Train && k.d.P != 0
	if !k.active {
		copy(y, x)
		return
	}
	mask := k.mask[:len(x)]
	k.d.Mask(mask, m.RNG)
	for j, v := range x {
		y[j] = v * mask[j]
	}
}

func (k *dropoutKernel) Backward(dx, dy, _, _ []float32, _ int) {
	if dx == nil {
		return
	}
	if !k.active {
		for j := range dx {
			dx[j] += dy[j]
		}
		return
	}
	for j := range dx {
		dx[j] += dy[j] * k.mask[j]
	}
}

func init() {
	Register("dropout", "p", func(o Options, _ []int, _ *tensor.RNG) (Layer, error) {
		if err := o.Allow("p"); err != nil {
			return nil, err
		}
		p, err := o.Float("p", 0.5)
		if err != nil {
			return nil, err
		}
		if !(p >= 0 && p <= 1) {
			return nil, fmt.Errorf("p must be in [0, 1], got %g", p)
		}
		return NewDropout(p), nil
	})
}
