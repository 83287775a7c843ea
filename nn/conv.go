package nn

import (
	"fmt"
	"math"
	"strings"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Conv2d is a 2-d convolution (a cross-correlation, as in every deep
// learning library), PyTorch's nn.Conv2d. Input [N, In, H, W], output
// [N, Out, Ho, Wo] with
//
//	Ho = ⌊(H + padding_top + padding_bottom − Dilation[0]·(Kernel[0]−1) − 1) / Stride[0]⌋ + 1
//
// and likewise for Wo. Output channel co of group g = co/(Out/Groups) sees
// only input channels [g·In/Groups, (g+1)·In/Groups): Groups = In is a
// depthwise convolution. Weight is [Out, In/Groups, kh, kw] and Bias [Out]
// (or nil), PyTorch's layout.
//
// The fields other than In, Out, Kernel, Groups and the parameters may be
// changed after NewConv2d; OutShape says whether they fit an input.
type Conv2d struct {
	In, Out  int
	Kernel   [2]int
	Stride   [2]int
	Padding  [2]int // zeros added on each side, when PadMode is ""
	Dilation [2]int
	// PadMode is "" for the explicit Padding, "valid" for none, or "same"
	// for the padding that keeps the input size at stride 1: Dilation·
	// (Kernel−1) in all, half before and the rest (one more when it is
	// odd) after, as PyTorch pads.
	PadMode string
	Groups  int
	Weight  *autograd.Var
	Bias    *autograd.Var
}

// NewConv2d returns a Conv2d with stride 1, no padding and dilation 1,
// initialised as torch.nn.Conv2d is: weights from kaiming_uniform(a = √5),
// which is U(±1/√fan_in) with fan_in = In/Groups·kh·kw, and biases from
// U(±1/√fan_in). It panics if a size is not positive or groups does not
// divide in and out.
func NewConv2d(in, out int, kernel [2]int, groups int, bias bool, rng *tensor.RNG) *Conv2d {
	checkConvSizes("NewConv2d", in, out, kernel[:], groups)
	c := &Conv2d{In: in, Out: out, Kernel: kernel, Stride: [2]int{1, 1}, Dilation: [2]int{1, 1}, Groups: groups}
	c.Weight, c.Bias = convParams([]int{out, in / groups, kernel[0], kernel[1]}, out, bias, rng)
	return c
}

// checkConvSizes panics on sizes a constructor cannot work with.
func checkConvSizes(fn string, in, out int, kernel []int, groups int) {
	ok := in > 0 && out > 0 && groups > 0 && in%groups == 0 && out%groups == 0
	for _, k := range kernel {
		ok = ok && k > 0
	}
	if !ok {
		panic(fmt.Sprintf("nn: %s: want positive sizes and groups dividing both channel counts, got in=%d out=%d kernel=%v groups=%d", fn, in, out, kernel, groups))
	}
}

// convParams makes a convolution's weight of the given shape and its bias
// of n elements, initialised as PyTorch's _ConvNd.reset_parameters: both
// from U(±1/√fan_in), fan_in counted by Fans.
func convParams(shape []int, n int, bias bool, rng *tensor.RNG) (w, b *autograd.Var) {
	w = autograd.Param(tensor.Zeros(shape...))
	KaimingUniform(w.Value, rng, math.Sqrt(5), FanIn, "leaky_relu")
	if bias {
		b = autograd.Param(tensor.Zeros(n))
		fanIn, _ := Fans(w.Value)
		bound := 1 / math.Sqrt(float64(fanIn))
		Uniform(b.Value, rng, -bound, bound)
	}
	return w, b
}

// Forward returns the convolution of x with Weight, plus Bias.
func (c *Conv2d) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(c, x, m) }

// Describe returns "conv2d" with out_channels, kernel_size, stride,
// padding (a pair, or "same" or "valid"), dilation, groups and bias.
func (c *Conv2d) Describe() Desc {
	var pad any = []int{c.Padding[0], c.Padding[1]}
	if c.PadMode != "" {
		pad = c.PadMode
	}
	return Desc{Op: "conv2d", Config: map[string]any{
		"out_channels": c.Out,
		"kernel_size":  []int{c.Kernel[0], c.Kernel[1]},
		"stride":       []int{c.Stride[0], c.Stride[1]},
		"padding":      pad,
		"dilation":     []int{c.Dilation[0], c.Dilation[1]},
		"groups":       c.Groups,
		"bias":         c.Bias != nil,
	}}
}

// OutShape returns [Out, Ho, Wo] for an input [In, H, W].
func (c *Conv2d) OutShape(in []int) ([]int, error) {
	g, err := c.geom(in)
	if err != nil {
		return nil, err
	}
	return []int{g.o, g.ho, g.wo}, nil
}

// Params returns "weight" and, if present, "bias".
func (c *Conv2d) Params() []Param { return convParamList(c.Weight, c.Bias) }

func convParamList(w, b *autograd.Var) []Param {
	ps := []Param{{Name: "weight", Var: w}}
	if b != nil {
		ps = append(ps, Param{Name: "bias", Var: b})
	}
	return ps
}

// Fuse returns the kernel: im2col and matrix products over several
// samples at a time, or direct loops for a depthwise convolution.
func (c *Conv2d) Fuse(in []int, rows int) Kernel {
	g, err := c.geom(in)
	if err != nil {
		return nil
	}
	return &convKernel{g: g, impl: newConvImpl(g, rows), w: c.Weight, b: c.Bias}
}

// geom checks c's settings against the input shape in and returns the
// geometry of the convolution.
func (c *Conv2d) geom(in []int) (convGeom, error) {
	if len(in) != 3 {
		return convGeom{}, fmt.Errorf("conv2d: want input [channels, height, width], got %v", in)
	}
	s := convSettings{
		op: "conv2d", in: c.In, out: c.Out, groups: c.Groups, padMode: c.PadMode,
		kernel: c.Kernel[:], stride: c.Stride[:], padding: c.Padding[:], dilation: c.Dilation[:],
	}
	return s.geom(in[0], in[1:])
}

// convSettings are the options of a convolution, with one entry per
// spatial dimension (one or two) in each list.
type convSettings struct {
	op                                string
	in, out, groups                   int
	kernel, stride, padding, dilation []int
	outputPadding                     []int // transposed convolutions only
	padMode                           string
	transpose                         bool
}

// check returns an error naming the first option that cannot work,
// whatever the input.
func (s *convSettings) check() error {
	for _, o := range []struct {
		name string
		v    []int
		min  int
	}{{"kernel_size", s.kernel, 1}, {"stride", s.stride, 1}, {"padding", s.padding, 0}, {"dilation", s.dilation, 1}} {
		for _, v := range o.v {
			if v < o.min {
				if o.min == 0 {
					return fmt.Errorf("%s must not be negative, got %s", o.name, fmtDims(o.v))
				}
				return fmt.Errorf("%s must be positive, got %s", o.name, fmtDims(o.v))
			}
		}
	}
	if s.groups < 1 {
		return fmt.Errorf("groups must be positive, got %d", s.groups)
	}
	if s.in%s.groups != 0 || s.out%s.groups != 0 {
		return fmt.Errorf("groups %d must divide in_channels %d and out_channels %d", s.groups, s.in, s.out)
	}
	switch s.padMode {
	case "", "valid":
	case "same":
		for _, st := range s.stride {
			if st != 1 {
				return fmt.Errorf(`padding "same" needs stride 1, got stride %s`, fmtDims(s.stride))
			}
		}
	default:
		return fmt.Errorf("padding: want an integer, a list, \"same\" or \"valid\", got %q", s.padMode)
	}
	for d, op := range s.outputPadding {
		if op < 0 || (op >= s.stride[d] && op >= s.dilation[d]) {
			return fmt.Errorf("output_padding %s must be smaller than stride %s or dilation %s", fmtDims(s.outputPadding), fmtDims(s.stride), fmtDims(s.dilation))
		}
	}
	return nil
}

// pads returns the padding before and after the input in dimension d.
func (s *convSettings) pads(d int) (before, after int) {
	switch s.padMode {
	case "valid":
		return 0, 0
	case "same":
		total := s.dilation[d] * (s.kernel[d] - 1)
		return total / 2, total - total/2
	}
	return s.padding[d], s.padding[d]
}

// geom returns the geometry for an input of channels × size (size holds
// one or two spatial dimensions), or an error saying why it does not fit.
func (s *convSettings) geom(channels int, size []int) (convGeom, error) {
	if err := s.check(); err != nil {
		return convGeom{}, fmt.Errorf("%s: %w", s.op, err)
	}
	if channels != s.in {
		return convGeom{}, fmt.Errorf("%s: want %d input channels, got %d (input %v)", s.op, s.in, channels, append([]int{channels}, size...))
	}
	for _, d := range size {
		if d < 1 {
			return convGeom{}, fmt.Errorf("%s: input size must be positive, got %v", s.op, size)
		}
	}
	// Two dimensions throughout: a 1-d convolution is one row high.
	ext := func(v []int, one int) [2]int {
		if len(v) == 1 {
			return [2]int{one, v[0]}
		}
		return [2]int{v[0], v[1]}
	}
	sz, k, st, dl := ext(size, 1), ext(s.kernel, 1), ext(s.stride, 1), ext(s.dilation, 1)
	var before, after, outSz [2]int
	for d := 0; d < 2; d++ {
		if len(size) == 1 && d == 0 {
			continue
		}
		dd := d - (2 - len(size))
		before[d], after[d] = s.pads(dd)
		if s.transpose {
			outSz[d] = (sz[d]-1)*st[d] - before[d] - after[d] + dl[d]*(k[d]-1) + s.outputPadding[dd] + 1
			if outSz[d] < 1 {
				return convGeom{}, fmt.Errorf("%s: the output of input %v would be empty: padding %s is too large for kernel_size %s and stride %s",
					s.op, size, fmtDims(s.padding), fmtDims(s.kernel), fmtDims(s.stride))
			}
			continue
		}
		span := dl[d]*(k[d]-1) + 1
		if padded := sz[d] + before[d] + after[d]; padded < span {
			padIn := make([]int, len(size))
			for i := range size {
				b, a := s.pads(i)
				padIn[i] = size[i] + b + a
			}
			what := "kernel_size " + fmtDims(s.kernel)
			for _, v := range s.dilation {
				if v != 1 {
					what += " with dilation " + fmtDims(s.dilation)
					break
				}
			}
			return convGeom{}, fmt.Errorf("%s: %s is larger than the padded input %s", s.op, what, strings.Join(intStrings(padIn), "×"))
		}
		outSz[d] = (sz[d]+before[d]+after[d]-span)/st[d] + 1
	}
	if len(size) == 1 {
		outSz[0] = 1
	}
	g := convGeom{kh: k[0], kw: k[1], sh: st[0], sw: st[1], ph: before[0], pw: before[1], dh: dl[0], dw: dl[1], groups: s.groups}
	if s.transpose {
		// The transposed convolution's output is the image of the
		// convolution it transposes, its input that convolution's output.
		g.c, g.h, g.w = s.out, outSz[0], outSz[1]
		g.o, g.ho, g.wo = s.in, sz[0], sz[1]
	} else {
		g.c, g.h, g.w = s.in, sz[0], sz[1]
		g.o, g.ho, g.wo = s.out, outSz[0], outSz[1]
	}
	return g, nil
}

// fmtDims writes sizes as "3" when all are equal and as "3×5" otherwise.
func fmtDims(v []int) string {
	if len(v) == 0 {
		return "[]"
	}
	for _, x := range v[1:] {
		if x != v[0] {
			return strings.Join(intStrings(v), "×")
		}
	}
	return fmt.Sprint(v[0])
}

func intStrings(v []int) []string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return s
}

