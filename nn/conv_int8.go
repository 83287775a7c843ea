package nn

import (
	"fmt"
	"math"
	"runtime"
	"sync/atomic"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/tensor"
)

// Conv2dInt8 is Conv2d (groups 1) with int8 weights, for inference:
// W[o][ci][i][j] = Scale[o]·Weight[o][ci][i][j], Weight whole numbers in
// −128…127 with one symmetric scale per output channel. Input
// [N, In, H, W], output [N, Out, Ho, Wo], with Ho and Wo as Conv2d has
// them.
//
// Each sample is unfolded into patch rows, one per output position, of
// K = In·kh·kw values each; every row is quantized on its own to 7-bit
// unsigned integers, as LinearInt8 quantizes its input rows (so a
// sample's answer never depends on the other samples of its batch), and
// the rows are multiplied by the packed [Out, K] weights in integer
// arithmetic (kernel.Int8Linear).
//
// Its tensors are buffers, not parameters: it does not train. They are
// saved as "weight" (I8, [Out, In, kh, kw]), "weight_scale" (F32, [Out])
// and "bias" (F32, [Out], if present). Weight holds the int8 values as
// float32; after changing Weight or Scale in place, call Prepare.
type Conv2dInt8 struct {
	In, Out  int
	Kernel   [2]int
	Stride   [2]int
	Padding  [2]int // zeros added on each side, when PadMode is ""
	Dilation [2]int
	PadMode  string // "", "valid" or "same", as in Conv2d
	Weight   *tensor.Tensor
	Scale    *tensor.Tensor
	Bias     *tensor.Tensor
	packed   *kernel.Int8Matrix
}

// kdim is the length of one patch row: In·kh·kw.
func (c *Conv2dInt8) kdim() int { return c.In * c.Kernel[0] * c.Kernel[1] }

// Prepare checks the buffers (whole numbers in −128…127, finite scales
// ≥ 0, a finite bias) and packs the weights for the int8 kernels.
// LoadWeights calls it after filling the buffers in.
func (c *Conv2dInt8) Prepare() error {
	kh, kw := c.Kernel[0], c.Kernel[1]
	w := c.Weight.Data()
	for i, v := range w {
		if v < -128 || v > 127 || v != float32(math.Trunc(float64(v))) {
			o, r := i/(c.In*kh*kw), i%(c.In*kh*kw)
			return fmt.Errorf("weight[%d][%d][%d][%d] is %v, want a whole number in -128…127", o, r/(kh*kw), r/kw%kh, r%kw, v)
		}
	}
	for o, v := range c.Scale.Data() {
		if !(v >= 0) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("weight_scale[%d] is %v, want a finite number ≥ 0", o, v)
		}
	}
	if c.Bias != nil {
		for o, v := range c.Bias.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("bias[%d] is %v, want a finite number", o, v)
			}
		}
	}
	// The patch rows run over (i, j, ci), channels innermost (see
	// unfoldRows), so the weights are packed in that order.
	qw := make([]int8, len(w))
	in := c.In
	for o := range c.Out {
		for ci := range in {
			for i := range kh {
				for j := range kw {
					qw[o*in*kh*kw+(i*kw+j)*in+ci] = int8(w[((o*in+ci)*kh+i)*kw+j])
				}
			}
		}
	}
	c.packed = kernel.PackInt8(qw, c.Out, c.kdim())
	return nil
}

// Forward returns the convolution of x with Scale·Weight, plus Bias,
// computed in int8.
func (c *Conv2dInt8) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(c, x, m) }

// Describe returns "conv2d_int8" with out_channels, kernel_size, stride,
// padding (a pair, or "same" or "valid"), dilation and bias.
func (c *Conv2dInt8) Describe() Desc {
	var pad any = []int{c.Padding[0], c.Padding[1]}
	if c.PadMode != "" {
		pad = c.PadMode
	}
	return Desc{Op: "conv2d_int8", Config: map[string]any{
		"out_channels": c.Out,
		"kernel_size":  []int{c.Kernel[0], c.Kernel[1]},
		"stride":       []int{c.Stride[0], c.Stride[1]},
		"padding":      pad,
		"dilation":     []int{c.Dilation[0], c.Dilation[1]},
		"bias":         c.Bias != nil,
	}}
}

// OutShape returns [Out, Ho, Wo] for an input [In, H, W].
func (c *Conv2dInt8) OutShape(in []int) ([]int, error) {
	g, err := c.geom(in)
	if err != nil {
		return nil, err
	}
	return []int{g.o, g.ho, g.wo}, nil
}

