package onnx

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/internal/param"
	pb "github.com/bigfunc/bigfunc/onnx/internal/onnxpb"
)

// emitter writes one layer's nodes after the value x and returns the
// layer's output value.
type emitter func(c *layerCtx, x string) (string, error)

// emitters maps each layer op, as Describe names it, to how it is written
// in ONNX.
var emitters map[string]emitter

func init() {
	unary := func(op string) emitter {
		return func(c *layerCtx, x string) (string, error) { return c.op(op, x), nil }
	}
	emitters = map[string]emitter{
		"linear":              emitLinear,
		"conv1d":              emitConv,
		"conv2d":              emitConv,
		"conv_transpose2d":    emitConvTranspose,
		"max_pool2d":          emitMaxPool,
		"avg_pool2d":          emitAvgPool,
		"adaptive_avg_pool2d": emitAdaptiveAvgPool,
		"batch_norm1d":        emitBatchNorm,
		"batch_norm2d":        emitBatchNorm,
		"layer_norm":          emitLayerNorm,
		"group_norm":          emitGroupNorm,
		"dropout":             unary("Identity"),
		"dropout2d":           unary("Identity"),
		"flatten": func(c *layerCtx, x string) (string, error) {
			return c.opA("Flatten", []string{x}, attrInt("axis", 1)), nil
		},
		"unflatten": func(c *layerCtx, x string) (string, error) {
			return c.op("Reshape", x, c.shapeConst("shape", append([]int{0}, c.out...)...)), nil
		},

		"identity": unary("Identity"),
		"relu":     unary("Relu"),
		"sigmoid":  unary("Sigmoid"),
		"tanh":     unary("Tanh"),
		"softsign": unary("Softsign"),
		"selu":     unary("Selu"),
		"leaky_relu": func(c *layerCtx, x string) (string, error) {
			return c.opA("LeakyRelu", []string{x}, attrFloat("alpha", c.float("negative_slope", 0.01))), nil
		},
		"rrelu": func(c *layerCtx, x string) (string, error) {
			// In evaluation RReLU is a leaky ReLU with the mean slope.
			lo, hi := c.float("lower", 1.0/8), c.float("upper", 1.0/3)
			return c.opA("LeakyRelu", []string{x}, attrFloat("alpha", (lo+hi)/2)), nil
		},
		"elu": func(c *layerCtx, x string) (string, error) {
			return c.opA("Elu", []string{x}, attrFloat("alpha", c.float("alpha", 1))), nil
		},
		"celu": func(c *layerCtx, x string) (string, error) {
			return c.opA("Celu", []string{x}, attrFloat("alpha", c.float("alpha", 1))), nil
		},
		"prelu":    emitPReLU,
		"gelu":     emitGELU,
		"silu":     func(c *layerCtx, x string) (string, error) { return c.op("Mul", x, c.op("Sigmoid", x)), nil },
		"mish":     emitMish,
		"softplus": emitSoftplus,
		"hardtanh": func(c *layerCtx, x string) (string, error) {
			return c.clip(x, c.float("min_val", -1), c.float("max_val", 1)), nil
		},
		"relu6":       func(c *layerCtx, x string) (string, error) { return c.clip(x, 0, 6), nil },
		"hardsigmoid": func(c *layerCtx, x string) (string, error) { return c.hardSigmoid(x), nil },
		"hardswish": func(c *layerCtx, x string) (string, error) {
			if c.g.opset >= 14 {
				return c.op("HardSwish", x), nil
			}
			return c.op("Mul", x, c.hardSigmoid(x)), nil
		},
		"logsigmoid": func(c *layerCtx, x string) (string, error) {
			// log σ(x) = −softplus(−x)
			return c.op("Neg", c.op("Softplus", c.op("Neg", x))), nil
		},
		"tanhshrink": func(c *layerCtx, x string) (string, error) { return c.op("Sub", x, c.op("Tanh", x)), nil },
		"softshrink": func(c *layerCtx, x string) (string, error) {
			l := c.float("lambd", 0.5)
			return c.opA("Shrink", []string{x}, attrFloat("bias", l), attrFloat("lambd", l)), nil
		},
		"hardshrink": func(c *layerCtx, x string) (string, error) {
			return c.opA("Shrink", []string{x}, attrFloat("bias", 0), attrFloat("lambd", c.float("lambd", 0.5))), nil
		},
		"softmax": func(c *layerCtx, x string) (string, error) {
			return c.opA("Softmax", []string{x}, attrInt("axis", c.int("dim", -1))), nil
		},
		"log_softmax": func(c *layerCtx, x string) (string, error) {
			return c.opA("LogSoftmax", []string{x}, attrInt("axis", c.int("dim", -1))), nil
		},
		"maxout": emitMaxout,

		"embedding":                 emitEmbedding,
		"positional":                emitPositional,
		"multihead_attention":       emitAttention,
		"transformer_encoder_layer": emitEncoderLayer,
		"kan_linear":                emitKAN,
	}
}

