package onnx

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/nn"
	pb "github.com/bigfunc/bigfunc/onnx/internal/onnxpb"
)

// The sequence and Kolmogorov–Arnold layers. Their graphs read the
// sequence length from the input (Shape) instead of baking it in, so a
// token model's graph takes any length up to its positional encoding's
// max_len.

// seqLen adds the length T of the sequence value x [N, T, …] as a 1-D
// int64 tensor of one element.
func (c *layerCtx) seqLen(x string) string {
	return c.opA("Slice", []string{c.op("Shape", x), c.shapeConst("t_start", 1), c.shapeConst("t_end", 2), c.shapeConst("t_axis", 0)})
}

// slice adds x[…, lo:hi] along axis.
func (c *layerCtx) slice(x string, axis, lo, hi int) string {
	return c.op("Slice", x, c.shapeConst("start", lo), c.shapeConst("end", hi), c.shapeConst("axis", axis))
}

// transposed adds the transpose of a 2-D parameter, for x·Wᵀ.
func (c *layerCtx) transposed(w string) string {
	return c.opA("Transpose", []string{w}, attrInts("perm", 1, 0))
}

// project adds x·Wᵀ + b with the parameters named prefix+"weight" and
// prefix+"bias" (the bias if the layer has it).
func (c *layerCtx) project(x, weight, bias string) (string, error) {
	w, err := c.param(weight)
	if err != nil {
		return "", err
	}
	y := c.op("MatMul", x, c.transposed(w))
	if c.has(bias) {
		b, err := c.param(bias)
		if err != nil {
			return "", err
		}
		y = c.op("Add", y, b)
	}
	return y, nil
}

// layerNorm adds a layer normalisation over the last dimension of size d
// with the parameters weight and bias: LayerNormalization from opset 17,
// the exact composition below.
func (c *layerCtx) layerNorm(x, weight, bias string, eps float64) (string, error) {
	w, err := c.param(weight)
	if err != nil {
		return "", err
	}
	b, err := c.param(bias)
	if err != nil {
		return "", err
	}
	if c.g.opset >= 17 {
		return c.opA("LayerNormalization", []string{x, w, b}, attrInt("axis", -1), attrFloat("epsilon", eps)), nil
	}
	return c.op("Add", c.op("Mul", c.normalize(x, []int{-1}, eps), w), b), nil
}

// gelu adds the exact GELU: the Gelu op from opset 20, x·½(1 + erf(x/√2))
// below.
func (c *layerCtx) gelu(x string) string {
	if c.g.opset >= 20 {
		return c.opA("Gelu", []string{x}, attrString("approximate", "none"))
	}
	e := c.op("Erf", c.op("Div", x, c.scalar("sqrt2", math.Sqrt2)))
	return c.op("Mul", c.op("Mul", x, c.op("Add", e, c.scalar("one", 1))), c.scalar("half", 0.5))
}

// emitEmbedding writes Gather(weight, ids): the graph's int64 input
// directly, a float value of ids through a Cast. The padding row needs
// nothing at inference: it is a row like the others (zero unless
// trained otherwise).
func emitEmbedding(c *layerCtx, x string) (string, error) {
	w, err := c.param("weight")
	if err != nil {
		return "", err
	}
	ids := x
	if !c.g.int64s[x] {
		ids = c.opA("Cast", []string{x}, attrInt("to", int(pb.TensorProto_INT64)))
	}
	return c.opA("Gather", []string{w, ids}, attrInt("axis", 0)), nil
}

// emitPositional writes x + P[:T], with P the learned weight or the
// sinusoidal table as a constant, sliced to the input's length.
func emitPositional(c *layerCtx, x string) (string, error) {
	if len(c.in) != 2 {
		return "", fmt.Errorf("want an input [T, D], got %v", c.in)
	}
	var table string
	if c.has("weight") {
		var err error
		if table, err = c.param("weight"); err != nil {
			return "", err
		}
	} else {
		maxLen := c.int("max_len", 0)
		if maxLen < c.in[0] {
			return "", fmt.Errorf("max_len %d is shorter than the input %v", maxLen, c.in)
		}
		table = c.konst("table", []int{maxLen, c.in[1]}, nn.SinusoidalTable(maxLen, c.in[1])...)
	}
	p := c.op("Slice", table, c.shapeConst("start", 0), c.seqLen(x), c.shapeConst("axis", 0))
	return c.op("Add", x, p), nil
}

