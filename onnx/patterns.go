package onnx

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/bigfunc/bigfunc/data"
	pb "github.com/bigfunc/bigfunc/onnx/internal/onnxpb"
)

// patterns lists every layer Import recognises, largest first so that a
// composition (SiLU = x·σ(x)) wins over its parts (σ).
var patterns []pattern

func one(op string, cfg map[string]any, w map[string]*constant) ([]layerSpec, error) {
	if cfg == nil {
		cfg = map[string]any{}
	}
	return []layerSpec{{op: op, cfg: cfg, w: w}}, nil
}

// simple is a pattern of one parameterless node.
func simple(onnxOp, op string, attrs ...string) pattern {
	return pattern{P(onnxOp, X), func(im *importer, m *match, in []int) ([]layerSpec, error) {
		if err := only(im.nodes[m.root], attrs...); err != nil {
			return nil, err
		}
		return one(op, nil, nil)
	}}
}

// unary is a pattern of one node with float attributes mapped to
// options.
func unary(onnxOp, op string, attrs map[string]string, defs map[string]float32) pattern {
	names := sortedKeys(attrs)
	return pattern{P(onnxOp, X), func(im *importer, m *match, in []int) ([]layerSpec, error) {
		n := im.nodes[m.root]
		if err := only(n, names...); err != nil {
			return nil, err
		}
		cfg := map[string]any{}
		for _, a := range names {
			cfg[attrs[a]] = float64(attrF(n, a, defs[a]))
		}
		return one(op, cfg, nil)
	}}
}

func scalarOf(m *match, name string) (float32, bool) {
	c, ok := m.consts[name]
	if !ok {
		return 0, false
	}
	return c.scalarF()
}

func init() {
	// The decomposed norms share their core: (x − mean)/√(var + eps).
	norm := func(x *pat) *pat {
		d := P("Sub", x, N("mean", P("ReduceMean", x)))
		return P("Div", d, P("Sqrt", P("Add", N("var", P("ReduceMean", P("Mul", d, d))), K("eps"))))
	}
	affine := func(p *pat) *pat { return P("Add", P("Mul", p, K("w")), K("b")) }
	groups := func() *pat {
		r1 := N("r1", P("Reshape", X, K("gshape")))
		return N("r2", P("Reshape", norm(r1), K("shape")))
	}
	bx := N("bx", P("Mul", X, K("beta")))
	// PyTorch squares with Pow(d, 2) where Export multiplies.
	normPow := func(x *pat) *pat {
		d := P("Sub", x, N("mean", P("ReduceMean", x)))
		return P("Div", d, P("Sqrt", P("Add", N("var", P("ReduceMean", P("Pow", d, K("two")))), K("eps"))))
	}
	// PyTorch's GroupNorm: InstanceNormalization over [N, G, −1].
	instance := N("r2", P("Reshape", N("inorm", P("InstanceNormalization", N("r1", P("Reshape", X, K("gshape"))), K("s"), K("bb"))), P("Shape", X)))
	// x.view(x.size(0), …): the shape computed from the batch size.
	viewShape := P("Concat", P("Unsqueeze", P("Gather", P("Shape", X), K("i0")), K("ax")), K("rest"))

	patterns = []pattern{
		// Scaler and decoders: only where Export put them.
		{P("Div", P("Sub", X, K("offset")), K("scale")), buildScaler},
		{P("Cast", P("GreaterOrEqual", X, K("cut"))), buildThreshold},
		{P("ArgMax", X), buildDecoder(DecodeClass)},
		{P("Softmax", X), buildDecoder(DecodeProba)},
		{P("Sigmoid", X), buildDecoder(DecodeProba)},

		{N("g", P("Gemm", X, K("w"))), buildGemm},
		{P("Add", P("MatMul", X, K("w")), K("b")), buildMatMul(false)},
		{P("MatMul", X, K("w")), buildMatMul(false)},
		{P("Add", P("MatMul", X, N("t", P("Transpose", K("w")))), K("b")), buildMatMul(true)},
		{P("MatMul", X, N("t", P("Transpose", K("w")))), buildMatMul(true)},
		{N("n", P("Conv", X, K("w"))), buildConv},
		{N("n", P("ConvTranspose", X, K("w"))), buildConvTranspose},
		{P("MaxPool", X), buildPool("max_pool2d")},
		{P("AveragePool", X), buildPool("avg_pool2d")},
		{P("GlobalAveragePool", X), buildGlobalPool},
		{N("pool", P("AveragePool", N("pad", P("Pad", X, K("pads"))))), buildPaddedAvgPool},
		{P("BatchNormalization", X, K("scale"), K("bias"), K("mean"), K("var")), buildBatchNorm},
		{N("n", P("LayerNormalization", X, K("scale"))), buildLayerNorm},
		{affine(norm(X)), buildNorm(true)},
		{norm(X), buildNorm(false)},
		{affine(groups()), buildGroupNorm(true)},
		{groups(), buildGroupNorm(false)},
		{affine(normPow(X)), buildNorm(true)},
		{normPow(X), buildNorm(false)},
		{affine(instance), buildInstanceGroupNorm(true)},
		{instance, buildInstanceGroupNorm(false)},
		{N("view", P("Reshape", X, N("cat", viewShape))), buildViewReshape},
		{P("Flatten", X), buildFlatten},
		{P("Reshape", X, K("shape")), buildReshape},
		{P("Identity", X), func(im *importer, m *match, in []int) ([]layerSpec, error) { return one("identity", nil, nil) }},
		{P("Dropout", X), buildDropout},
		{N("red", P("ReduceMax", P("Reshape", X, K("shape")))), buildMaxout},

		simple("Relu", "relu"),
		simple("Sigmoid", "sigmoid"),
		simple("Tanh", "tanh"),
		simple("Softsign", "softsign"),
		simple("HardSwish", "hardswish"),
		simple("Mish", "mish"),
		{P("Softplus", X), func(im *importer, m *match, in []int) ([]layerSpec, error) { return one("softplus", nil, nil) }},
		unary("LeakyRelu", "leaky_relu", map[string]string{"alpha": "negative_slope"}, map[string]float32{"alpha": 0.01}),
		unary("Elu", "elu", map[string]string{"alpha": "alpha"}, map[string]float32{"alpha": 1}),
		unary("Celu", "celu", map[string]string{"alpha": "alpha"}, map[string]float32{"alpha": 1}),
		{P("Selu", X), buildSELU},
		{P("HardSigmoid", X), buildHardSigmoid},
		{P("Clip", X), buildClip},
		{P("Shrink", X), buildShrink},
		{P("PRelu", X, K("slope")), buildPReLU},
		{P("Gelu", X), buildGeluOp},
		{P("Softmax", X), buildSoftmax("softmax")},
		{P("LogSoftmax", X), buildSoftmax("log_softmax")},

		// Compositions, as Export and PyTorch write them.
		{P("Mul", P("Mul", X, P("Add", P("Erf", P("Div", X, K("sqrt2"))), K("one"))), K("half")), buildGeluErf},
		{P("Mul", P("Mul", X, K("half")), P("Add", P("Tanh", P("Mul", P("Add", X, P("Mul", P("Mul", P("Mul", X, X), X), K("coef"))), K("k"))), K("one"))), buildGeluTanh},
		{P("Mul", P("Mul", X, K("half")), P("Add", P("Tanh", P("Mul", P("Add", X, P("Mul", P("Pow", X, K("three")), K("coef"))), K("k"))), K("one"))), buildGeluTanh},
		{P("Mul", X, P("Sigmoid", X)), func(im *importer, m *match, in []int) ([]layerSpec, error) { return one("silu", nil, nil) }},
		{P("Mul", X, P("Tanh", P("Softplus", X))), func(im *importer, m *match, in []int) ([]layerSpec, error) { return one("mish", nil, nil) }},
		{P("Mul", X, N("hs", P("HardSigmoid", X))), buildHardswish13},
		{P("Neg", P("Softplus", P("Neg", X))), func(im *importer, m *match, in []int) ([]layerSpec, error) { return one("logsigmoid", nil, nil) }},
		{P("Log", P("Sigmoid", X)), func(im *importer, m *match, in []int) ([]layerSpec, error) { return one("logsigmoid", nil, nil) }},
		{P("Div", X, P("Add", P("Abs", X), K("one"))), buildSoftsign},
		{P("Mul", P("Mul", X, P("Add", P("Tanh", P("Mul", P("Add", X, P("Mul", P("Mul", X, P("Mul", X, X)), K("coef"))), K("k"))), K("one"))), K("half")), buildGeluTanh},
		{P("Add", P("Where", P("Greater", X, K("l1")), P("Sub", X, K("l2")), K("z1")), P("Where", P("Less", X, K("nl")), P("Add", X, K("l3")), K("z2"))), buildSoftshrink},
		{P("Where", P("Or", P("Cast", P("Greater", X, K("l1"))), P("Cast", P("Less", X, K("nl")))), X, K("z1")), buildHardshrink},
		{P("Sub", X, P("Tanh", X)), func(im *importer, m *match, in []int) ([]layerSpec, error) { return one("tanhshrink", nil, nil) }},
		{P("Div", P("Softplus", P("Mul", X, K("beta"))), K("beta2")), buildSoftplus},
		{P("Where", P("Greater", bx, K("threshold")), X, P("Div", P("Softplus", bx), K("beta2"))), buildSoftplus},
	}
	sort.SliceStable(patterns, func(i, j int) bool { return patterns[i].p.size() > patterns[j].p.size() })
}