// float returns the number under key in the layer's config, or def.
func (c *layerCtx) float(key string, def float64) float64 {
	if f, ok := param.Number(c.desc.Config[key]); ok {
		return f
	}
	return def
}

// int returns the integer under key in the layer's config, or def.
func (c *layerCtx) int(key string, def int) int {
	if f, ok := param.Number(c.desc.Config[key]); ok {
		return int(f)
	}
	return def
}

// bool returns the boolean under key, or def.
func (c *layerCtx) bool(key string, def bool) bool {
	if b, ok := c.desc.Config[key].(bool); ok {
		return b
	}
	return def
}

// ints returns n integers under key: a list of n, or one repeated; def
// if absent.
func (c *layerCtx) ints(key string, n int, def int) ([]int, error) {
	v, ok := c.desc.Config[key]
	out := make([]int, n)
	if !ok || v == nil {
		for i := range out {
			out[i] = def
		}
		return out, nil
	}
	var list []int
	switch t := v.(type) {
	case []int:
		list = t
	case []any:
		for _, e := range t {
			f, ok := param.Number(e)
			if !ok {
				return nil, fmt.Errorf("%s: want integers, got %v", key, v)
			}
			list = append(list, int(f))
		}
	default:
		f, ok := param.Number(v)
		if !ok {
			return nil, fmt.Errorf("%s: want an integer or a list, got %v", key, v)
		}
		for i := range out {
			out[i] = int(f)
		}
		return out, nil
	}
	if len(list) == 1 && n > 1 {
		for i := range out {
			out[i] = list[0]
		}
		return out, nil
	}
	if len(list) != n {
		return nil, fmt.Errorf("%s: want %d integers, got %v", key, n, v)
	}
	copy(out, list)
	return out, nil
}

// clip adds Clip(x, lo, hi) with float32 bounds.
func (c *layerCtx) clip(x string, lo, hi float64) string {
	return c.op("Clip", x, c.scalar("min", lo), c.scalar("max", hi))
}

// hardSigmoid adds relu6(x + 3)/6 as HardSigmoid(α = 1/6, β = ½).
func (c *layerCtx) hardSigmoid(x string) string {
	return c.opA("HardSigmoid", []string{x}, attrFloat("alpha", 1.0/6), attrFloat("beta", 0.5))
}

func emitLinear(c *layerCtx, x string) (string, error) {
	w, err := c.param("weight")
	if err != nil {
		return "", err
	}
	var b string
	if c.has("bias") {
		if b, err = c.param("bias"); err != nil {
			return "", err
		}
	}
	if len(c.in) == 1 {
		in := []string{x, w}
		if b != "" {
			in = append(in, b)
		}
		return c.opA("Gemm", in, attrInt("transB", 1)), nil
	}
	// Gemm is 2-D only: MatMul broadcasts over the leading dimensions.
	y := c.op("MatMul", x, c.opA("Transpose", []string{w}, attrInts("perm", 1, 0)))
	if b != "" {
		y = c.op("Add", y, b)
	}
	return y, nil
}

// spatial returns the number of spatial dimensions of a convolution or
// pooling layer's input.
func (c *layerCtx) spatial() (int, error) {
	if len(c.in) < 2 {
		return 0, fmt.Errorf("want an input [C, spatial…], got %v", c.in)
	}
	return len(c.in) - 1, nil
}

// pads returns ONNX's pads (all begins, then all ends) for the padding
// option: a list, one integer, "valid", or "same" (PyTorch puts the odd
// pixel at the end).
func (c *layerCtx) pads(n int, kernel, dilation []int) ([]int, error) {
	pads := make([]int, 2*n)
	switch v := c.desc.Config["padding"]; v {
	case "valid":
		return pads, nil
	case "same":
		for i := range n {
			total := dilation[i] * (kernel[i] - 1)
			pads[i], pads[n+i] = total/2, total-total/2
		}
		return pads, nil
	}
	p, err := c.ints("padding", n, 0)
	if err != nil {
		return nil, err
	}
	copy(pads, p)
	copy(pads[n:], p)
	return pads, nil
}

