package nn

import (
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// ConvTranspose2d is a transposed 2-d convolution, PyTorch's
// nn.ConvTranspose2d: the gradient of a Conv2d with respect to its input,
// which upsamples. Input [N, In, H, W], output [N, Out, Ho, Wo] with
//
//	Ho = (H−1)·Stride[0] − 2·Padding[0] + Dilation[0]·(Kernel[0]−1) + OutputPadding[0] + 1
//
// and likewise for Wo. OutputPadding adds rows and columns at the bottom
// and right that the convolution's stride would otherwise leave out; each
// must be smaller than the stride or the dilation. Weight is [In,
// Out/Groups, kh, kw] (the weight of the Conv2d from Out to In channels
// that this layer transposes) and Bias [Out] (or nil), PyTorch's layout.
//
// The fields other than In, Out, Kernel, Groups and the parameters may be
// changed after NewConvTranspose2d; OutShape says whether they fit an
// input.
type ConvTranspose2d struct {
	In, Out       int
	Kernel        [2]int
	Stride        [2]int
	Padding       [2]int
	OutputPadding [2]int
	Dilation      [2]int
	Groups        int
	Weight        *autograd.Var
	Bias          *autograd.Var
}

// NewConvTranspose2d returns a ConvTranspose2d with stride 1, no padding
// and dilation 1, initialised as torch.nn.ConvTranspose2d is: weights from
// kaiming_uniform(a = √5), U(±1/√fan_in), where PyTorch counts fan_in from
// the weight's second dimension, Out/Groups·kh·kw, and biases from the same
// range. It panics if a size is not positive or groups does not divide in
// and out.
func NewConvTranspose2d(in, out int, kernel [2]int, groups int, bias bool, rng *tensor.RNG) *ConvTranspose2d {
	checkConvSizes("NewConvTranspose2d", in, out, kernel[:], groups)
	c := &ConvTranspose2d{In: in, Out: out, Kernel: kernel, Stride: [2]int{1, 1}, Dilation: [2]int{1, 1}, Groups: groups}
	c.Weight, c.Bias = convParams([]int{in, out / groups, kernel[0], kernel[1]}, out, bias, rng)
	return c
}

// Forward returns the transposed convolution of x with Weight, plus Bias.
func (c *ConvTranspose2d) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(c, x, m) }

// Describe returns "conv_transpose2d" with out_channels, kernel_size,
// stride, padding, output_padding, dilation, groups and bias.
func (c *ConvTranspose2d) Describe() Desc {
	return Desc{Op: "conv_transpose2d", Config: map[string]any{
		"out_channels":   c.Out,
		"kernel_size":    []int{c.Kernel[0], c.Kernel[1]},
		"stride":         []int{c.Stride[0], c.Stride[1]},
		"padding":        []int{c.Padding[0], c.Padding[1]},
		"output_padding": []int{c.OutputPadding[0], c.OutputPadding[1]},
		"dilation":       []int{c.Dilation[0], c.Dilation[1]},
		"groups":         c.Groups,
		"bias":           c.Bias != nil,
	}}
}

// OutShape returns [Out, Ho, Wo] for an input [In, H, W].
func (c *ConvTranspose2d) OutShape(in []int) ([]int, error) {
	g, err := c.geom(in)
	if err != nil {
		return nil, err
	}
	return []int{g.c, g.h, g.w}, nil
}

// Params returns "weight" and, if present, "bias".
func (c *ConvTranspose2d) Params() []Param { return convParamList(c.Weight, c.Bias) }

// Fuse returns the kernel: Conv2d's, with forward and backward swapped.
func (c *ConvTranspose2d) Fuse(in []int, rows int) Kernel {
	g, err := c.geom(in)
	if err != nil {
		return nil
	}
	return &convKernel{g: g, impl: newConvImpl(g, rows), w: c.Weight, b: c.Bias, transpose: true}
}

func (c *ConvTranspose2d) geom(in []int) (convGeom, error) {
	if len(in) != 3 {
		return convGeom{}, fmt.Errorf("conv_transpose2d: want input [channels, height, width], got %v", in)
	}
	s := convSettings{
		op: "conv_transpose2d", in: c.In, out: c.Out, groups: c.Groups, transpose: true,
		kernel: c.Kernel[:], stride: c.Stride[:], padding: c.Padding[:], dilation: c.Dilation[:],
		outputPadding: c.OutputPadding[:],
	}
	return s.geom(in[0], in[1:])
}

func init() {
	Register("conv_transpose2d", "out_channels", func(o Options, in []int, rng *tensor.RNG) (Layer, error) {
		if len(in) != 3 {
			return nil, fmt.Errorf("conv_transpose2d: want input [channels, height, width], got %v", in)
		}
		s, bias, err := parseConv("conv_transpose2d", o, in[0], 2, true)
		if err != nil {
			return nil, err
		}
		c := NewConvTranspose2d(s.in, s.out, [2]int{s.kernel[0], s.kernel[1]}, s.groups, bias, rng)
		c.Stride = [2]int{s.stride[0], s.stride[1]}
		c.Padding = [2]int{s.padding[0], s.padding[1]}
		c.OutputPadding = [2]int{s.outputPadding[0], s.outputPadding[1]}
		c.Dilation = [2]int{s.dilation[0], s.dilation[1]}
		if _, err := c.OutShape(in); err != nil {
			return nil, err
		}
		return c, nil
	})
}
