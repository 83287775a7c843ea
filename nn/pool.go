package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
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

// Fuse returns a kernel that keeps each output's argmax for the backward
// pass.
func (p *MaxPool2d) Fuse(in []int, rows int) Kernel {
	out, err := p.OutShape(in)
	if err != nil {
		return nil
	}
	k := &maxPoolKernel{p: p, c: in[0], h: in[1], w: in[2], oh: out[1], ow: out[2]}
	k.rows = maxWindows(in[1], out[1], p.KernelSize[0], p.Stride[0], p.Padding[0], p.Dilation[0])
	k.cols = maxWindows(in[2], out[2], p.KernelSize[1], p.Stride[1], p.Padding[1], p.Dilation[1])
	k.arg = make([]int32, rows*Size(out))
	return k
}

type maxPoolKernel struct {
	p               *MaxPool2d
	c, h, w, oh, ow int
	rows, cols      []window
	arg             []int32 // index within its input plane of each output's maximum
}

func (k *maxPoolKernel) Forward(y, x []float32, n int, _ Mode) {
	p := k.p
	hw, ohw := k.h*k.w, k.oh*k.ow
	dh, dw := p.Dilation[0], p.Dilation[1]
	for plane := range n * k.c {
		in := x[plane*hw : (plane+1)*hw]
		out := y[plane*ohw : (plane+1)*ohw]
		arg := k.arg[plane*ohw : (plane+1)*ohw]
		for oh, r := range k.rows {
			for ow, c := range k.cols {
				o := oh*k.ow + ow
				if r.start >= r.end || c.start >= c.end {
					// Dilation can step a window over the whole input
					// (kernel 2, dilation 2, padding 1 on one row):
					// nothing to take the maximum of, and no gradient.
					out[o], arg[o] = float32(math.Inf(-1)), -1
					continue
				}
				// PyTorch's rule: strictly greater, or NaN, replaces, so
				// the first maximum wins and NaN propagates.
				// The selection is done on bits, without a branch: on
				// real data "is this the new maximum" is a coin toss that
				// a branch predictor loses half the time.
				at := int32(r.start*k.w + c.start)
				best := math.Float32bits(in[at])
				if r.end-r.start == 2 && c.end-c.start == 2 && dh == 1 && dw == 1 {
					// The common 2×2 window, unrolled.
					i, w := at, int32(k.w)
					q := in[i : i+w+2]
					best, at = pick(best, at, q[1], i+1)
					best, at = pick(best, at, q[w], i+w)
					best, at = pick(best, at, q[w+1], i+w+1)
					out[o], arg[o] = math.Float32frombits(best), at
					continue
				}
				for ih := r.start; ih < r.end; ih += dh {
					row := ih * k.w
					for iw := c.start; iw < c.end; iw += dw {
						best, at = pick(best, at, in[row+iw], int32(row+iw))
					}
				}
				out[o], arg[o] = math.Float32frombits(best), at
			}
		}
	}
}

// pick returns v and i if v replaces the maximum so far, best (as bits)
// at index at, by PyTorch's rule: v is greater, or NaN.
func pick(best uint32, at int32, v float32, i int32) (uint32, int32) {
	// v > best and v ≠ v exclude each other, so != is their "or".
	take := (v > math.Float32frombits(best)) != (v != v)
	var mask int32
	if take {
		mask = -1
	}
	best ^= (best ^ math.Float32bits(v)) & uint32(mask)
	at ^= (at ^ i) & mask
	return best, at
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

func (k *maxPoolKernel) Backward(dx, dy, _, _ []float32, n int) {
	if dx == nil {
		return
	}
	hw, ohw := k.h*k.w, k.oh*k.ow
	for plane := range n * k.c {
		d := dx[plane*hw : (plane+1)*hw]
		g := dy[plane*ohw : (plane+1)*ohw]
		for i, at := range k.arg[plane*ohw : (plane+1)*ohw] {
			if at >= 0 {
				d[at] += g[i]
			}
		}
	}
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