// tagged reports whether the root node carries Export's doc string for
// the given kind ("scaler", "decoder").
func tagged(im *importer, m *match, kind string) bool {
	return strings.HasPrefix(im.nodes[m.root].GetDocString(), docPrefix+`{"`+kind+`"`)
}

func buildScaler(im *importer, m *match, in []int) ([]layerSpec, error) {
	if !tagged(im, m, "scaler") || im.scaler != nil || im.nodes[m.root].GetInput()[0] == "" {
		return nil, errSkip
	}
	if sub := im.nodes[im.producer[im.nodes[m.root].GetInput()[0]]]; sub.GetInput()[0] != im.input {
		return nil, errSkip
	}
	off, ok1 := m.consts["offset"].floats()
	sc, ok2 := m.consts["scale"].floats()
	if !ok1 || !ok2 || len(off) != prod(in) || len(sc) != len(off) {
		return nil, fmt.Errorf("the scaler's offset and scale must have %d values each", prod(in))
	}
	// The scaler Export described, if its statistics give these bits;
	// else an equivalent standardize scaler.
	doc := im.nodes[m.root].GetDocString()[len(docPrefix):]
	var wrap struct {
		Scaler json.RawMessage `json:"scaler"`
	}
	if json.Unmarshal([]byte(doc), &wrap) == nil {
		s := &data.Scaler{}
		if s.UnmarshalJSON(wrap.Scaler) == nil {
			if o, c, err := scalerOffsetScale(wrap.Scaler); err == nil && slices.Equal(o, off) && slices.Equal(c, sc) {
				im.scaler = s
				return nil, nil
			}
		}
	}
	for _, v := range sc {
		if v == 0 || !isFinite(v) {
			return nil, fmt.Errorf("the scaler divides by %v", v)
		}
	}
	js, _ := json.Marshal(map[string]any{"kind": "standardize", "mean": off, "std": sc})
	s := &data.Scaler{}
	if err := s.UnmarshalJSON(js); err != nil {
		return nil, fmt.Errorf("scaler: %v", err)
	}
	im.scaler = s
	return nil, nil
}

// atEnd reports whether the match ends at the graph output.
func atEnd(im *importer, m *match) bool { return im.nodes[m.root].GetOutput()[0] == im.output }

func buildThreshold(im *importer, m *match, in []int) ([]layerSpec, error) {
	if !tagged(im, m, "decoder") || !atEnd(im, m) {
		return nil, errSkip
	}
	cut, ok := scalarOf(m, "cut")
	if !ok || (cut != 0 && cut != 0.5) {
		return nil, fmt.Errorf("a threshold decoder cuts at 0 or 0.5")
	}
	im.decoder, im.cut = DecodeThreshold, cut
	return nil, nil
}

