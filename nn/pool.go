package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/tensor"
)

// MaxPool2d takes the maximum of each window of a feature map, as
// torch.nn.MaxPool2d: per-sample input [C, H, W], output [C, Ho, Wo] with
//
//	Ho = ⌊(H + 2·padding − dilation·(kernel−1) − 1) / stride⌋ + 1
//
// (⌈…⌉ with CeilMode, dropping a last window that would start in the right
// padding), and the same for the width. Padding never wins the maximum.
// The gradient goes to the first maximum of each window in row-major
// order, as PyTorch's; a NaN in a window is its maximum. A window that
// dilation steps over the whole input (PyTorch reads out of bounds there)
// gives −Inf and no gradient.
type MaxPool2d struct {
	KernelSize, Stride, Padding, Dilation [2]int
	CeilMode                              bool
}

// NewMaxPool2d returns a MaxPool2d with a square kernel, stride equal to
// the kernel, no padding and no dilation: torch.nn.MaxPool2d(kernel).
func NewMaxPool2d(kernel int) *MaxPool2d {
	return &MaxPool2d{KernelSize: [2]int{kernel, kernel}, Stride: [2]int{kernel, kernel}, Dilation: [2]int{1, 1}}
}

// Forward pools x [N, C, H, W].
func (p *MaxPool2d) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(p, x, m) }

// Describe returns "max_pool2d" with kernel_size, stride, padding,
// dilation (each [h, w]) and ceil_mode.
func (p *MaxPool2d) Describe() Desc {
	return Desc{Op: "max_pool2d", Config: map[string]any{
		"kernel_size": pair(p.KernelSize), "stride": pair(p.Stride), "padding": pair(p.Padding),
		"dilation": pair(p.Dilation), "ceil_mode": p.CeilMode,
	}}
}

// OutShape returns [C, Ho, Wo] for in = [C, H, W].
func (p *MaxPool2d) OutShape(in []int) ([]int, error) {
	return poolShape("max_pool2d", in, p.KernelSize, p.Stride, p.Padding, p.Dilation, p.CeilMode)
}

// Fuse returns the kernel. Where windows do not overlap, its forward
// pass keeps nothing but the output: the backward pass finds each
// window's maximum again in x by the bits y holds, which costs less than
// storing the argmax. Where they overlap (stride below the dilated
// kernel), finding the winner again among inputs shared by several
// windows costs more than reading a stored index, so a training-mode
// forward pass records each winner's index in a buffer the kernel owns,
// sized here for rows samples; inference records none.
func (p *MaxPool2d) Fuse(in []int, rows int) Kernel {
	out, err := p.OutShape(in)
	if err != nil {
		return nil
	}
	k := &maxPoolKernel{c: in[0], h: in[1], w: in[2], oh: out[1], ow: out[2], dh: p.Dilation[0], dw: p.Dilation[1]}
	k.rows = maxWindows(in[1], out[1], p.KernelSize[0], p.Stride[0], p.Padding[0], p.Dilation[0])
	k.cols = maxWindows(in[2], out[2], p.KernelSize[1], p.Stride[1], p.Padding[1], p.Dilation[1])
	if (p.KernelSize[0]-1)*p.Dilation[0]+1 > p.Stride[0] || (p.KernelSize[1]-1)*p.Dilation[1]+1 > p.Stride[1] {
		k.arg = make([]int32, rows*k.c*k.oh*k.ow)
	}
	switch {
	case k.dh == 1 && k.dw == 1 && tiles(k.rows, 2, 2) && tiles(k.cols, 2, 2):
		k.geom = poolTile2
	case k.dh == 1 && k.dw == 1 && p.KernelSize == [2]int{3, 3} && p.Stride == [2]int{2, 2}:
		k.geom = poolK3S2
	}
	return k
}

// Window geometries with a loop of their own; the rest take the general
// one.
const (
	poolGeneral = iota
	poolTile2   // 2×2 windows tiling the input from its corner (kernel 2, stride 2, no padding)
	poolK3S2    // 3×3 windows at stride 2 (ResNet's stem pool), clipped at the borders
)

