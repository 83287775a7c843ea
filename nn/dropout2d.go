package nn

import (
	"fmt"
	"strconv"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Dropout2d zeroes whole channels, as torch.nn.Dropout2d: per-sample input
// [C, …] (usually [C, H, W]); in training mode each channel of each sample
// is zeroed with probability P and the others are scaled by 1/(1−P), so
// that evaluation, which passes x through unchanged, sees the same
// expected activation. Neighbouring pixels of a feature map are strongly
// correlated, so dropping single elements would regularise little.
type Dropout2d struct {
	P float64
}

// NewDropout2d returns a Dropout2d layer. It panics if p is outside [0, 1].
func NewDropout2d(p float64) *Dropout2d {
	if !(p >= 0 && p <= 1) {
		panic("nn: NewDropout2d: p must be in [0, 1], got " + strconv.FormatFloat(p, 'g', -1, 64))
	}
	return &Dropout2d{P: p}
}

// Forward applies a channel mask drawn from m.RNG in training mode and is
// the identity in evaluation mode.
func (d *Dropout2d) Forward(x *autograd.Var, m Mode) *autograd.Var {
	if !m.Train || d.P == 0 {
		return x
	}
	return RunKernel(d, x, m)
}

// Describe returns "dropout2d" with p.
func (d *Dropout2d) Describe() Desc { return Desc{Op: "dropout2d", Config: map[string]any{"p": d.P}} }

// OutShape returns in, which must have a channel dimension.
func (d *Dropout2d) OutShape(in []int) ([]int, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("dropout2d: want input [C, ...], got %v", in)
	}
	return append([]int(nil), in...), nil
}

// Fuse returns a kernel that keeps its channel mask for the backward pass.
func (d *Dropout2d) Fuse(in []int, rows int) Kernel {
	if len(in) == 0 {
		return nil
	}
	return &dropout2dKernel{d: d, c: in[0], l: Size(in) / in[0], mask: make([]float32, rows*in[0])}
}

type dropout2dKernel struct {
	d      *Dropout2d
	drop   Dropout   // draws the mask, so that both layers share one rule
	c, l   int       // channels; values per channel
	mask   []float32 // one factor per sample and channel: 0 or 1/(1−P)
	active bool      // the latest Forward applied a mask
}

func (k *dropout2dKernel) Forward(y, x []float32, n int, m Mode) {
	k.active = m.Train && k.d.P != 0
	if !k.active {
		copy(y, x)
		return
	}
	// One draw per sample and channel, in row-major order: the same
	// stream Dropout would consume for an [N, C] input.
	mask := k.mask[:n*k.c]
	k.drop.P = k.d.P
	k.drop.Mask(mask, m.RNG)
	for i, f := range mask {
		xs, ys := x[i*k.l:(i+1)*k.l], y[i*k.l:(i+1)*k.l]
		for j, v := range xs {
			ys[j] = v * f
		}
	}
}

func (k *dropout2dKernel) Backward(dx, dy, _, _ []float32, n int) {
	if dx == nil {
		return
	}
	if !k.active {
		for j := range dx {
			dx[j] += dy[j]
		}
		return
	}
	for i, f := range k.mask[:n*k.c] {
		ds, g := dx[i*k.l:(i+1)*k.l], dy[i*k.l:(i+1)*k.l]
		for j, v := range g {
			ds[j] += v * f
		}
	}
}

func init() {
	Register("dropout2d", "p", func(o Options, in []int, _ *tensor.RNG) (Layer, error) {
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
		d := NewDropout2d(p)
		if _, err := d.OutShape(in); err != nil {
			return nil, err
		}
		return d, nil
	})
}