func buildDecoder(kind string) func(im *importer, m *match, in []int) ([]layerSpec, error) {
	return func(im *importer, m *match, in []int) ([]layerSpec, error) {
		if !tagged(im, m, "decoder") || !atEnd(im, m) {
			return nil, errSkip
		}
		im.decoder = kind
		if im.nodes[m.root].GetOpType() == "Sigmoid" {
			im.cut = 0
		} else {
			im.cut = 0.5
		}
		return nil, nil
	}
}

// scalerOffsetScale returns what a scaler's JSON subtracts and divides
// by, with the scaler's rule that a zero or non-finite scale is 1.
func scalerOffsetScale(js []byte) (offset, scale []float32, err error) {
	var s struct {
		Kind string    `json:"kind"`
		Mean []float32 `json:"mean"`
		Std  []float32 `json:"std"`
		Min  []float32 `json:"min"`
		Max  []float32 `json:"max"`
	}
	if err := json.Unmarshal(js, &s); err != nil {
		return nil, nil, err
	}
	switch s.Kind {
	case "standardize":
		offset, scale = s.Mean, append([]float32(nil), s.Std...)
	case "minmax":
		offset = s.Min
		scale = make([]float32, len(s.Max))
		for i := range scale {
			if i < len(s.Min) {
				scale[i] = s.Max[i] - s.Min[i]
			}
		}
	default:
		return nil, nil, fmt.Errorf("scaler kind %q does not scale", s.Kind)
	}
	for i, v := range scale {
		if v == 0 || isBad(v) {
			scale[i] = 1
		}
	}
	return offset, scale, nil
}

// matrix returns a 2-D float constant and its dims.
func matrix(c *constant, what string) ([]float32, int, int, error) {
	f, ok := c.floats()
	if !ok || len(c.dims) != 2 {
		return nil, 0, 0, fmt.Errorf("%s: want a 2-D float tensor, got shape %v", what, c.dims)
	}
	return f, c.dims[0], c.dims[1], nil
}

func transpose(f []float32, rows, cols int) []float32 {
	t := make([]float32, len(f))
	for i := range rows {
		for j := range cols {
			t[j*rows+i] = f[i*cols+j]
		}
	}
	return t
}

// linear returns a linear layer with weight [out, in] (row-major) and an
// optional bias of out values, checked against the input.
func linear(in []int, w []float32, out, inF int, b *constant) ([]layerSpec, error) {
	if len(in) == 0 || in[len(in)-1] != inF {
		return nil, fmt.Errorf("weights for %d inputs, the layer gets %v", inF, in)
	}
	ws := map[string]*constant{"weight": {dims: []int{out, inF}, f: w}}
	if b != nil {
		bf, ok := b.floats()
		if !ok || len(bf) != out {
			return nil, fmt.Errorf("bias: want %d values, got shape %v", out, b.dims)
		}
		ws["bias"] = b
	}
	return one("linear", map[string]any{"out_features": out, "bias": b != nil}, ws)
}

func buildGemm(im *importer, m *match, in []int) ([]layerSpec, error) {
	n := im.nodes[m.root]
	if err := only(n, "alpha", "beta", "transA", "transB"); err != nil {
		return nil, err
	}
	if attrF(n, "alpha", 1) != 1 || attrF(n, "beta", 1) != 1 || attrI(n, "transA", 0) != 0 {
		return nil, fmt.Errorf("only alpha = beta = 1 and transA = 0 are supported")
	}
	if len(in) != 1 {
		return nil, fmt.Errorf("op Gemm on a sample of shape %v: want a flat input", in)
	}
	w, r, c, err := matrix(m.consts["w"], "weight")
	if err != nil {
		return nil, err
	}
	out, inF := r, c
	if attrI(n, "transB", 0) == 0 {
		w, out, inF = transpose(w, r, c), c, r
	}
	return linear(in, w, out, inF, bias(m, "g", 2))
}

func buildMatMul(transposed bool) func(im *importer, m *match, in []int) ([]layerSpec, error) {
	return func(im *importer, m *match, in []int) ([]layerSpec, error) {
		w, r, c, err := matrix(m.consts["w"], "weight")
		if err != nil {
			return nil, err
		}
		if transposed {
			t := im.node(m, "t")
			if p, _ := attrIs(t, "perm", []int{1, 0}); !slices.Equal(p, []int{1, 0}) {
				return nil, fmt.Errorf("op Transpose perm %v: want [1, 0]", p)
			}
			return linear(in, w, r, c, m.consts["b"])
		}
		return linear(in, transpose(w, r, c), c, r, m.consts["b"])
	}
}

// convAttrs reads the attributes shared by Conv and ConvTranspose for n
// spatial dimensions and the kernel of the weights.
func convAttrs(node *pb.NodeProto, n int, kernel []int) (stride, dilation, pads []int, err error) {
	ones := make([]int, n)
	for i := range ones {
		ones[i] = 1
	}
	if ks, err := attrIs(node, "kernel_shape", kernel); err != nil || !slices.Equal(ks, kernel) {
		return nil, nil, nil, fmt.Errorf("kernel_shape %v does not match the weights' %v", ks, kernel)
	}
	if stride, err = attrIs(node, "strides", ones); err != nil {
		return
	}
	if dilation, err = attrIs(node, "dilations", ones); err != nil {
		return
	}
	if pads, err = attrIs(node, "pads", make([]int, 2*n)); err != nil {
		return
	}
	if len(stride) != n || len(dilation) != n || len(pads) != 2*n {
		return nil, nil, nil, fmt.Errorf("strides, dilations and pads must have %d, %d and %d values", n, n, 2*n)
	}
	for i := range n {
		if stride[i] < 1 || dilation[i] < 1 || pads[i] < 0 || pads[n+i] < 0 {
			return nil, nil, nil, fmt.Errorf("strides %v, dilations %v, pads %v: want positive strides and dilations and pads ≥ 0", stride, dilation, pads)
		}
	}
	switch ap := attrS(node, "auto_pad", "NOTSET"); ap {
	case "NOTSET":
	case "VALID":
		pads = make([]int, 2*n)
	case "SAME_UPPER":
		for i := range n {
			if stride[i] != 1 {
				return nil, nil, nil, fmt.Errorf("auto_pad SAME_UPPER with stride %d is not supported", stride[i])
			}
			total := dilation[i] * (kernel[i] - 1)
			pads[i], pads[n+i] = total/2, total-total/2
		}
	default:
		return nil, nil, nil, fmt.Errorf("auto_pad %s is not supported", ap)
	}
	return stride, dilation, pads, nil
}