// tiles reports whether window i is [i·s, i·s+k) for every i: whole
// windows, no padding.
func tiles(ws []window, k, s int) bool {
	for i, w := range ws {
		if w.start != i*s || w.end != i*s+k {
			return false
		}
	}
	return true
}

type maxPoolKernel struct {
	c, h, w, oh, ow int
	dh, dw          int // dilation
	rows, cols      []window
	geom            int

	// The loop in flight, shared among goroutines one input plane at a
	// time: planes are independent, so the result does not depend on
	// how many share it.
	job          forJob
	back         bool
	x, y, dx, dy []float32

	// arg holds, for overlapping windows, each output's winner as an
	// index within its input plane (−1 for an empty window), written by
	// a training-mode forward pass; argSet says whether the latest
	// forward pass wrote it, so a backward pass after an inference one
	// finds the winners again instead.
	arg    []int32
	argSet bool
}

func (k *maxPoolKernel) Forward(y, x []float32, n int, m Mode) {
	k.argSet = m.Train && k.arg != nil
	if k.argSet && len(k.arg) < n*k.c*k.oh*k.ow {
		// More samples than Fuse was told of: rare, so grow.
		k.arg = make([]int32, n*k.c*k.oh*k.ow)
	}
	k.back, k.x, k.y = false, x, y
	k.job.parallelFor(k, n*k.c, n*k.c*(k.h*k.w+k.oh*k.ow))
	k.x, k.y = nil, nil
}

func (k *maxPoolKernel) Backward(dx, dy, x, y []float32, n int) {
	if dx == nil {
		return
	}
	k.back, k.x, k.y, k.dx, k.dy = true, x, y, dx, dy
	k.job.parallelFor(k, n*k.c, n*k.c*(2*k.h*k.w+2*k.oh*k.ow))
	k.x, k.y, k.dx, k.dy = nil, nil, nil, nil
}

// run does input plane i of the pass in flight.
func (k *maxPoolKernel) run(i int) {
	hw, ohw := k.h*k.w, k.oh*k.ow
	in := k.x[i*hw : (i+1)*hw]
	out := k.y[i*ohw : (i+1)*ohw]
	var arg []int32
	if k.argSet {
		arg = k.arg[i*ohw : (i+1)*ohw]
	}
	if !k.back {
		switch {
		case k.geom == poolTile2:
			k.forwardTile2(out, in)
		case k.geom == poolK3S2 && arg != nil:
			k.forwardK3S2Arg(out, arg, in)
		case k.geom == poolK3S2:
			k.forwardK3S2(out, in)
		case arg != nil:
			k.forwardGeneralArg(out, arg, in)
		default:
			k.forwardGeneral(out, in)
		}
		return
	}
	d := k.dx[i*hw : (i+1)*hw]
	g := k.dy[i*ohw : (i+1)*ohw]
	switch {
	case arg != nil:
		// In output order, as the loops below: overlapping windows add
		// to a shared input in the same order.
		for o, at := range arg {
			if at >= 0 {
				d[at] += g[o]
			}
		}
	case k.geom == poolTile2:
		k.backwardTile2(d, g, out, in)
	case k.geom == poolK3S2:
		k.backwardK3S2(d, g, out, in)
	default:
		k.backwardGeneral(d, g, out, in)
	}
}

// Max pooling follows PyTorch's rule: scanning a window in row-major
// order, a value replaces the maximum so far when it is greater or NaN.
// So the first maximum wins (of equal values, and of 0 and −0), and the
// last NaN. The rule is associative, so a window may be folded row by
// row. The output holds the winner's bits, which the backward pass looks
// for again: the first element with those bits, or the last one when
// they are a NaN's.

// step returns v's bits if v replaces the maximum so far, best (as bits),
// by PyTorch's rule: v is greater, or NaN. It selects without a branch:
// on real data "is this the new maximum" is a coin toss that a branch
// predictor loses half the time.
func step(best uint32, v float32) uint32 {
	// v > best and v ≠ v exclude each other, so != is their "or".
	// (An if around the assignment compiles to a branch; a mask does
	// not.)
	var mask uint32
	if (v > math.Float32frombits(best)) != (v != v) {
		mask = ^uint32(0)
	}
	return best ^ (best^math.Float32bits(v))&mask
}