func emitConv(c *layerCtx, x string) (string, error) {
	n, err := c.spatial()
	if err != nil {
		return "", err
	}
	w, err := c.param("weight")
	if err != nil {
		return "", err
	}
	ws := c.params["weight"].t.Shape()
	kernel, err := c.ints("kernel_size", n, 1)
	if err != nil {
		return "", err
	}
	if len(ws) == n+2 {
		kernel = ws[2:] // the weights are the authority on the kernel's size
	}
	stride, err := c.ints("stride", n, 1)
	if err != nil {
		return "", err
	}
	dilation, err := c.ints("dilation", n, 1)
	if err != nil {
		return "", err
	}
	pads, err := c.pads(n, kernel, dilation)
	if err != nil {
		return "", err
	}
	in := []string{x, w}
	if c.has("bias") {
		b, err := c.param("bias")
		if err != nil {
			return "", err
		}
		in = append(in, b)
	}
	return c.opA("Conv", in, attrInts("kernel_shape", kernel...), attrInts("strides", stride...),
		attrInts("pads", pads...), attrInts("dilations", dilation...), attrInt("group", c.int("groups", 1))), nil
}

func emitConvTranspose(c *layerCtx, x string) (string, error) {
	n, err := c.spatial()
	if err != nil {
		return "", err
	}
	w, err := c.param("weight")
	if err != nil {
		return "", err
	}
	ws := c.params["weight"].t.Shape()
	kernel, err := c.ints("kernel_size", n, 1)
	if err != nil {
		return "", err
	}
	if len(ws) == n+2 {
		kernel = ws[2:]
	}
	stride, err := c.ints("stride", n, 1)
	if err != nil {
		return "", err
	}
	dilation, err := c.ints("dilation", n, 1)
	if err != nil {
		return "", err
	}
	outPad, err := c.ints("output_padding", n, 0)
	if err != nil {
		return "", err
	}
	p, err := c.ints("padding", n, 0)
	if err != nil {
		return "", err
	}
	in := []string{x, w}
	if c.has("bias") {
		b, err := c.param("bias")
		if err != nil {
			return "", err
		}
		in = append(in, b)
	}
	return c.opA("ConvTranspose", in, attrInts("kernel_shape", kernel...), attrInts("strides", stride...),
		attrInts("pads", append(append([]int(nil), p...), p...)...), attrInts("dilations", dilation...),
		attrInts("output_padding", outPad...), attrInt("group", c.int("groups", 1))), nil
}

// poolAttrs returns the kernel, stride and pads attributes of a pooling
// layer; the stride defaults to the kernel size, as in PyTorch.
func (c *layerCtx) poolAttrs() (n int, kernel []int, attrs []*pb.AttributeProto, err error) {
	if n, err = c.spatial(); err != nil {
		return
	}
	if kernel, err = c.ints("kernel_size", n, 1); err != nil {
		return
	}
	var stride, p []int
	if _, ok := c.desc.Config["stride"]; ok && c.desc.Config["stride"] != nil {
		if stride, err = c.ints("stride", n, 1); err != nil {
			return
		}
	} else {
		stride = kernel
	}
	if p, err = c.ints("padding", n, 0); err != nil {
		return
	}
	ceil := 0
	if c.bool("ceil_mode", false) {
		ceil = 1
	}
	attrs = []*pb.AttributeProto{attrInts("kernel_shape", kernel...), attrInts("strides", stride...),
		attrInts("pads", append(append([]int(nil), p...), p...)...), attrInt("ceil_mode", ceil)}
	return
}

func emitMaxPool(c *layerCtx, x string) (string, error) {
	n, _, attrs, err := c.poolAttrs()
	if err != nil {
		return "", err
	}
	d, err := c.ints("dilation", n, 1)
	if err != nil {
		return "", err
	}
	return c.opA("MaxPool", []string{x}, append(attrs, attrInts("dilations", d...))...), nil
}

func emitAvgPool(c *layerCtx, x string) (string, error) {
	_, _, attrs, err := c.poolAttrs()
	if err != nil {
		return "", err
	}
	inc := 0
	if c.bool("count_include_pad", true) {
		inc = 1
	}
	return c.opA("AveragePool", []string{x}, append(attrs, attrInt("count_include_pad", inc))...), nil
}