func (c *Conv2dInt8) geom(in []int) (convGeom, error) {
	if len(in) != 3 {
		return convGeom{}, fmt.Errorf("conv2d_int8: want input [channels, height, width], got %v", in)
	}
	s := convSettings{
		op: "conv2d_int8", in: c.In, out: c.Out, groups: 1, padMode: c.PadMode,
		kernel: c.Kernel[:], stride: c.Stride[:], padding: c.Padding[:], dilation: c.Dilation[:],
	}
	return s.geom(in[0], in[1:])
}

// Buffers returns "weight" (marked Int8), "weight_scale" and, if
// present, "bias".
func (c *Conv2dInt8) Buffers() []Buffer {
	bs := []Buffer{{Name: "weight", Value: c.Weight, Int8: true}, {Name: "weight_scale", Value: c.Scale}}
	if c.Bias != nil {
		bs = append(bs, Buffer{Name: "bias", Value: c.Bias})
	}
	return bs
}

// Fuse returns the kernel, with scratch buffers for each goroutine that
// shares a batch.
func (c *Conv2dInt8) Fuse(in []int, rows int) Kernel {
	g, err := c.geom(in)
	if err != nil {
		return nil
	}
	return &convInt8Kernel{c: c, g: g}
}

// convInt8Kernel runs Conv2dInt8 sample by sample: unfold, int8 product,
// scatter. A batch of several samples is shared among goroutines, each
// with scratch of its own taking whole samples, so every sample is
// computed by the same steps whatever the number of threads.
type convInt8Kernel struct {
	c       *Conv2dInt8
	g       convGeom
	workers []*convInt8Worker
	job     forJob
	next    atomic.Int64 // the next sample to take
	n       int
	y, x    []float32
}

// convInt8Worker is one goroutine's scratch: the sample's zero-padded
// image with channels last, its patch rows [P, K], their products
// [P, Out], and the int8 kernel's buffers.
type convInt8Worker struct {
	img, rows, prod []float32
	scratch         kernel.Int8Scratch
}

func (k *convInt8Kernel) Forward(y, x []float32, n int, _ Mode) {
	if k.c.packed == nil {
		panic("nn: conv2d_int8: weights not prepared (call Prepare after setting them)")
	}
	g := &k.g
	workers := min(n, runtime.GOMAXPROCS(0))
	for len(k.workers) < workers {
		k.workers = append(k.workers, &convInt8Worker{})
	}
	k.n, k.y, k.x = n, y[:n*g.outSize()], x[:n*g.imgSize()]
	k.next.Store(0)
	k.job.parallelFor(k, workers, n*g.ho*g.wo*(g.kdim()+g.o))
	k.y, k.x = nil, nil
}

// run is worker i's loop: it takes samples until none is left.
func (k *convInt8Kernel) run(i int) {
	wk := k.workers[i]
	for {
		s := int(k.next.Add(1) - 1)
		if s >= k.n {
			return
		}
		k.sample(wk, s)
	}
}

// sample computes sample s of the batch in flight on wk's scratch.
func (k *convInt8Kernel) sample(wk *convInt8Worker, s int) {
	c, g := k.c, &k.g
	p, kd := g.ho*g.wo, g.kdim()
	wk.rows = resizeFloats(wk.rows, p*kd)
	wk.prod = resizeFloats(wk.prod, p*g.o)
	if wk.img == nil {
		hp, wp := g.padded()
		wk.img = make([]float32, hp*wp*g.c) // its border stays zero
	}
	g.unfoldRows(wk.rows, wk.img, k.x[s*g.imgSize():(s+1)*g.imgSize()])
	var bias []float32
	if c.Bias != nil {
		bias = c.Bias.Data()
	}
	kernel.Int8Linear(wk.prod, wk.rows, p, c.packed, c.Scale.Data(), bias, &wk.scratch)
	transposeInto(k.y[s*g.outSize():(s+1)*g.outSize()], wk.prod, p, g.o)
}

// Backward panics: an int8 layer does not train, and training refuses a
// network that holds one before it starts.
func (k *convInt8Kernel) Backward(dx, dy, x, y []float32, n int) {
	panic("nn: conv2d_int8: no backward pass: int8 layers are for inference")
}