// convKernel runs Conv1d, Conv2d and ConvTranspose2d. For a transposed
// convolution the roles of the image and the columns of g swap: its input
// is g's output side and its output g's image.
type convKernel struct {
	g         convGeom
	impl      convImpl
	w, b      *autograd.Var
	transpose bool
}

func (k *convKernel) Forward(y, x []float32, n int, _ Mode) {
	g, w := &k.g, k.w.Value.Data()
	var bias []float32
	if k.b != nil {
		bias = k.b.Value.Data()
	}
	if !k.transpose {
		k.impl.conv(y[:n*g.outSize()], x[:n*g.imgSize()], w, bias, n, false)
		return
	}
	y = y[:n*g.imgSize()]
	clear(y)
	k.impl.convT(y, x[:n*g.outSize()], w, n)
	if bias != nil {
		hw := g.h * g.w
		for s := 0; s < n; s++ {
			for c := 0; c < g.c; c++ {
				addScalar(y[(s*g.c+c)*hw:(s*g.c+c+1)*hw], bias[c])
			}
		}
	}
}

// OutputFree marks that Backward never reads y: a ReLU after a
// convolution may run in place.
func (k *convKernel) OutputFree() {}

func (k *convKernel) Backward(dx, dy, x, _ []float32, n int) {
	g, w := &k.g, k.w.Value.Data()
	gw, gb := gradOf(k.w), gradOf(k.b)
	var img, out []float32
	if k.transpose {
		img, out = dy[:n*g.imgSize()], x[:n*g.outSize()]
	} else {
		img, out = x[:n*g.imgSize()], dy[:n*g.outSize()]
	}
	var dimg, dout []float32
	if dx != nil && k.transpose {
		dout = dx[:n*g.outSize()]
	} else if dx != nil {
		dimg = dx[:n*g.imgSize()]
	}
	if k.transpose {
		k.impl.backwardT(dout, gw, img, out, w, n)
	} else {
		k.impl.backward(dimg, gw, img, out, w, n)
	}
	if gb != nil {
		if k.transpose {
			sumChannels(gb, dy, n, g.c, g.h*g.w)
		} else {
			sumChannels(gb, dy, n, g.o, g.ho*g.wo)
		}
	}
}