func emitAdaptiveAvgPool(c *layerCtx, x string) (string, error) {
	n, err := c.spatial()
	if err != nil {
		return "", err
	}
	size, err := c.ints("output_size", n, 1)
	if err != nil {
		return "", err
	}
	global := true
	for _, s := range size {
		global = global && s == 1
	}
	if global {
		return c.op("GlobalAveragePool", x), nil
	}
	// Equal windows exactly when each output size divides the input's.
	kernel := make([]int, n)
	for i, s := range size {
		if s < 1 || c.in[1+i]%s != 0 {
			return "", fmt.Errorf("output_size %v does not divide the input %v: adaptive pooling with unequal windows has no ONNX form", size, c.in)
		}
		kernel[i] = c.in[1+i] / s
	}
	return c.opA("AveragePool", []string{x}, attrInts("kernel_shape", kernel...), attrInts("strides", kernel...),
		attrInts("pads", make([]int, 2*n)...)), nil
}

// channelShape returns [C, 1, …, 1] for broadcasting a per-channel vector
// against a sample of the input's rank.
func (c *layerCtx) channelShape() []int {
	s := make([]int, len(c.in))
	s[0] = c.in[0]
	for i := 1; i < len(s); i++ {
		s[i] = 1
	}
	return s
}

// affine multiplies y by the weight and adds the bias, both viewed as
// shape, when the layer has them.
func (c *layerCtx) affine(y string, shape []int) (string, error) {
	if c.has("weight") {
		w, err := c.param("weight", shape...)
		if err != nil {
			return "", err
		}
		y = c.op("Mul", y, w)
	}
	if c.has("bias") {
		b, err := c.param("bias", shape...)
		if err != nil {
			return "", err
		}
		y = c.op("Add", y, b)
	}
	return y, nil
}

// normalize writes (x − mean)/√(var + eps) with the mean and biased
// variance over axes.
func (c *layerCtx) normalize(x string, axes []int, eps float64) string {
	mean := c.reduce("ReduceMean", x, axes, true)
	d := c.op("Sub", x, mean)
	v := c.reduce("ReduceMean", c.op("Mul", d, d), axes, true)
	return c.op("Div", d, c.op("Sqrt", c.op("Add", v, c.scalar("eps", eps))))
}

func emitBatchNorm(c *layerCtx, x string) (string, error) {
	eps := c.float("eps", 1e-5)
	ch := c.in[0]
	if _, ok := c.bufs["running_mean"]; !ok {
		// Without running statistics PyTorch normalises with the batch's
		// own, in evaluation too.
		axes := []int{0}
		for i := 2; i <= len(c.in); i++ {
			axes = append(axes, i)
		}
		return c.affine(c.normalize(x, axes, eps), c.channelShape())
	}
	mean, err := c.buffer("running_mean")
	if err != nil {
		return "", err
	}
	v, err := c.buffer("running_var")
	if err != nil {
		return "", err
	}
	ones := make([]float32, ch)
	for i := range ones {
		ones[i] = 1
	}
	scale, bias := "", ""
	if c.has("weight") {
		if scale, err = c.param("weight"); err != nil {
			return "", err
		}
	} else {
		scale = c.konst("scale", []int{ch}, ones...)
	}
	if c.has("bias") {
		if bias, err = c.param("bias"); err != nil {
			return "", err
		}
	} else {
		bias = c.konst("bias", []int{ch}, make([]float32, ch)...)
	}
	return c.opA("BatchNormalization", []string{x, scale, bias, mean, v}, attrFloat("epsilon", eps)), nil
}

// normalizedShape returns the trailing dimensions a layer norm covers.
func (c *layerCtx) normalizedShape() ([]int, error) {
	k := 1
	if v, ok := c.desc.Config["normalized_shape"]; ok && v != nil {
		switch s := v.(type) {
		case []int:
			k = len(s)
		case []any:
			k = len(s)
		}
	}
	if k > len(c.in) {
		return nil, fmt.Errorf("normalized_shape covers %d dimensions of %v", k, c.in)
	}
	return c.in[len(c.in)-k:], nil
}

func emitLayerNorm(c *layerCtx, x string) (string, error) {
	shape, err := c.normalizedShape()
	if err != nil {
		return "", err
	}
	eps := c.float("eps", 1e-5)
	k := len(shape)
	if c.g.opset >= 17 {
		var scale string
		if c.has("weight") {
			if scale, err = c.param("weight"); err != nil {
				return "", err
			}
		} else {
			ones := make([]float32, prod(shape))
			for i := range ones {
				ones[i] = 1
			}
			scale = c.konst("scale", shape, ones...)
		}
		in := []string{x, scale}
		if c.has("bias") {
			b, err := c.param("bias")
			if err != nil {
				return "", err
			}
			in = append(in, b)
		}
		return c.opA("LayerNormalization", in, attrInt("axis", -k), attrFloat("epsilon", eps)), nil
	}
	axes := make([]int, k)
	for i := range axes {
		axes[i] = i - k
	}
	return c.affine(c.normalize(x, axes, eps), shape)
}