// padding returns the padding option: [p…] when symmetric, "same" when
// it is PyTorch's same padding.
func padding(pads, kernel, dilation, stride []int) (any, error) {
	n := len(kernel)
	sym := true
	for i := range n {
		sym = sym && pads[i] == pads[n+i]
	}
	if sym {
		return slices.Clone(pads[:n]), nil
	}
	for i := range n {
		total := dilation[i] * (kernel[i] - 1)
		if stride[i] != 1 || pads[i] != total/2 || pads[n+i] != total-total/2 {
			return nil, fmt.Errorf("asymmetric pads %v are not supported", pads)
		}
	}
	return "same", nil
}

// bias returns the optional bias input k of a node captured as name.
func bias(m *match, name string, k int) *constant {
	return m.consts[fmt.Sprintf("%s#%d", name, k)]
}

func buildConv(im *importer, m *match, in []int) ([]layerSpec, error) {
	node := im.node(m, "n")
	if err := only(node, "kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"); err != nil {
		return nil, err
	}
	w := m.consts["w"]
	n := len(in) - 1
	if n < 1 || n > 2 || len(w.dims) != n+2 {
		return nil, fmt.Errorf("weights %v on a sample %v: want a 1-D or 2-D convolution", w.dims, in)
	}
	groups := int(attrI(node, "group", 1))
	if groups < 1 || w.dims[1]*groups != in[0] {
		return nil, fmt.Errorf("weights %v with %d groups do not fit %d input channels", w.dims, groups, in[0])
	}
	kernel := w.dims[2:]
	stride, dilation, pads, err := convAttrs(node, n, kernel)
	if err != nil {
		return nil, err
	}
	pad, err := padding(pads, kernel, dilation, stride)
	if err != nil {
		return nil, err
	}
	ws := map[string]*constant{"weight": w}
	b := bias(m, "n", 2)
	if b != nil {
		if b.size() != w.dims[0] {
			return nil, fmt.Errorf("bias: want %d values, got shape %v", w.dims[0], b.dims)
		}
		ws["bias"] = b
	}
	op := fmt.Sprintf("conv%dd", n)
	return one(op, map[string]any{
		"out_channels": w.dims[0], "kernel_size": slices.Clone(kernel), "stride": stride, "padding": pad,
		"dilation": dilation, "groups": groups, "bias": b != nil,
	}, ws)
}

func buildConvTranspose(im *importer, m *match, in []int) ([]layerSpec, error) {
	node := im.node(m, "n")
	if err := only(node, "kernel_shape", "strides", "pads", "dilations", "group", "output_padding"); err != nil {
		return nil, err
	}
	w := m.consts["w"]
	n := len(in) - 1
	if n != 2 || len(w.dims) != 4 {
		return nil, fmt.Errorf("weights %v on a sample %v: want a 2-D transposed convolution", w.dims, in)
	}
	groups := int(attrI(node, "group", 1))
	if groups < 1 || w.dims[0] != in[0] {
		return nil, fmt.Errorf("weights %v do not fit %d input channels", w.dims, in[0])
	}
	kernel := w.dims[2:]
	stride, dilation, pads, err := convAttrs(node, n, kernel)
	if err != nil {
		return nil, err
	}
	if pads[0] != pads[2] || pads[1] != pads[3] {
		return nil, fmt.Errorf("asymmetric pads %v are not supported", pads)
	}
	outPad, err := attrIs(node, "output_padding", []int{0, 0})
	if err != nil || len(outPad) != 2 {
		return nil, fmt.Errorf("output_padding: want 2 values")
	}
	ws := map[string]*constant{"weight": w}
	b := bias(m, "n", 2)
	out := w.dims[1] * groups
	if b != nil {
		if b.size() != out {
			return nil, fmt.Errorf("bias: want %d values, got shape %v", out, b.dims)
		}
		ws["bias"] = b
	}
	return one("conv_transpose2d", map[string]any{
		"out_channels": out, "kernel_size": slices.Clone(kernel), "stride": stride, "padding": pads[:2],
		"output_padding": outPad, "dilation": dilation, "groups": groups, "bias": b != nil,
	}, ws)
}

func buildPool(op string) func(im *importer, m *match, in []int) ([]layerSpec, error) {
	return func(im *importer, m *match, in []int) ([]layerSpec, error) {
		node := im.nodes[m.root]
		allowed := []string{"kernel_shape", "strides", "pads", "ceil_mode", "auto_pad"}
		if op == "max_pool2d" {
			allowed = append(allowed, "dilations", "storage_order")
		} else {
			allowed = append(allowed, "count_include_pad")
		}
		if err := only(node, allowed...); err != nil {
			return nil, err
		}
		if len(in) != 3 {
			return nil, fmt.Errorf("pooling a sample of shape %v: want [C, H, W]", in)
		}
		if len(node.GetOutput()) > 1 && node.GetOutput()[1] != "" {
			return nil, fmt.Errorf("the indices output is not supported")
		}
		kernel, err := attrIs(node, "kernel_shape", nil)
		if err != nil || len(kernel) != 2 || kernel[0] < 1 || kernel[1] < 1 {
			return nil, fmt.Errorf("kernel_shape: want 2 positive values")
		}
		if attrS(node, "auto_pad", "NOTSET") != "NOTSET" {
			return nil, fmt.Errorf("auto_pad %s is not supported", attrS(node, "auto_pad", ""))
		}
		stride, dilation, pads, err := convAttrs(node, 2, kernel)
		if err != nil {
			return nil, err
		}
		if pads[0] != pads[2] || pads[1] != pads[3] {
			return nil, fmt.Errorf("asymmetric pads %v are not supported", pads)
		}
		cfg := map[string]any{"kernel_size": kernel, "stride": stride, "padding": pads[:2], "ceil_mode": attrI(node, "ceil_mode", 0) != 0}
		if op == "max_pool2d" {
			cfg["dilation"] = dilation
		} else {
			cfg["count_include_pad"] = attrI(node, "count_include_pad", 0) != 0
		}
		return one(op, cfg, nil)
	}
}