func resizeFloats(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

// padded returns the size of the zero-padded image that every patch of
// g reads inside: the padding before, the image, and as much after as the
// last patch reaches.
func (g *convGeom) padded() (hp, wp int) {
	hp = max(g.ph+g.h, (g.ho-1)*g.sh+g.dh*(g.kh-1)+1)
	wp = max(g.pw+g.w, (g.wo-1)*g.sw+g.dw*(g.kw-1)+1)
	return hp, wp
}

// unfoldRows writes one sample's image x (c × h × w) as patch rows, one
// row of K = c·kh·kw values per output position, channels innermost:
//
//	rows[(oh·wo+ow)·K + (i·kw+j)·c+ci] = x[ci][oh·sh−ph+i·dh][ow·sw−pw+j·dw]  (0 outside)
//
// It first copies x, channels last, into the zero-padded image img
// (padded() in size, whose border it leaves as it finds it: zeros), so
// that each patch row is kh runs of kw·c consecutive values (kh·kw runs
// of c with dilation). It only serves groups = 1.
func (g *convGeom) unfoldRows(rows, img, x []float32) {
	c := g.c
	hp, wp := g.padded()
	_ = img[hp*wp*c-1]
	for ci := 0; ci < c; ci++ {
		for ih := 0; ih < g.h; ih++ {
			src := x[(ci*g.h+ih)*g.w : (ci*g.h+ih+1)*g.w]
			dst := img[((ih+g.ph)*wp+g.pw)*c+ci:]
			for iw, v := range src {
				dst[iw*c] = v
			}
		}
	}
	kd, run := c*g.kh*g.kw, g.kw*c
	for oh := 0; oh < g.ho; oh++ {
		for ow := 0; ow < g.wo; ow++ {
			r := rows[(oh*g.wo+ow)*kd : (oh*g.wo+ow+1)*kd]
			for i := 0; i < g.kh; i++ {
				base := ((oh*g.sh+i*g.dh)*wp + ow*g.sw) * c
				if g.dw == 1 {
					copyRun(r[i*run:(i+1)*run], img[base:base+run])
					continue
				}
				for j := 0; j < g.kw; j++ {
					at := base + j*g.dw*c
					copyRun(r[(i*g.kw+j)*c:(i*g.kw+j+1)*c], img[at:at+c])
				}
			}
		}
	}
}

// copyRun is copy for the short runs of unfoldRows, where a loop costs
// less than a call to memmove.
func copyRun(dst, src []float32) {
	if len(src) > 16 {
		copy(dst, src)
		return
	}
	dst = dst[:len(src)]
	//lint:ignore S1001 the loop is the point: copy would call memmove
	for k, v := range src {
		dst[k] = v
	}
}

// transposeInto writes the p × o matrix m into dst as o × p, eight rows
// of m at a time, so that each output channel is written eight
// consecutive values at a time rather than one.
func transposeInto(dst, m []float32, p, o int) {
	_ = dst[o*p-1]
	_ = m[p*o-1]
	r := 0
	for ; r+8 <= p; r += 8 {
		m0 := m[r*o : (r+8)*o]
		for co := 0; co < o; co++ {
			d := dst[co*p+r : co*p+r+8 : co*p+r+8]
			d[0], d[1], d[2], d[3] = m0[co], m0[o+co], m0[2*o+co], m0[3*o+co]
			d[4], d[5], d[6], d[7] = m0[4*o+co], m0[5*o+co], m0[6*o+co], m0[7*o+co]
		}
	}
	for ; r < p; r++ {
		for co, v := range m[r*o : (r+1)*o] {
			dst[co*p+r] = v
		}
	}
}

func init() {
	Register("conv2d_int8", "out_channels", func(o Options, in []int, _ *tensor.RNG) (Layer, error) {
		if len(in) != 3 {
			return nil, fmt.Errorf("conv2d_int8: want input [channels, height, width], got %v", in)
		}
		s, bias, err := parseConv("conv2d_int8", o, in[0], 2, false)
		if err != nil {
			return nil, err
		}
		if s.groups != 1 {
			return nil, fmt.Errorf("conv2d_int8: groups must be 1, got %d (grouped convolutions stay float32)", s.groups)
		}
		c := &Conv2dInt8{
			In: s.in, Out: s.out,
			Kernel:   [2]int{s.kernel[0], s.kernel[1]},
			Stride:   [2]int{s.stride[0], s.stride[1]},
			Padding:  [2]int{s.padding[0], s.padding[1]},
			Dilation: [2]int{s.dilation[0], s.dilation[1]},
			PadMode:  s.padMode,
			Weight:   tensor.Zeros(s.out, s.in, s.kernel[0], s.kernel[1]),
			Scale:    tensor.Zeros(s.out),
		}
		if bias {
			c.Bias = tensor.Zeros(s.out)
		}
		if _, err := c.OutShape(in); err != nil {
			return nil, err
		}
		return c, c.Prepare()
	})
}
