package nn

import (
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Conv1d is a 1-d convolution, PyTorch's nn.Conv1d: input [N, In, L],
// output [N, Out, Lo] with
//
//	Lo = ⌊(L + padding_left + padding_right − Dilation·(Kernel−1) − 1) / Stride⌋ + 1.
//
// Groups, padding modes and the parameters are as in Conv2d: Weight is
// [Out, In/Groups, Kernel] and Bias [Out] (or nil).
//
// The fields other than In, Out, Kernel, Groups and the parameters may be
// changed after NewConv1d; OutShape says whether they fit an input.
type Conv1d struct {
	In, Out  int
	Kernel   int
	Stride   int
	Padding  int // zeros added on each side, when PadMode is ""
	Dilation int
	// PadMode is "", "valid" or "same", as in Conv2d.
	PadMode string
	Groups  int
	Weight  *autograd.Var
	Bias    *autograd.Var
}

// NewConv1d returns a Conv1d with stride 1, no padding and dilation 1,
// initialised as torch.nn.Conv1d is (see NewConv2d). It panics if a size
// is not positive or groups does not divide in and out.
func NewConv1d(in, out, kernel, groups int, bias bool, rng *tensor.RNG) *Conv1d {
	checkConvSizes("NewConv1d", in, out, []int{kernel}, groups)
	c := &Conv1d{In: in, Out: out, Kernel: kernel, Stride: 1, Dilation: 1, Groups: groups}
	c.Weight, c.Bias = convParams([]int{out, in / groups, kernel}, out, bias, rng)
	return c
}

// Forward returns the convolution of x with Weight, plus Bias.
func (c *Conv1d) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(c, x, m) }

// Describe returns "conv1d" with out_channels, kernel_size, stride,
// padding (an integer, or "same" or "valid"), dilation, groups and bias.
// Sizes are single integers, which the spec reads as PyTorch's 1-tuples.
func (c *Conv1d) Describe() Desc {
	var pad any = c.Padding
	if c.PadMode != "" {
		pad = c.PadMode
	}
	return Desc{Op: "conv1d", Config: map[string]any{
		"out_channels": c.Out,
		"kernel_size":  c.Kernel,
		"stride":       c.Stride,
		"padding":      pad,
		"dilation":     c.Dilation,
		"groups":       c.Groups,
		"bias":         c.Bias != nil,
	}}
}

// OutShape returns [Out, Lo] for an input [In, L].
func (c *Conv1d) OutShape(in []int) ([]int, error) {
	g, err := c.geom(in)
	if err != nil {
		return nil, err
	}
	return []int{g.o, g.wo}, nil
}

// Params returns "weight" and, if present, "bias".
func (c *Conv1d) Params() []Param { return convParamList(c.Weight, c.Bias) }

// Fuse returns the kernel, Conv2d's on a one-row image.
func (c *Conv1d) Fuse(in []int, rows int) Kernel {
	g, err := c.geom(in)
	if err != nil {
		return nil
	}
	return &convKernel{g: g, impl: newConvImpl(g, rows), w: c.Weight, b: c.Bias}
}

func (c *Conv1d) geom(in []int) (convGeom, error) {
	if len(in) != 2 {
		return convGeom{}, fmt.Errorf("conv1d: want input [channels, length], got %v", in)
	}
	s := convSettings{
		op: "conv1d", in: c.In, out: c.Out, groups: c.Groups, padMode: c.PadMode,
		kernel: []int{c.Kernel}, stride: []int{c.Stride}, padding: []int{c.Padding}, dilation: []int{c.Dilation},
	}
	return s.geom(in[0], in[1:])
}

func init() {
	Register("conv1d", "out_channels", func(o Options, in []int, rng *tensor.RNG) (Layer, error) {
		if len(in) != 2 {
			return nil, fmt.Errorf("conv1d: want input [channels, length], got %v", in)
		}
		s, bias, err := parseConv("conv1d", o, in[0], 1, false)
		if err != nil {
			return nil, err
		}
		c := NewConv1d(s.in, s.out, s.kernel[0], s.groups, bias, rng)
		c.Stride, c.Padding, c.Dilation, c.PadMode = s.stride[0], s.padding[0], s.dilation[0], s.padMode
		if _, err := c.OutShape(in); err != nil {
			return nil, err
		}
		return c, nil
	})
}