// buildPaddedAvgPool reads the explicit zero padding PyTorch writes before
// an AveragePool that counts padding: the same as avg_pool2d with that
// padding and count_include_pad.
func buildPaddedAvgPool(im *importer, m *match, in []int) ([]layerSpec, error) {
	pad, pool := im.node(m, "pad"), im.node(m, "pool")
	if attrS(pad, "mode", "constant") != "constant" || len(in) != 3 {
		return nil, errSkip
	}
	if v := m.consts["pad#2"]; v != nil {
		if f, ok := v.scalarF(); !ok || f != 0 {
			return nil, errSkip
		}
	}
	if m.consts["pad#3"] != nil {
		return nil, errSkip // axes
	}
	p, ok := m.consts["pads"].ints()
	if !ok || len(p) != 8 || p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0 || p[2] != p[6] || p[3] != p[7] || p[2] < 0 || p[3] < 0 || p[2] > maxDim || p[3] > maxDim {
		return nil, errSkip
	}
	if pp, _ := attrIs(pool, "pads", []int{0, 0, 0, 0}); !slices.Equal(pp, []int{0, 0, 0, 0}) {
		return nil, errSkip
	}
	specs, err := buildPool("avg_pool2d")(im, &match{root: m.nodes["pool"], nodes: m.nodes, consts: m.consts, set: m.set}, []int{in[0], in[1] + int(2*p[2]), in[2] + int(2*p[3])})
	if err != nil {
		return nil, err
	}
	cfg := specs[0].cfg
	cfg["padding"] = []int{int(p[2]), int(p[3])}
	cfg["count_include_pad"] = true
	return specs, nil
}

func buildGlobalPool(im *importer, m *match, in []int) ([]layerSpec, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("pooling a sample of shape %v: want [C, H, W]", in)
	}
	return one("adaptive_avg_pool2d", map[string]any{"output_size": []int{1, 1}}, nil)
}

func buildBatchNorm(im *importer, m *match, in []int) ([]layerSpec, error) {
	node := im.nodes[m.root]
	if err := only(node, "epsilon", "momentum", "training_mode", "spatial"); err != nil {
		return nil, err
	}
	if attrI(node, "training_mode", 0) != 0 {
		return nil, fmt.Errorf("training_mode = 1 is not supported; export in evaluation mode")
	}
	for _, out := range node.GetOutput()[1:] {
		if out != "" && len(im.consumers[out]) > 0 {
			return nil, fmt.Errorf("the running-statistics outputs are not supported")
		}
	}
	if len(in) < 1 || len(in) > 3 {
		return nil, fmt.Errorf("a sample of shape %v: want [C], [C, L] or [C, H, W]", in)
	}
	ch := in[0]
	w := map[string]*constant{}
	for _, k := range [][2]string{{"scale", "weight"}, {"bias", "bias"}, {"mean", "running_mean"}, {"var", "running_var"}} {
		c := m.consts[k[0]]
		if _, ok := c.floats(); !ok || c.size() != ch {
			return nil, fmt.Errorf("%s: want %d values for %d channels, got shape %v", k[0], ch, ch, c.dims)
		}
		w[k[1]] = c
	}
	op := "batch_norm1d"
	if len(in) == 3 {
		op = "batch_norm2d"
	}
	return one(op, map[string]any{"eps": float64(attrF(node, "epsilon", 1e-5)), "momentum": 0.1, "affine": true, "track_running_stats": true}, w)
}

func buildLayerNorm(im *importer, m *match, in []int) ([]layerSpec, error) {
	node := im.nodes[m.root]
	if err := only(node, "axis", "epsilon", "stash_type"); err != nil {
		return nil, err
	}
	for _, out := range node.GetOutput()[1:] {
		if out != "" && len(im.consumers[out]) > 0 {
			return nil, fmt.Errorf("the mean and inverse deviation outputs are not supported")
		}
	}
	rank := len(in) + 1
	axis := int(attrI(node, "axis", -1))
	if axis < 0 {
		axis += rank
	}
	if axis < 1 || axis >= rank {
		return nil, fmt.Errorf("axis %d: want one of the sample's dimensions", attrI(node, "axis", -1))
	}
	shape := in[axis-1:]
	w := map[string]*constant{"weight": m.consts["scale"]}
	if w["weight"].size() != prod(shape) {
		return nil, fmt.Errorf("scale: want %d values for %v, got shape %v", prod(shape), shape, w["weight"].dims)
	}
	if b := bias(m, "n", 2); b != nil {
		w["bias"] = b
	}
	if b, ok := w["bias"]; ok && b.size() != prod(shape) {
		return nil, fmt.Errorf("bias: want %d values for %v, got shape %v", prod(shape), shape, b.dims)
	}
	if _, ok := w["bias"]; !ok {
		w["bias"] = &constant{dims: slices.Clone(shape), f: make([]float32, prod(shape))}
	}
	cfg := map[string]any{"eps": float64(attrF(node, "epsilon", 1e-5)), "elementwise_affine": true}
	if len(shape) > 1 {
		cfg["normalized_shape"] = slices.Clone(shape)
	}
	return one("layer_norm", cfg, w)
}

// axesOf returns a reduction's axes, from its attribute or (opset 18)
// its second input, made non-negative for the rank.
func axesOf(n *pb.NodeProto, m *match, name string, rank int) ([]int, error) {
	axes, err := attrIs(n, "axes", nil)
	if err != nil {
		return nil, err
	}
	if c := m.consts[name+"#1"]; c != nil {
		v, ok := c.ints()
		if !ok {
			return nil, fmt.Errorf("axes: want int64 values")
		}
		for _, a := range v {
			axes = append(axes, int(a))
		}
	}
	for i, a := range axes {
		if a < 0 {
			a += rank
		}
		if a < 0 || a >= rank {
			return nil, fmt.Errorf("axis %d out of range for rank %d", axes[i], rank)
		}
		axes[i] = a
	}
	sort.Ints(axes)
	return axes, nil
}