// stepAt is step carrying the winner's index: it returns v's bits and i
// if v (as bits) replaces best, else best and at.
func stepAt(best uint32, at int32, v uint32, i int32) (uint32, int32) {
	fv := math.Float32frombits(v)
	var mask uint32
	if (fv > math.Float32frombits(best)) != (fv != fv) {
		mask = ^uint32(0)
	}
	return best ^ (best^v)&mask, at ^ (at^i)&int32(mask)
}

// eqMask returns −1 (all bits set) if a == b, else 0.
func eqMask(a, b uint32) int {
	return -int((uint64(a^b) - 1) >> 63)
}

// isNaNBits reports whether b is a float32 NaN's bits.
func isNaNBits(b uint32) bool { return b&0x7fffffff > 0x7f800000 }

// forwardTile2 pools one plane in 2×2 windows at stride 2.
func (k *maxPoolKernel) forwardTile2(out, in []float32) {
	w := k.w
	for oh := range k.oh {
		kernel.MaxPool2Row(out[oh*k.ow:(oh+1)*k.ow], in[2*oh*w:(2*oh+1)*w], in[(2*oh+1)*w:(2*oh+2)*w])
	}
}

// backwardTile2 adds each output's gradient to its window's maximum.
func (k *maxPoolKernel) backwardTile2(d, g, out, in []float32) {
	w := k.w
	for oh := range k.oh {
		r0, r1 := 2*oh*w, (2*oh+1)*w
		kernel.MaxPool2RowGrad(d[r0:r0+w], d[r1:r1+w], in[r0:r0+w], in[r1:r1+w],
			out[oh*k.ow:(oh+1)*k.ow], g[oh*k.ow:(oh+1)*k.ow])
	}
}

// forwardK3S2 pools one plane in 3×3 windows at stride 2: whole windows
// by an unrolled fold, those clipped by the padding by the general one.
func (k *maxPoolKernel) forwardK3S2(out, in []float32) {
	w := k.w
	for oh, r := range k.rows {
		o := out[oh*k.ow : (oh+1)*k.ow]
		if r.end-r.start != 3 {
			for ow, c := range k.cols {
				o[ow] = math.Float32frombits(k.fold(in, r, c))
			}
			continue
		}
		r0 := in[r.start*w : (r.start+1)*w]
		r1 := in[(r.start+1)*w : (r.start+2)*w]
		r2 := in[(r.start+2)*w : (r.start+3)*w]
		for ow, c := range k.cols {
			if c.end-c.start != 3 {
				o[ow] = math.Float32frombits(k.fold(in, r, c))
				continue
			}
			j := c.start
			q0, q1, q2 := r0[j:j+3], r1[j:j+3], r2[j:j+3]
			// The rule is associative: three row folds, independent of
			// each other, then their fold, which halves the chain of
			// dependent steps.
			b0 := step(step(math.Float32bits(q0[0]), q0[1]), q0[2])
			b1 := step(step(math.Float32bits(q1[0]), q1[1]), q1[2])
			b2 := step(step(math.Float32bits(q2[0]), q2[1]), q2[2])
			o[ow] = math.Float32frombits(step(step(b0, math.Float32frombits(b1)), math.Float32frombits(b2)))
		}
	}
}