// attention adds self-attention on x [N, T, E] with the parameters under
// prefix (PyTorch's in_proj_*, out_proj.*): queries scaled by 1/√dh
// after the projection, as the kernel does, scores masked above the
// diagonal when causal, a softmax over the keys.
func (c *layerCtx) attention(x, prefix string, E, heads int, causal bool) (string, error) {
	if heads < 1 || E%heads != 0 {
		return "", fmt.Errorf("num_heads %d does not divide the width %d", heads, E)
	}
	dh := E / heads
	qkv, err := c.project(x, prefix+"in_proj_weight", prefix+"in_proj_bias")
	if err != nil {
		return "", err
	}
	split := c.shapeConst("heads", 0, 0, heads, dh)
	part := func(i int) string { return c.op("Reshape", c.slice(qkv, -1, i*E, (i+1)*E), split) }
	q := c.op("Div", part(0), c.scalar("sqrt_dh", math.Sqrt(float64(dh))))
	q = c.opA("Transpose", []string{q}, attrInts("perm", 0, 2, 1, 3))        // [N, H, T, dh]
	k := c.opA("Transpose", []string{part(1)}, attrInts("perm", 0, 2, 3, 1)) // [N, H, dh, T]
	v := c.opA("Transpose", []string{part(2)}, attrInts("perm", 0, 2, 1, 3)) // [N, H, T, dh]
	s := c.op("MatMul", q, k)                                                // [N, H, T, T]
	if causal {
		// Key j is hidden from query i when j > i.
		T := c.op("Squeeze", c.seqLen(x), c.shapeConst("axes", 0))
		r := c.op("Range", c.g.int64Scalar(c.name+"/zero", 0), T, c.g.int64Scalar(c.name+"/one", 1))
		later := c.op("Greater", c.op("Reshape", r, c.shapeConst("row", 1, -1)), c.op("Reshape", r, c.shapeConst("col", -1, 1)))
		s = c.op("Where", later, c.scalar("minus_inf", math.Inf(-1)), s)
	}
	a := c.op("MatMul", c.opA("Softmax", []string{s}, attrInt("axis", -1)), v)
	a = c.op("Reshape", c.opA("Transpose", []string{a}, attrInts("perm", 0, 2, 1, 3)), c.shapeConst("merge", 0, 0, E))
	return c.project(a, prefix+"out_proj.weight", prefix+"out_proj.bias")
}

// refusePadKeys rejects key_padding_mask: auto, whose mask comes from the
// token ids at the network's input rather than from this layer's input;
// exporting the layer without it would silently attend to padding.
func refusePadKeys(c *layerCtx) error {
	if kp, _ := c.desc.Config["key_padding_mask"].(string); kp == "auto" {
		return fmt.Errorf("key_padding_mask: auto has no ONNX form yet; export a model built with key_padding_mask: none")
	}
	return nil
}

func emitAttention(c *layerCtx, x string) (string, error) {
	if len(c.in) != 2 {
		return "", fmt.Errorf("want an input [T, E], got %v", c.in)
	}
	if err := refusePadKeys(c); err != nil {
		return "", err
	}
	return c.attention(x, "", c.in[1], c.int("num_heads", 1), c.bool("causal", false))
}