// normParts reads the shared core of the decomposed norms: the reduced
// axes (the same for mean and variance) and eps.
func normParts(im *importer, m *match, rank int) ([]int, float64, error) {
	mean, v := im.node(m, "mean"), im.node(m, "var")
	a1, err := axesOf(mean, m, "mean", rank)
	if err != nil {
		return nil, 0, err
	}
	a2, err := axesOf(v, m, "var", rank)
	if err != nil {
		return nil, 0, err
	}
	if !slices.Equal(a1, a2) || len(a1) == 0 || attrI(mean, "keepdims", 1) != 1 || attrI(v, "keepdims", 1) != 1 {
		return nil, 0, errSkip
	}
	eps, ok := scalarOf(m, "eps")
	if !ok || !(eps >= 0) {
		return nil, 0, errSkip
	}
	return a1, float64(eps), nil
}

// affineWeights returns the weight and bias of a decomposed norm, which
// must have n values each.
func affineWeights(m *match, n int) (map[string]*constant, error) {
	w, b := m.consts["w"], m.consts["b"]
	if _, ok := w.floats(); !ok || w.size() != n {
		return nil, fmt.Errorf("weight: want %d values, got shape %v", n, w.dims)
	}
	if _, ok := b.floats(); !ok || b.size() != n {
		return nil, fmt.Errorf("bias: want %d values, got shape %v", n, b.dims)
	}
	return map[string]*constant{"weight": w, "bias": b}, nil
}

// buildNorm reads (x − mean)/√(var + eps) over the trailing dimensions
// (layer norm) or over the batch and spatial ones (batch norm without
// running statistics).
func buildNorm(withAffine bool) func(im *importer, m *match, in []int) ([]layerSpec, error) {
	return func(im *importer, m *match, in []int) ([]layerSpec, error) {
		rank := len(in) + 1
		axes, eps, err := normParts(im, m, rank)
		if err != nil {
			return nil, err
		}
		if _, pow := m.consts["two"]; pow && !consts(m, map[string]float64{"two": 2}) {
			return nil, errSkip
		}
		if axes[0] == 0 {
			// Batch statistics: axes 0 and every spatial one.
			want := []int{0}
			for i := 2; i < rank; i++ {
				want = append(want, i)
			}
			if !slices.Equal(axes, want) || len(in) > 3 {
				return nil, fmt.Errorf("normalising over axes %v is not supported", axes)
			}
			op := "batch_norm1d"
			if len(in) == 3 {
				op = "batch_norm2d"
			}
			var w map[string]*constant
			if withAffine {
				if w, err = affineWeights(m, in[0]); err != nil {
					return nil, err
				}
			}
			return one(op, map[string]any{"eps": eps, "momentum": 0.1, "affine": withAffine, "track_running_stats": false}, w)
		}
		for i, a := range axes {
			if a != rank-len(axes)+i {
				return nil, fmt.Errorf("normalising over axes %v is not supported", axes)
			}
		}
		shape := in[len(in)-len(axes):]
		cfg := map[string]any{"eps": eps, "elementwise_affine": withAffine}
		if len(shape) > 1 {
			cfg["normalized_shape"] = slices.Clone(shape)
		}
		var w map[string]*constant
		if withAffine {
			if w, err = affineWeights(m, prod(shape)); err != nil {
				return nil, err
			}
		}
		return one("layer_norm", cfg, w)
	}
}

func buildGroupNorm(withAffine bool) func(im *importer, m *match, in []int) ([]layerSpec, error) {
	return func(im *importer, m *match, in []int) ([]layerSpec, error) {
		axes, eps, err := normParts(im, m, 3)
		if err != nil {
			return nil, err
		}
		gs, ok1 := m.consts["gshape"].ints()
		s, ok2 := m.consts["shape"].ints()
		if !ok1 || !ok2 || len(gs) != 3 || gs[0] != 0 || gs[2] != -1 || !slices.Equal(axes, []int{2}) || len(in) < 1 {
			return nil, errSkip
		}
		want := append([]int64{0}, dims64(in)...)
		g := int(gs[1])
		if !slices.Equal(s, want) || g < 1 || in[0]%g != 0 {
			return nil, errSkip
		}
		var w map[string]*constant
		if withAffine {
			if w, err = affineWeights(m, in[0]); err != nil {
				return nil, err
			}
		}
		return one("group_norm", map[string]any{"num_groups": g, "eps": eps, "affine": withAffine}, w)
	}
}

func buildFlatten(im *importer, m *match, in []int) ([]layerSpec, error) {
	if err := only(im.nodes[m.root], "axis"); err != nil {
		return nil, err
	}
	if a := attrI(im.nodes[m.root], "axis", 1); a != 1 {
		return nil, fmt.Errorf("axis %d is not supported; want 1 (keep the batch)", a)
	}
	return one("flatten", nil, nil)
}

// buildReshape reads a Reshape to a constant shape that keeps the batch:
// [0 or −1 or the batch, dims…].
func buildReshape(im *importer, m *match, in []int) ([]layerSpec, error) {
	node := im.nodes[m.root]
	if attrI(node, "allowzero", 0) != 0 {
		return nil, fmt.Errorf("allowzero = 1 is not supported")
	}
	s, ok := m.consts["shape"].ints()
	if !ok || len(s) < 2 || len(s) > maxRank {
		return nil, fmt.Errorf("want a constant int64 shape [batch, dims…] of rank 2 to %d", maxRank)
	}
	size := prod(in)
	per := make([]int, len(s)-1)
	unknown := -1
	if s[0] == -1 {
		unknown = -2 // the batch takes the −1: the rest must be given
	} else if s[0] != 0 {
		return nil, fmt.Errorf("shape %v: the first dimension must be 0 or -1 to keep the batch", s)
	}
	known := 1
	for i, d := range s[1:] {
		switch {
		case d == 0 && i < len(in):
			per[i] = in[i]
		case d == -1 && unknown == -1:
			unknown = i
			continue
		case d >= 1 && d <= maxDim:
			per[i] = int(d)
		default:
			return nil, fmt.Errorf("shape %v is not supported", s)
		}
		known *= per[i]
		if known > size {
			return nil, fmt.Errorf("shape %v does not fit a sample of %v", s, in)
		}
	}
	if unknown >= 0 {
		if known == 0 || size%known != 0 {
			return nil, fmt.Errorf("shape %v does not fit a sample of %v", s, in)
		}
		per[unknown] = size / known
	} else if known != size {
		return nil, fmt.Errorf("shape %v does not fit a sample of %v", s, in)
	}
	switch {
	case slices.Equal(per, in):
		return one("identity", nil, nil)
	case len(per) == 1:
		return one("flatten", nil, nil)
	case len(in) == 1:
		return one("unflatten", map[string]any{"shape": per}, nil)
	}
	return []layerSpec{{op: "flatten", cfg: map[string]any{}}, {op: "unflatten", cfg: map[string]any{"shape": per}}}, nil
}