// forwardK3S2Arg is forwardK3S2 that also writes each winner's index
// within the plane to arg.
func (k *maxPoolKernel) forwardK3S2Arg(out []float32, arg []int32, in []float32) {
	w := k.w
	for oh, r := range k.rows {
		o := out[oh*k.ow : (oh+1)*k.ow]
		a := arg[oh*k.ow : (oh+1)*k.ow]
		if r.end-r.start != 3 {
			for ow, c := range k.cols {
				b, at := k.foldAt(in, r, c)
				o[ow], a[ow] = math.Float32frombits(b), at
			}
			continue
		}
		r0 := in[r.start*w : (r.start+1)*w]
		r1 := in[(r.start+1)*w : (r.start+2)*w]
		r2 := in[(r.start+2)*w : (r.start+3)*w]
		for ow, c := range k.cols {
			if c.end-c.start != 3 {
				b, at := k.foldAt(in, r, c)
				o[ow], a[ow] = math.Float32frombits(b), at
				continue
			}
			j := c.start
			q0, q1, q2 := r0[j:j+3], r1[j:j+3], r2[j:j+3]
			i0 := int32(r.start*w + j)
			i1, i2 := i0+int32(w), i0+2*int32(w)
			b0, a0 := stepAt(math.Float32bits(q0[0]), i0, math.Float32bits(q0[1]), i0+1)
			b0, a0 = stepAt(b0, a0, math.Float32bits(q0[2]), i0+2)
			b1, a1 := stepAt(math.Float32bits(q1[0]), i1, math.Float32bits(q1[1]), i1+1)
			b1, a1 = stepAt(b1, a1, math.Float32bits(q1[2]), i1+2)
			b2, a2 := stepAt(math.Float32bits(q2[0]), i2, math.Float32bits(q2[1]), i2+1)
			b2, a2 = stepAt(b2, a2, math.Float32bits(q2[2]), i2+2)
			b0, a0 = stepAt(b0, a0, b1, a1)
			b0, a0 = stepAt(b0, a0, b2, a2)
			o[ow], a[ow] = math.Float32frombits(b0), a0
		}
	}
}

// backwardK3S2 adds each output's gradient to its window's maximum, in
// output order as the general loop does, so overlapping windows add up
// in the same order.
func (k *maxPoolKernel) backwardK3S2(d, g, out, in []float32) {
	w := k.w
	for oh, r := range k.rows {
		o := out[oh*k.ow : (oh+1)*k.ow]
		gr := g[oh*k.ow : (oh+1)*k.ow]
		if r.end-r.start != 3 {
			for ow, c := range k.cols {
				if at := k.argmax(in, r, c, math.Float32bits(o[ow])); at >= 0 {
					d[at] += gr[ow]
				}
			}
			continue
		}
		for ow, c := range k.cols {
			mb := math.Float32bits(o[ow])
			if c.end-c.start != 3 || isNaNBits(mb) {
				if at := k.argmax(in, r, c, mb); at >= 0 {
					d[at] += gr[ow]
				}
				continue
			}
			// The first of the nine with m's bits: scanned backwards,
			// each match moves the answer earlier, without a branch.
			base := r.start*w + c.start
			q0 := in[base : base+3]
			q1 := in[base+w : base+w+3]
			q2 := in[base+2*w : base+2*w+3]
			at := 2*w + 2
			at ^= (at ^ (2*w + 1)) & eqMask(math.Float32bits(q2[1]), mb)
			at ^= (at ^ (2 * w)) & eqMask(math.Float32bits(q2[0]), mb)
			at ^= (at ^ (w + 2)) & eqMask(math.Float32bits(q1[2]), mb)
			at ^= (at ^ (w + 1)) & eqMask(math.Float32bits(q1[1]), mb)
			at ^= (at ^ w) & eqMask(math.Float32bits(q1[0]), mb)
			at ^= (at ^ 2) & eqMask(math.Float32bits(q0[2]), mb)
			at ^= (at ^ 1) & eqMask(math.Float32bits(q0[1]), mb)
			at &^= eqMask(math.Float32bits(q0[0]), mb)
			d[base+at] += gr[ow]
		}
	}
}

// fold returns the bits of the maximum of window (r, c) of the plane in
// by PyTorch's rule, or −Inf's for a window that dilation steps over the
// whole input (PyTorch reads out of bounds there).
func (k *maxPoolKernel) fold(in []float32, r, c window) uint32 {
	if r.start >= r.end || c.start >= c.end {
		return math.Float32bits(float32(math.Inf(-1)))
	}
	best := math.Float32bits(in[r.start*k.w+c.start])
	for ih := r.start; ih < r.end; ih += k.dh {
		row := in[ih*k.w : ih*k.w+c.end]
		for iw := c.start; iw < c.end; iw += k.dw {
			best = step(best, row[iw])
		}
	}
	return best
}