// parseConv reads the options of a convolution with dims spatial
// dimensions from a spec, for in input channels.
func parseConv(op string, o Options, in, dims int, transpose bool) (convSettings, bool, error) {
	allowed := []string{"out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"}
	if transpose {
		allowed = []string{"out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias", "dilation"}
	}
	s := convSettings{op: op, in: in, transpose: transpose}
	if err := o.Allow(allowed...); err != nil {
		return s, false, err
	}
	if in < 1 {
		return s, false, fmt.Errorf("%s: want at least one input channel, got %d", op, in)
	}
	var err error
	if s.out, err = o.Positive("out_channels"); err != nil {
		return s, false, err
	}
	if _, ok := o["kernel_size"]; !ok {
		return s, false, fmt.Errorf("kernel_size is required")
	}
	ones, zeros := make([]int, dims), make([]int, dims)
	for i := range ones {
		ones[i] = 1
	}
	if s.kernel, err = o.Ints("kernel_size", dims, nil); err != nil {
		return s, false, err
	}
	if s.stride, err = o.Ints("stride", dims, ones); err != nil {
		return s, false, err
	}
	if s.dilation, err = o.Ints("dilation", dims, ones); err != nil {
		return s, false, err
	}
	if mode, isString := o["padding"].(string); isString && !transpose {
		if mode != "same" && mode != "valid" {
			return s, false, fmt.Errorf("padding: want an integer, a list of %d, \"same\" or \"valid\", got %q", dims, mode)
		}
		s.padMode, s.padding = mode, zeros
	} else if s.padding, err = o.Ints("padding", dims, zeros); err != nil {
		return s, false, err
	}
	if transpose {
		if s.outputPadding, err = o.Ints("output_padding", dims, zeros); err != nil {
			return s, false, err
		}
	}
	if s.groups, err = o.Int("groups", 1); err != nil {
		return s, false, err
	}
	bias, err := o.Bool("bias", true)
	if err != nil {
		return s, false, err
	}
	if err := s.check(); err != nil {
		return s, false, err
	}
	wIn, wOut := s.out, s.in/s.groups
	if transpose {
		wIn, wOut = s.in, s.out/s.groups
	}
	if err := checkParams("out_channels × in_channels/groups × kernel_size:", append([]int{wIn, wOut}, s.kernel...)...); err != nil {
		return s, false, err
	}
	return s, bias, nil
}

func init() {
	Register("conv2d", "out_channels", func(o Options, in []int, rng *tensor.RNG) (Layer, error) {
		if len(in) != 3 {
			return nil, fmt.Errorf("conv2d: want input [channels, height, width], got %v", in)
		}
		s, bias, err := parseConv("conv2d", o, in[0], 2, false)
		if err != nil {
			return nil, err
		}
		c := NewConv2d(s.in, s.out, [2]int{s.kernel[0], s.kernel[1]}, s.groups, bias, rng)
		c.Stride = [2]int{s.stride[0], s.stride[1]}
		c.Padding = [2]int{s.padding[0], s.padding[1]}
		c.Dilation = [2]int{s.dilation[0], s.dilation[1]}
		c.PadMode = s.padMode
		if _, err := c.OutShape(in); err != nil {
			return nil, err
		}
		return c, nil
	})
}