func emitGroupNorm(c *layerCtx, x string) (string, error) {
	if len(c.in) < 1 {
		return "", fmt.Errorf("want an input [C, …], got %v", c.in)
	}
	groups := c.int("num_groups", 1)
	eps := c.float("eps", 1e-5)
	ch := c.in[0]
	if groups < 1 || ch%groups != 0 {
		return "", fmt.Errorf("num_groups %d does not divide %d channels", groups, ch)
	}
	// The decomposition: statistics over each group of channels, then the
	// per-channel affine map. (GroupNormalization-18 scales per group,
	// not per channel, and ONNX 21 deprecates it for that reason.)
	y := c.op("Reshape", x, c.shapeConst("groups", 0, groups, -1))
	y = c.normalize(y, []int{2}, eps)
	y = c.op("Reshape", y, c.shapeConst("shape", append([]int{0}, c.in...)...))
	return c.affine(y, c.channelShape())
}

func emitPReLU(c *layerCtx, x string) (string, error) {
	n := c.params["weight"].t.Len()
	shape := []int{n}
	if n > 1 {
		shape = c.channelShape()
	}
	w, err := c.param("weight", shape...)
	if err != nil {
		return "", err
	}
	return c.op("PRelu", x, w), nil
}

func emitGELU(c *layerCtx, x string) (string, error) {
	approx, _ := c.desc.Config["approximate"].(string)
	if approx == "" {
		approx = "none"
	}
	if c.g.opset >= 20 {
		return c.opA("Gelu", []string{x}, attrString("approximate", approx)), nil
	}
	switch approx {
	case "none":
		// x·½(1 + erf(x/√2)), in the order PyTorch writes it.
		e := c.op("Erf", c.op("Div", x, c.scalar("sqrt2", math.Sqrt2)))
		return c.op("Mul", c.op("Mul", x, c.op("Add", e, c.scalar("one", 1))), c.scalar("half", 0.5)), nil
	case "tanh":
		// ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
		x3 := c.op("Mul", c.op("Mul", x, x), x)
		u := c.op("Add", x, c.op("Mul", x3, c.scalar("coef", 0.044715)))
		t := c.op("Tanh", c.op("Mul", u, c.scalar("sqrt2pi", math.Sqrt(2/math.Pi))))
		return c.op("Mul", c.op("Mul", x, c.scalar("half", 0.5)), c.op("Add", t, c.scalar("one", 1))), nil
	}
	return "", fmt.Errorf("approximate %q has no ONNX form", approx)
}

func emitMish(c *layerCtx, x string) (string, error) {
	if c.g.opset >= 18 {
		return c.op("Mish", x), nil
	}
	return c.op("Mul", x, c.op("Tanh", c.op("Softplus", x))), nil
}

func emitSoftplus(c *layerCtx, x string) (string, error) {
	beta, threshold := c.float("beta", 1), c.float("threshold", 20)
	if beta == 1 && threshold >= 20 {
		// Past the threshold log(1 + eˣ) and x agree to float32 precision.
		return c.op("Softplus", x), nil
	}
	// x where βx > threshold, else softplus(βx)/β.
	bx := c.op("Mul", x, c.scalar("beta", beta))
	soft := c.op("Div", c.op("Softplus", bx), c.scalar("beta", beta))
	return c.op("Where", c.op("Greater", bx, c.scalar("threshold", threshold)), x, soft), nil
}

func emitMaxout(c *layerCtx, x string) (string, error) {
	k := c.int("pieces", 1)
	if len(c.in) == 0 || k < 1 || c.in[len(c.in)-1]%k != 0 {
		return "", fmt.Errorf("pieces %d does not divide the input %v", k, c.in)
	}
	shape := append([]int{0}, c.in[:len(c.in)-1]...)
	shape = append(shape, c.in[len(c.in)-1]/k, k)
	y := c.op("Reshape", x, c.shapeConst("pieces", shape...))
	return c.reduce("ReduceMax", y, []int{-1}, false), nil
}

func prod(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

func isBad(v float32) bool { return math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) }