// foldAt is fold that also returns the winner's index within the plane,
// or −1 for an empty window.
func (k *maxPoolKernel) foldAt(in []float32, r, c window) (uint32, int32) {
	if r.start >= r.end || c.start >= c.end {
		return math.Float32bits(float32(math.Inf(-1))), -1
	}
	at := int32(r.start*k.w + c.start)
	best := math.Float32bits(in[at])
	for ih := r.start; ih < r.end; ih += k.dh {
		for iw := c.start; iw < c.end; iw += k.dw {
			i := int32(ih*k.w + iw)
			best, at = stepAt(best, at, math.Float32bits(in[i]), i)
		}
	}
	return best, at
}

// argmax returns the index within the plane in of the element of window
// (r, c) that won it with bits mb, or −1 for an empty window.
func (k *maxPoolKernel) argmax(in []float32, r, c window, mb uint32) int {
	if r.start >= r.end || c.start >= c.end {
		return -1
	}
	nan := isNaNBits(mb)
	at := -1
	for ih := r.start; ih < r.end; ih += k.dh {
		for iw := c.start; iw < c.end; iw += k.dw {
			if math.Float32bits(in[ih*k.w+iw]) == mb {
				if !nan {
					return ih*k.w + iw
				}
				at = ih*k.w + iw
			}
		}
	}
	return at
}

func (k *maxPoolKernel) forwardGeneral(out, in []float32) {
	for oh, r := range k.rows {
		for ow, c := range k.cols {
			out[oh*k.ow+ow] = math.Float32frombits(k.fold(in, r, c))
		}
	}
}

func (k *maxPoolKernel) forwardGeneralArg(out []float32, arg []int32, in []float32) {
	for oh, r := range k.rows {
		for ow, c := range k.cols {
			b, at := k.foldAt(in, r, c)
			out[oh*k.ow+ow], arg[oh*k.ow+ow] = math.Float32frombits(b), at
		}
	}
}

func (k *maxPoolKernel) backwardGeneral(d, g, out, in []float32) {
	for oh, r := range k.rows {
		for ow, c := range k.cols {
			o := oh*k.ow + ow
			if at := k.argmax(in, r, c, math.Float32bits(out[o])); at >= 0 {
				d[at] += g[o]
			}
		}
	}
}

// maxWindows returns the windows of out outputs over an axis of size in,
// start moved past the padding by whole dilation steps.
func maxWindows(in, out, k, s, p, d int) []window {
	ws := make([]window, out)
	for i := range ws {
		a := i*s - p
		b := min(a+(k-1)*d+1, in)
		for a < 0 {
			a += d
		}
		ws[i] = window{start: a, end: b}
	}
	return ws
}

// AvgPool2d averages each window of a feature map, as torch.nn.AvgPool2d:
// per-sample input [C, H, W], output [C, Ho, Wo] sized as MaxPool2d's
// without dilation. The divisor is the window's size counting the padding
// (CountIncludePad, PyTorch's default) but not the part of a CeilMode
// window beyond the padded border; without CountIncludePad it is the
// number of input elements in the window.
type AvgPool2d struct {
	KernelSize, Stride, Padding [2]int
	CeilMode, CountIncludePad   bool
}

// NewAvgPool2d returns an AvgPool2d with a square kernel, stride equal to
// the kernel and no padding: torch.nn.AvgPool2d(kernel).
func NewAvgPool2d(kernel int) *AvgPool2d {
	return &AvgPool2d{KernelSize: [2]int{kernel, kernel}, Stride: [2]int{kernel, kernel}, CountIncludePad: true}
}

// Forward pools x [N, C, H, W].
func (p *AvgPool2d) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(p, x, m) }

// Describe returns "avg_pool2d" with kernel_size, stride, padding (each
// [h, w]), ceil_mode and count_include_pad.
func (p *AvgPool2d) Describe() Desc {
	return Desc{Op: "avg_pool2d", Config: map[string]any{
		"kernel_size": pair(p.KernelSize), "stride": pair(p.Stride), "padding": pair(p.Padding),
		"ceil_mode": p.CeilMode, "count_include_pad": p.CountIncludePad,
	}}
}