// emitEncoderLayer writes PyTorch's TransformerEncoderLayer in
// evaluation: the attention and feed-forward blocks with their residual
// additions, the norms before (norm_first) or after them.
func emitEncoderLayer(c *layerCtx, x string) (string, error) {
	if len(c.in) != 2 {
		return "", fmt.Errorf("want an input [T, d_model], got %v", c.in)
	}
	if err := refusePadKeys(c); err != nil {
		return "", err
	}
	E, eps := c.in[1], c.float("layer_norm_eps", 1e-5)
	act, _ := c.desc.Config["activation"].(string)
	if act != "relu" && act != "gelu" {
		return "", fmt.Errorf("activation %q has no ONNX form", act)
	}
	attn := func(h string) (string, error) {
		return c.attention(h, "self_attn.", E, c.int("nhead", 1), c.bool("causal", false))
	}
	ff := func(h string) (string, error) {
		f, err := c.project(h, "linear1.weight", "linear1.bias")
		if err != nil {
			return "", err
		}
		if act == "relu" {
			f = c.op("Relu", f)
		} else {
			f = c.gelu(f)
		}
		return c.project(f, "linear2.weight", "linear2.bias")
	}
	norm := func(h string, i int) (string, error) {
		return c.layerNorm(h, fmt.Sprintf("norm%d.weight", i), fmt.Sprintf("norm%d.bias", i), eps)
	}
	if c.bool("norm_first", false) {
		h, err := norm(x, 1)
		if err != nil {
			return "", err
		}
		if h, err = attn(h); err != nil {
			return "", err
		}
		x1 := c.op("Add", x, h)
		if h, err = norm(x1, 2); err != nil {
			return "", err
		}
		if h, err = ff(h); err != nil {
			return "", err
		}
		return c.op("Add", x1, h), nil
	}
	h, err := attn(x)
	if err != nil {
		return "", err
	}
	x1, err := norm(c.op("Add", x, h), 1)
	if err != nil {
		return "", err
	}
	if h, err = ff(x1); err != nil {
		return "", err
	}
	return norm(c.op("Add", x1, h), 2)
}

// emitKAN writes efficient-kan's forward: the features [silu(x), B(x)]
// (the B-spline bases of every input, by the Cox–de Boor recursion on
// the grid buffer, order 0 the indicator of [gⱼ, gⱼ₊₁)) times the
// weights [base_weight | spline_weight·spline_scaler], one MatMul.
func emitKAN(c *layerCtx, x string) (string, error) {
	if len(c.in) == 0 {
		return "", fmt.Errorf("want an input [..., in], got %v", c.in)
	}
	in := c.in[len(c.in)-1]
	out := c.out[len(c.out)-1]
	k := c.int("spline_order", 3)
	r, ok := c.bufs["grid"]
	if !ok {
		return "", fmt.Errorf("missing buffer %q", "grid")
	}
	gs := r.t.Shape()
	if len(gs) != 2 || gs[0] != in || gs[1] < k+2 {
		return "", fmt.Errorf("grid %v does not fit %d inputs of order %d", gs, in, k)
	}
	L := gs[1]
	C := L - 1 - k
	grid, err := c.buffer("grid")
	if err != nil {
		return "", err
	}
	gcol := func(lo, n int) string { return c.slice(grid, 1, lo, lo+n) }
	xu := c.op("Unsqueeze", x, c.shapeConst("last", -1)) // [..., in, 1]
	b := c.opA("Cast", []string{c.op("And", c.op("GreaterOrEqual", xu, gcol(0, L-1)), c.op("Less", xu, gcol(1, L-1)))},
		attrInt("to", int(pb.TensorProto_FLOAT)))
	for kk := 1; kk <= k; kk++ {
		n := L - 1 - kk
		gj, gjk, gj1, gjk1 := gcol(0, n), gcol(kk, n), gcol(1, n), gcol(kk+1, n)
		left := c.op("Mul", c.op("Div", c.op("Sub", xu, gj), c.op("Sub", gjk, gj)), c.slice(b, -1, 0, n))
		right := c.op("Mul", c.op("Div", c.op("Sub", gjk1, xu), c.op("Sub", gjk1, gj1)), c.slice(b, -1, 1, n+1))
		b = c.op("Add", left, right)
	}
	flat := make([]int, len(c.in)+1)
	flat[len(flat)-1] = in * C
	feat := c.opA("Concat", []string{c.op("Mul", x, c.op("Sigmoid", x)), c.op("Reshape", b, c.shapeConst("flat", flat...))}, attrInt("axis", -1))

	base, err := c.param("base_weight")
	if err != nil {
		return "", err
	}
	spline, err := c.param("spline_weight")
	if err != nil {
		return "", err
	}
	if c.has("spline_scaler") {
		s, err := c.param("spline_scaler")
		if err != nil {
			return "", err
		}
		spline = c.op("Mul", spline, c.op("Unsqueeze", s, c.shapeConst("last", -1)))
	}
	w := c.opA("Concat", []string{base, c.op("Reshape", spline, c.shapeConst("spline", out, in*C))}, attrInt("axis", 1))
	return c.op("MatMul", feat, c.transposed(w)), nil
}