func buildDropout(im *importer, m *match, in []int) ([]layerSpec, error) {
	node := im.nodes[m.root]
	if len(node.GetOutput()) > 1 && node.GetOutput()[1] != "" && len(im.consumers[node.GetOutput()[1]]) > 0 {
		return nil, fmt.Errorf("the mask output is not supported")
	}
	p := 0.5
	if len(node.GetInput()) > 1 && node.GetInput()[1] != "" {
		c, ok := im.consts[node.GetInput()[1]]
		if !ok {
			return nil, fmt.Errorf("ratio: want a constant")
		}
		if v, ok := c.scalarF(); ok && v >= 0 && v <= 1 {
			p = float64(v)
		}
	}
	if len(node.GetInput()) > 2 && node.GetInput()[2] != "" {
		return nil, fmt.Errorf("training_mode is not supported; export in evaluation mode")
	}
	return one("dropout", map[string]any{"p": p}, nil)
}

func buildMaxout(im *importer, m *match, in []int) ([]layerSpec, error) {
	red := im.node(m, "red")
	if attrI(red, "keepdims", 1) != 0 || len(in) == 0 {
		return nil, errSkip
	}
	s, ok := m.consts["shape"].ints()
	if !ok || len(s) != len(in)+2 {
		return nil, errSkip
	}
	axes, err := axesOf(red, m, "red", len(s))
	if err != nil || !slices.Equal(axes, []int{len(s) - 1}) {
		return nil, errSkip
	}
	k := s[len(s)-1]
	f := in[len(in)-1]
	if k < 1 || int64(f)%k != 0 {
		return nil, errSkip
	}
	want := append([]int64{0}, dims64(in[:len(in)-1])...)
	want = append(want, int64(f)/k, k)
	if !slices.Equal(s, want) {
		return nil, errSkip
	}
	return one("maxout", map[string]any{"pieces": int(k)}, nil)
}

func buildSELU(im *importer, m *match, in []int) ([]layerSpec, error) {
	n := im.nodes[m.root]
	if attrF(n, "alpha", 1.67326319217681884765625) != 1.67326319217681884765625 || attrF(n, "gamma", 1.05070102214813232421875) != 1.05070102214813232421875 {
		return nil, fmt.Errorf("only SELU's standard alpha and gamma are supported")
	}
	return one("selu", nil, nil)
}

func buildHardSigmoid(im *importer, m *match, in []int) ([]layerSpec, error) {
	n := im.nodes[m.root]
	if attrF(n, "alpha", 0.2) != float32(1.0/6) || attrF(n, "beta", 0.5) != 0.5 {
		return nil, fmt.Errorf("only alpha = 1/6, beta = 0.5 (PyTorch's hardsigmoid) is supported")
	}
	return one("hardsigmoid", nil, nil)
}

func buildHardswish13(im *importer, m *match, in []int) ([]layerSpec, error) {
	n := im.node(m, "hs")
	if attrF(n, "alpha", 0.2) != float32(1.0/6) || attrF(n, "beta", 0.5) != 0.5 {
		return nil, errSkip
	}
	return one("hardswish", nil, nil)
}

func buildClip(im *importer, m *match, in []int) ([]layerSpec, error) {
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	var ok bool
	node := im.nodes[m.root]
	ins := node.GetInput()
	if len(ins) > 1 && ins[1] != "" {
		if lo, ok = im.consts[ins[1]].scalarF(); !ok {
			return nil, fmt.Errorf("min: want a float scalar")
		}
	}
	if len(ins) > 2 && ins[2] != "" {
		if hi, ok = im.consts[ins[2]].scalarF(); !ok {
			return nil, fmt.Errorf("max: want a float scalar")
		}
	}
	switch {
	case lo == 0 && hi == 6:
		return one("relu6", nil, nil)
	case lo == 0 && math.IsInf(float64(hi), 1):
		return one("relu", nil, nil)
	case isFinite(lo) && isFinite(hi) && lo < hi:
		return one("hardtanh", map[string]any{"min_val": float64(lo), "max_val": float64(hi)}, nil)
	}
	return nil, fmt.Errorf("op Clip to [%v, %v] is not supported", lo, hi)
}

func buildShrink(im *importer, m *match, in []int) ([]layerSpec, error) {
	n := im.nodes[m.root]
	b, l := attrF(n, "bias", 0), attrF(n, "lambd", 0.5)
	switch {
	case b == l && l >= 0:
		return one("softshrink", map[string]any{"lambd": float64(l)}, nil)
	case b == 0 && l >= 0:
		return one("hardshrink", map[string]any{"lambd": float64(l)}, nil)
	}
	return nil, fmt.Errorf("op Shrink with bias %v and lambd %v is not supported", b, l)
}

func buildPReLU(im *importer, m *match, in []int) ([]layerSpec, error) {
	s := m.consts["slope"]
	if _, ok := s.floats(); !ok || len(in) == 0 {
		return nil, fmt.Errorf("slope: want float values")
	}
	n := s.size()
	if n != 1 && n != in[0] {
		return nil, fmt.Errorf("slope has %d values: want 1 or one per channel (%d)", n, in[0])
	}
	if n > 1 {
		// The slope must run along the channel axis.
		for i, d := range s.dims {
			if d != 1 && (len(s.dims)-i != len(in)) {
				return nil, fmt.Errorf("slope of shape %v does not run along the channels of %v", s.dims, in)
			}
		}
	}
	return one("prelu", map[string]any{"num_parameters": n}, map[string]*constant{"weight": s})
}