// OutShape returns [C, Ho, Wo] for in = [C, H, W].
func (p *AvgPool2d) OutShape(in []int) ([]int, error) {
	return poolShape("avg_pool2d", in, p.KernelSize, p.Stride, p.Padding, [2]int{1, 1}, p.CeilMode)
}

// Fuse returns the kernel, which precomputes every window's bounds and
// divisor: they depend only on the shapes.
func (p *AvgPool2d) Fuse(in []int, rows int) Kernel {
	out, err := p.OutShape(in)
	if err != nil {
		return nil
	}
	k := &avgPoolKernel{c: in[0], h: in[1], w: in[2], oh: out[1], ow: out[2]}
	k.rows = windows(in[1], out[1], p.KernelSize[0], p.Stride[0], p.Padding[0])
	k.cols = windows(in[2], out[2], p.KernelSize[1], p.Stride[1], p.Padding[1])
	k.div = make([]float32, out[1]*out[2])
	for i, r := range k.rows {
		for j, c := range k.cols {
			// PyTorch's divisor: the window clipped to the padded border,
			// or to the input without count_include_pad.
			div := (r.padEnd - r.padStart) * (c.padEnd - c.padStart)
			if !p.CountIncludePad {
				div = (r.end - r.start) * (c.end - c.start)
			}
			if r.start < r.end && c.start < c.end {
				k.div[i*out[2]+j] = float32(div)
			}
		}
	}
	return k
}

// window is one pooling window along one axis: [start, end) within the
// input and [padStart, padEnd) within the padded input, both in input
// coordinates.
type window struct{ start, end, padStart, padEnd int }

// windows returns the windows of out outputs over an axis of size in.
func windows(in, out, k, s, p int) []window {
	ws := make([]window, out)
	for i := range ws {
		a := i*s - p
		b := min(a+k, in+p)
		ws[i] = window{max(a, 0), min(b, in), a, b}
	}
	return ws
}

type avgPoolKernel struct {
	c, h, w, oh, ow int
	rows, cols      []window
	// div is the divisor of each output position (0 for a window
	// wholly in the padding, whose sum is 0 too: PyTorch's output is 0).
	div []float32
}

func (k *avgPoolKernel) Forward(y, x []float32, n int, _ Mode) {
	hw, ohw := k.h*k.w, k.oh*k.ow
	for plane := range n * k.c {
		in := x[plane*hw : (plane+1)*hw]
		out := y[plane*ohw : (plane+1)*ohw]
		for i, r := range k.rows {
			for j, c := range k.cols {
				var s float32
				for ih := r.start; ih < r.end; ih++ {
					for _, v := range in[ih*k.w+c.start : ih*k.w+c.end] {
						s += v
					}
				}
				if dv := k.div[i*k.ow+j]; dv != 0 {
					s /= dv
				}
				out[i*k.ow+j] = s
			}
		}
	}
}

func (k *avgPoolKernel) Backward(dx, dy, _, _ []float32, n int) {
	if dx == nil {
		return
	}
	hw, ohw := k.h*k.w, k.oh*k.ow
	for plane := range n * k.c {
		d := dx[plane*hw : (plane+1)*hw]
		g := dy[plane*ohw : (plane+1)*ohw]
		for i, r := range k.rows {
			for j, c := range k.cols {
				dv := k.div[i*k.ow+j]
				if dv == 0 {
					continue
				}
				v := g[i*k.ow+j] / dv
				for ih := r.start; ih < r.end; ih++ {
					row := d[ih*k.w+c.start : ih*k.w+c.end]
					for t := range row {
						row[t] += v
					}
				}
			}
		}
	}
}

// AdaptiveAvgPool2d averages a feature map down to a fixed size, as
// torch.nn.AdaptiveAvgPool2d: per-sample input [C, H, W], output
// [C, OutputSize[0], OutputSize[1]]. Output row i averages input rows
// ⌊i·H/Ho⌋ to ⌈(i+1)·H/Ho⌉ − 1, and likewise for columns, so windows may
// overlap and differ in size.
type AdaptiveAvgPool2d struct {
	OutputSize [2]int
}

// NewAdaptiveAvgPool2d returns an AdaptiveAvgPool2d to h×w outputs.
func NewAdaptiveAvgPool2d(h, w int) *AdaptiveAvgPool2d {
	return &AdaptiveAvgPool2d{OutputSize: [2]int{h, w}}
}

// Forward pools x [N, C, H, W].
func (p *AdaptiveAvgPool2d) Forward(x *autograd.Var, m Mode) *autograd.Var {
	return RunKernel(p, x, m)
}

// Describe returns "adaptive_avg_pool2d" with output_size [h, w].
func (p *AdaptiveAvgPool2d) Describe() Desc {
	return Desc{Op: "adaptive_avg_pool2d", Config: map[string]any{"output_size": pair(p.OutputSize)}}
}

// OutShape returns [C, Ho, Wo] for in = [C, H, W].
func (p *AdaptiveAvgPool2d) OutShape(in []int) ([]int, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("adaptive_avg_pool2d: want input [C, H, W], got %v", in)
	}
	if p.OutputSize[0] < 1 || p.OutputSize[1] < 1 {
		return nil, fmt.Errorf("adaptive_avg_pool2d: output_size must be positive, got %v", p.OutputSize)
	}
	return []int{in[0], p.OutputSize[0], p.OutputSize[1]}, nil
}

// Fuse returns the kernel: an average pool over precomputed windows.
func (p *AdaptiveAvgPool2d) Fuse(in []int, rows int) Kernel {
	out, err := p.OutShape(in)
	if err != nil {
		return nil
	}
	k := &avgPoolKernel{c: in[0], h: in[1], w: in[2], oh: out[1], ow: out[2]}
	k.rows = adaptiveWindows(in[1], out[1])
	k.cols = adaptiveWindows(in[2], out[2])
	k.div = make([]float32, out[1]*out[2])
	for i, r := range k.rows {
		for j, c := range k.cols {
			k.div[i*out[2]+j] = float32((r.end - r.start) * (c.end - c.start))
		}
	}
	return k
}

// adaptiveWindows returns PyTorch's adaptive windows: output i covers
// [⌊i·in/out⌋, ⌈(i+1)·in/out⌉).
func adaptiveWindows(in, out int) []window {
	ws := make([]window, out)
	for i := range ws {
		a := i * in / out
		b := ((i+1)*in + out - 1) / out
		ws[i] = window{a, b, a, b}
	}
	return ws
}

// pair returns p as the []int a Desc holds.
func pair(p [2]int) []int { return []int{p[0], p[1]} }

// poolOut returns PyTorch's pooling output size along one axis, or a value
// below 1 if the input is too small.
func poolOut(in, k, s, p, d int, ceil bool) int {
	num := in + 2*p - d*(k-1) - 1
	if ceil {
		num += s - 1
	}
	out := floorDiv(num, s) + 1
	// The last window must start inside the input or the left padding.
	if ceil && (out-1)*s >= in+p {
		out--
	}
	return out
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// poolShape checks the options and input of a 2-D pooling layer and
// returns its per-sample output shape.
func poolShape(op string, in []int, k, s, p, d [2]int, ceil bool) ([]int, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("%s: want input [C, H, W], got %v", op, in)
	}
	if err := checkPool(k, s, p, d); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	oh := poolOut(in[1], k[0], s[0], p[0], d[0], ceil)
	ow := poolOut(in[2], k[1], s[1], p[1], d[1], ceil)
	if oh < 1 || ow < 1 {
		return nil, fmt.Errorf("%s: input %v is too small for kernel_size %v with padding %v and dilation %v (output %d×%d)", op, in, k, p, d, oh, ow)
	}
	return []int{in[0], oh, ow}, nil
}

// checkPool checks pooling options as PyTorch does.
func checkPool(k, s, p, d [2]int) error {
	for i := range 2 {
		switch {
		case k[i] < 1:
			return fmt.Errorf("kernel_size must be positive, got %v", k)
		case s[i] < 1:
			return fmt.Errorf("stride must be positive, got %v", s)
		case d[i] < 1:
			return fmt.Errorf("dilation must be positive, got %v", d)
		case p[i] < 0 || p[i] > k[i]/2:
			return fmt.Errorf("padding must be between 0 and half of kernel_size %v, got %v", k, p)
		}
	}
	return nil
}