func buildGeluOp(im *importer, m *match, in []int) ([]layerSpec, error) {
	a := attrS(im.nodes[m.root], "approximate", "none")
	if a != "none" && a != "tanh" {
		return nil, fmt.Errorf("approximate %q is not supported", a)
	}
	return one("gelu", map[string]any{"approximate": a}, nil)
}

func buildSoftmax(op string) func(im *importer, m *match, in []int) ([]layerSpec, error) {
	return func(im *importer, m *match, in []int) ([]layerSpec, error) {
		axis := int(attrI(im.nodes[m.root], "axis", -1))
		if axis < -len(in)-1 || axis > len(in) || axis == 0 || axis == -len(in)-1 {
			return nil, fmt.Errorf("axis %d: want a dimension of the sample", axis)
		}
		return one(op, map[string]any{"dim": axis}, nil)
	}
}

// consts checks that the named constants are float scalars of the given
// values (to float32 precision).
func consts(m *match, want map[string]float64) bool {
	for k, v := range want {
		got, ok := scalarOf(m, k)
		if !ok || got != float32(v) {
			return false
		}
	}
	return true
}

func buildGeluErf(im *importer, m *match, in []int) ([]layerSpec, error) {
	if !consts(m, map[string]float64{"sqrt2": math.Sqrt2, "one": 1, "half": 0.5}) {
		return nil, errSkip
	}
	return one("gelu", map[string]any{"approximate": "none"}, nil)
}

func buildGeluTanh(im *importer, m *match, in []int) ([]layerSpec, error) {
	want := map[string]float64{"coef": 0.044715, "k": math.Sqrt(2 / math.Pi), "one": 1, "half": 0.5}
	if _, pow := m.consts["three"]; pow {
		want["three"] = 3
	}
	if !consts(m, want) {
		return nil, errSkip
	}
	return one("gelu", map[string]any{"approximate": "tanh"}, nil)
}

func buildSoftplus(im *importer, m *match, in []int) ([]layerSpec, error) {
	b1, ok1 := scalarOf(m, "beta")
	b2, ok2 := scalarOf(m, "beta2")
	t, ok3 := scalarOf(m, "threshold")
	if _, where := m.consts["threshold"]; !where {
		t, ok3 = 20, true // PyTorch leaves the threshold out of the graph
	}
	if !ok1 || !ok2 || !ok3 || b1 != b2 || b1 == 0 || !isFinite(b1) || !isFinite(t) {
		return nil, errSkip
	}
	return one("softplus", map[string]any{"beta": float64(b1), "threshold": float64(t)}, nil)
}

func buildSoftsign(im *importer, m *match, in []int) ([]layerSpec, error) {
	if !consts(m, map[string]float64{"one": 1}) {
		return nil, errSkip
	}
	return one("softsign", nil, nil)
}

// shrinkLambda returns λ when the captured constants are λ (l…), −λ (nl)
// and 0 (z…), as PyTorch writes soft and hard shrink.
func shrinkLambda(m *match) (float32, bool) {
	l, ok := scalarOf(m, "l1")
	if !ok || !(l >= 0) {
		return 0, false
	}
	want := map[string]float64{"nl": -float64(l), "z1": 0}
	for _, k := range []string{"l2", "l3"} {
		if _, has := m.consts[k]; has {
			want[k] = float64(l)
		}
	}
	if _, has := m.consts["z2"]; has {
		want["z2"] = 0
	}
	return l, consts(m, want)
}

func buildSoftshrink(im *importer, m *match, in []int) ([]layerSpec, error) {
	l, ok := shrinkLambda(m)
	if !ok {
		return nil, errSkip
	}
	return one("softshrink", map[string]any{"lambd": float64(l)}, nil)
}

func buildHardshrink(im *importer, m *match, in []int) ([]layerSpec, error) {
	l, ok := shrinkLambda(m)
	if !ok {
		return nil, errSkip
	}
	return one("hardshrink", map[string]any{"lambd": float64(l)}, nil)
}

// buildInstanceGroupNorm reads PyTorch's group norm: InstanceNormalization
// with unit scale and zero bias over [N, G, −1], reshaped back to the
// input's shape, then the per-channel affine map.
func buildInstanceGroupNorm(withAffine bool) func(im *importer, m *match, in []int) ([]layerSpec, error) {
	return func(im *importer, m *match, in []int) ([]layerSpec, error) {
		gs, ok := m.consts["gshape"].ints()
		if !ok || len(gs) != 3 || gs[0] != 0 || gs[2] != -1 || len(in) < 1 {
			return nil, errSkip
		}
		g := int(gs[1])
		if g < 1 || in[0]%g != 0 {
			return nil, errSkip
		}
		for name, want := range map[string]float32{"s": 1, "bb": 0} {
			f, ok := m.consts[name].floats()
			if !ok || len(f) != g {
				return nil, errSkip
			}
			for _, v := range f {
				if v != want {
					return nil, fmt.Errorf("InstanceNormalization with a scale or bias of its own is not supported")
				}
			}
		}
		var w map[string]*constant
		if withAffine {
			var err error
			if w, err = affineWeights(m, in[0]); err != nil {
				return nil, err
			}
		}
		eps := float64(attrF(im.node(m, "inorm"), "epsilon", 1e-5))
		return one("group_norm", map[string]any{"num_groups": g, "eps": eps, "affine": withAffine}, w)
	}
}

// buildViewReshape reads x.view(x.size(0), dims…): a Reshape whose shape
// is the batch size followed by constants.
func buildViewReshape(im *importer, m *match, in []int) ([]layerSpec, error) {
	i0, ok1 := m.consts["i0"].ints()
	ax, ok2 := m.consts["ax"].ints()
	rest, ok3 := m.consts["rest"].ints()
	if !ok1 || !ok2 || !ok3 || len(i0) != 1 || i0[0] != 0 || len(ax) != 1 || ax[0] != 0 || len(rest) == 0 || len(rest) >= maxRank {
		return nil, errSkip
	}
	if a := attrI(im.node(m, "cat"), "axis", 0); a != 0 {
		return nil, errSkip
	}
	shape := &constant{dims: []int{len(rest) + 1}, i: append([]int64{0}, rest...)}
	return buildReshape(im, &match{root: m.nodes["view"], nodes: m.nodes, consts: map[string]*constant{"shape": shape}, set: m.set}, in)
}