// poolPair reads an [h, w] option (an integer is h = w), or def when the
// option is absent or null (PyTorch's stride=None).
func poolPair(o Options, key string, def [2]int) ([2]int, error) {
	if v, ok := o[key]; !ok || v == nil {
		return def, nil
	}
	v, err := o.Ints(key, 2, nil)
	if err != nil {
		return def, err
	}
	return [2]int{v[0], v[1]}, nil
}

// maxPoolSize bounds kernel, stride, padding and dilation, so a typo
// cannot ask for a window of billions of elements.
const maxPoolSize = 1 << 16

func readPool(o Options, dilation bool) (k, s, p, d [2]int, err error) {
	if _, ok := o["kernel_size"]; !ok {
		return k, s, p, d, fmt.Errorf("kernel_size is required")
	}
	d = [2]int{1, 1}
	if k, err = poolPair(o, "kernel_size", k); err != nil {
		return
	}
	if s, err = poolPair(o, "stride", k); err != nil {
		return
	}
	if p, err = poolPair(o, "padding", p); err != nil {
		return
	}
	if dilation {
		if d, err = poolPair(o, "dilation", d); err != nil {
			return
		}
	}
	for _, v := range [][2]int{k, s, p, d} {
		if v[0] > maxPoolSize || v[1] > maxPoolSize {
			return k, s, p, d, fmt.Errorf("pooling sizes must be at most %d, got kernel_size %v, stride %v, padding %v, dilation %v", maxPoolSize, k, s, p, d)
		}
	}
	err = checkPool(k, s, p, d)
	return
}

func init() {
	Register("max_pool2d", "kernel_size", func(o Options, in []int, _ *tensor.RNG) (Layer, error) {
		if err := o.Allow("kernel_size", "stride", "padding", "dilation", "ceil_mode"); err != nil {
			return nil, err
		}
		k, s, p, d, err := readPool(o, true)
		if err != nil {
			return nil, err
		}
		ceil, err := o.Bool("ceil_mode", false)
		if err != nil {
			return nil, err
		}
		l := &MaxPool2d{KernelSize: k, Stride: s, Padding: p, Dilation: d, CeilMode: ceil}
		if _, err := l.OutShape(in); err != nil {
			return nil, err
		}
		return l, nil
	})
	Register("avg_pool2d", "kernel_size", func(o Options, in []int, _ *tensor.RNG) (Layer, error) {
		if err := o.Allow("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"); err != nil {
			return nil, err
		}
		k, s, p, _, err := readPool(o, false)
		if err != nil {
			return nil, err
		}
		ceil, err := o.Bool("ceil_mode", false)
		if err != nil {
			return nil, err
		}
		inc, err := o.Bool("count_include_pad", true)
		if err != nil {
			return nil, err
		}
		l := &AvgPool2d{KernelSize: k, Stride: s, Padding: p, CeilMode: ceil, CountIncludePad: inc}
		if _, err := l.OutShape(in); err != nil {
			return nil, err
		}
		return l, nil
	})
	Register("adaptive_avg_pool2d", "output_size", func(o Options, in []int, _ *tensor.RNG) (Layer, error) {
		if err := o.Allow("output_size"); err != nil {
			return nil, err
		}
		if _, ok := o["output_size"]; !ok {
			return nil, fmt.Errorf("output_size is required")
		}
		size, err := poolPair(o, "output_size", [2]int{})
		if err != nil {
			return nil, err
		}
		if size[0] < 1 || size[1] < 1 || size[0] > maxPoolSize || size[1] > maxPoolSize {
			return nil, fmt.Errorf("output_size must be between 1 and %d, got %v", maxPoolSize, size)
		}
		l := &AdaptiveAvgPool2d{OutputSize: size}
		if _, err := l.OutShape(in); err != nil {
			return nil, err
		}
		return l, nil
	})
}
