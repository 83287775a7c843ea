package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/internal/kernel"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// TransformerEncoderLayer is torch.nn.TransformerEncoderLayer(d_model,
// nhead, dim_feedforward, dropout, activation, layer_norm_eps,
// batch_first=True, norm_first): self-attention and a two-layer
// feed-forward network, each with a residual connection and a layer
// normalisation. Per-sample input and output [T, d_model].
//
// With NormFirst (pre-norm, as GPT-2):
//
//	x = x + dropout₁(SelfAttn(norm₁(x)))
//	x = x + dropout₂(linear₂(dropout(act(linear₁(norm₂(x))))))
//
// and without (post-norm, the 2017 paper and PyTorch's default):
//
//	x = norm₁(x + dropout₁(SelfAttn(x)))
//	x = norm₂(x + dropout₂(linear₂(dropout(act(linear₁(x))))))
//
// Activation is "relu" or "gelu" (the exact, erf form). Causal masks
// attention to later positions (PyTorch's src_mask =
// generate_square_subsequent_mask(T)), so a stack of such layers is a
// GPT-style decoder-only model. Parameters carry PyTorch's state_dict
// names: self_attn.in_proj_weight, self_attn.in_proj_bias,
// self_attn.out_proj.{weight,bias}, linear1.*, linear2.*, norm1.*, norm2.*.
type TransformerEncoderLayer struct {
	SelfAttn          *MultiheadAttention
	Linear1, Linear2  *Linear
	Norm1, Norm2      *LayerNorm
	Dropout           float64
	Activation        string // "relu" or "gelu"
	NormFirst, Causal bool
	dModel, dimFF     int
	drop              *Dropout
}

// NewTransformerEncoderLayer returns an encoder layer initialised as
// PyTorch's: attention as NewMultiheadAttention, the two linear layers as
// NewLinear, norms with weight 1 and bias 0. It panics on sizes that do
// not fit (d_model not a multiple of nhead), an unknown activation, or a
// dropout outside [0, 1].
func NewTransformerEncoderLayer(dModel, nhead, dimFF int, dropout float64, activation string, eps float64, normFirst, causal bool, rng *tensor.RNG) *TransformerEncoderLayer {
	if activation != "relu" && activation != "gelu" {
		panic(fmt.Sprintf("nn: NewTransformerEncoderLayer: unknown activation %q", activation))
	}
	l := &TransformerEncoderLayer{
		SelfAttn: NewMultiheadAttention(dModel, nhead, dropout, true, causal, rng),
		Linear1:  NewLinear(dModel, dimFF, true, rng),
		Linear2:  NewLinear(dimFF, dModel, true, rng),
		Norm1:    newLayerNorm(dModel, eps),
		Norm2:    newLayerNorm(dModel, eps),
		Dropout:  dropout, Activation: activation, NormFirst: normFirst, Causal: causal,
		dModel: dModel, dimFF: dimFF,
	}
	l.drop = NewDropout(dropout)
	return l
}

func newLayerNorm(d int, eps float64) *LayerNorm {
	l := NewLayerNorm([]int{d}, true)
	l.Eps = eps
	return l
}

// Forward runs the layer on x [N, T, d_model].
func (l *TransformerEncoderLayer) Forward(x *autograd.Var, m Mode) *autograd.Var {
	return RunKernel(l, x, m)
}

// Describe returns "transformer_encoder_layer" with PyTorch's option
// names and causal (and key_padding_mask: auto when padding is
// masked).
func (l *TransformerEncoderLayer) Describe() Desc {
	c := map[string]any{
		"nhead": l.SelfAttn.Heads, "dim_feedforward": l.dimFF, "dropout": l.Dropout,
		"activation": l.Activation, "norm_first": l.NormFirst, "causal": l.Causal,
		"layer_norm_eps": l.Norm1.Eps,
	}
	if l.SelfAttn.PadKeys {
		c["key_padding_mask"] = "auto"
	}
	return Desc{Op: "transformer_encoder_layer", Config: c}
}

// OutShape returns in, which must be [T, d_model].
func (l *TransformerEncoderLayer) OutShape(in []int) ([]int, error) {
	if len(in) != 2 || in[1] != l.dModel {
		return nil, fmt.Errorf("transformer_encoder_layer: want input [T, %d], got %v", l.dModel, in)
	}
	return append([]int(nil), in...), nil
}

// Params returns the parameters under PyTorch's names, in its order.
func (l *TransformerEncoderLayer) Params() []Param {
	var ps []Param
	add := func(prefix string, sub []Param) {
		for _, p := range sub {
			ps = append(ps, Param{Name: prefix + p.Name, Var: p.Var})
		}
	}
	add("self_attn.", l.SelfAttn.Params())
	add("linear1.", l.Linear1.Params())
	add("linear2.", l.Linear2.Params())
	for i, n := range []*LayerNorm{l.Norm1, l.Norm2} {
		prefix := fmt.Sprintf("norm%d.", i+1)
		ps = append(ps, Param{Name: prefix + "weight", Var: n.Weight}, Param{Name: prefix + "bias", Var: n.Bias})
	}
	return ps
}

// Fuse returns the layer's kernel for inputs [T, d_model].
func (l *TransformerEncoderLayer) Fuse(in []int, rows int) Kernel {
	if _, err := l.OutShape(in); err != nil {
		return nil
	}
	T, E, F := in[0], l.dModel, l.dimFF
	R := rows * T
	buf := func(n int) []float32 { return make([]float32, n) }
	return &encoderKernel{
		l: l, T: T, attn: l.SelfAttn.kernel(T, rows),
		a: buf(R * E), b: buf(R * E), c: buf(R * E), sa: buf(R * E), f1: buf(R * F), act: buf(R * F), f2: buf(R * E),
		mask1: buf(R * E), maskF: buf(R * F), mask2: buf(R * E),
		mean1: buf(R), rstd1: buf(R), mean2: buf(R), rstd2: buf(R),
		dX1: buf(R * E), dTmp: buf(R * E), dH: buf(R * E), dA: buf(R * E), dF: buf(R * F),
	}
}

// encoderKernel keeps the intermediate results of its latest Forward. For
// a pre-norm layer a, b and c hold norm₁(x), the residual stream after
// attention x₁, and norm₂(x₁); for a post-norm layer they hold the sums
// before each norm and norm₁'s output: a = x + attention, b = norm₁(a),
// c = b + feed-forward.
type encoderKernel struct {
	l                 *TransformerEncoderLayer
	T                 int
	attn              *mhaKernel
	a, b, c           []float32
	sa, f1, act, f2   []float32
	mask1, maskF      []float32
	mask2             []float32
	mean1, rstd1      []float32
	mean2, rstd2      []float32
	dX1, dTmp, dH, dA []float32
	dF                []float32
	dropped           bool
}

func (k *encoderKernel) Forward(y, x []float32, n int, m Mode) {
	l, E, F := k.l, k.l.dModel, k.l.dimFF
	R := n * k.T
	a, b, c := k.a[:R*E], k.b[:R*E], k.c[:R*E]
	sa, f1, act, f2 := k.sa[:R*E], k.f1[:R*F], k.act[:R*F], k.f2[:R*E]
	x = x[:R*E]
	k.dropped = m.Train && l.Dropout > 0
	if l.NormFirst {
		layerNormRows(a, x, l.Norm1, k.mean1, k.rstd1, E)
		k.attn.Forward(sa, a, n, m)
		k.dropout(sa, k.mask1[:R*E], m)
		addVec(b, x, sa)
		layerNormRows(c, b, l.Norm2, k.mean2, k.rstd2, E)
		k.feedForward(f2, c, f1, act, R, m)
		addVec(y, b, f2)
		return
	}
	k.attn.Forward(sa, x, n, m)
	k.dropout(sa, k.mask1[:R*E], m)
	addVec(a, x, sa)
	layerNormRows(b, a, l.Norm1, k.mean1, k.rstd1, E)
	k.feedForward(f2, b, f1, act, R, m)
	addVec(c, b, f2)
	layerNormRows(y, c, l.Norm2, k.mean2, k.rstd2, E)
}

// feedForward writes dropout₂(linear₂(dropout(act(linear₁(h))))) into f2.
func (k *encoderKernel) feedForward(f2, h, f1, act []float32, R int, m Mode) {
	l, E, F := k.l, k.l.dModel, k.l.dimFF
	project(f1, h, l.Linear1.Weight, l.Linear1.Bias, R, E, F)
	activate(act, f1, l.Activation)
	k.dropout(act, k.maskF[:R*F], m)
	project(f2, act, l.Linear2.Weight, l.Linear2.Bias, R, F, E)
	k.dropout(f2, k.mask2[:R*E], m)
}

// dropout draws mask and multiplies v by it in training mode.
func (k *encoderKernel) dropout(v, mask []float32, m Mode) {
	if !k.dropped {
		return
	}
	k.l.drop.Mask(mask, m.RNG)
	for i := range v {
		v[i] *= mask[i]
	}
}

// undrop multiplies a gradient by the mask of a dropout, if one was
// applied.
func (k *encoderKernel) undrop(g, mask []float32) {
	if !k.dropped {
		return
	}
	for i := range g {
		g[i] *= mask[i]
	}
}

func (k *encoderKernel) Backward(dx, dy, x, _ []float32, n int) {
	l, E, F := k.l, k.l.dModel, k.l.dimFF
	R := n * k.T
	a, b, c := k.a[:R*E], k.b[:R*E], k.c[:R*E]
	sa, f1, act := k.sa[:R*E], k.f1[:R*F], k.act[:R*F]
	dX1, dTmp, dH, dA, dF := k.dX1[:R*E], k.dTmp[:R*E], k.dH[:R*E], k.dA[:R*E], k.dF[:R*F]
	x, dy = x[:R*E], dy[:R*E]
	// ffBack takes dA = ∂/∂f2 (before dropout₂) and adds ∂/∂h into dh, or
	// sets it unless add.
	ffBack := func(dh, h []float32, add bool) {
		k.undrop(dA, k.mask2[:R*E])
		projectBack(dF, dA, act, l.Linear2.Weight, l.Linear2.Bias, R, F, E, false)
		k.undrop(dF, k.maskF[:R*F])
		activateBack(dF, f1, l.Activation)
		projectBack(dh, dF, h, l.Linear1.Weight, l.Linear1.Bias, R, E, F, add)
	}
	if l.NormFirst {
		copy(dX1, dy)
		copy(dA, dy)
		ffBack(dH, c, false)
		layerNormRowsBack(dX1, dH, b, l.Norm2, k.mean2, k.rstd2, E)
		copy(dA, dX1)
		k.undrop(dA, k.mask1[:R*E])
		clear(dH)
		k.attn.Backward(dH, dA, a, sa, n)
		if dx != nil {
			addTo(dx, dX1)
			clear(dTmp)
			layerNormRowsBack(dTmp, dH, x, l.Norm1, k.mean1, k.rstd1, E)
			addTo(dx, dTmp)
		} else {
			layerNormRowsBack(nil, dH, x, l.Norm1, k.mean1, k.rstd1, E)
		}
		return
	}
	clear(dTmp)
	layerNormRowsBack(dTmp, dy, c, l.Norm2, k.mean2, k.rstd2, E)
	copy(dX1, dTmp)
	copy(dA, dTmp)
	ffBack(dX1, b, true)
	clear(dTmp)
	layerNormRowsBack(dTmp, dX1, a, l.Norm1, k.mean1, k.rstd1, E)
	if dx != nil {
		addTo(dx, dTmp)
	}
	k.undrop(dTmp, k.mask1[:R*E])
	k.attn.Backward(dx, dTmp, x, sa, n)
}

func addVec(dst, x, y []float32) {
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

func addTo(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += x[i]
	}
}

// layerNormRows normalises each row of d values of x into y, keeping each
// row's mean and 1/√(var + ε) for the backward pass. Statistics are summed
// in float64.
//
// Rows go four at a time: each row's sums still run over its values in
// order, so the bits are those of one row at a time, but four independent
// chains of additions keep the adder busy where one chain would wait on
// each addition's latency.
func layerNormRows(y, x []float32, p *LayerNorm, mean, rstd []float32, d int) {
	rows := len(x) / d
	r := 0
	for ; r+4 <= rows; r += 4 {
		x0, x1, x2, x3 := x[r*d:(r+1)*d], x[(r+1)*d:(r+2)*d], x[(r+2)*d:(r+3)*d], x[(r+3)*d:(r+4)*d]
		var s0, s1, s2, s3 float64
		for j, v := range x0 {
			s0 += float64(v)
			s1 += float64(x1[j])
			s2 += float64(x2[j])
			s3 += float64(x3[j])
		}
		mu0, mu1, mu2, mu3 := s0/float64(d), s1/float64(d), s2/float64(d), s3/float64(d)
		var q0, q1, q2, q3 float64
		for j, v := range x0 {
			dv0 := float64(v) - mu0
			dv1 := float64(x1[j]) - mu1
			dv2 := float64(x2[j]) - mu2
			dv3 := float64(x3[j]) - mu3
			q0 += dv0 * dv0
			q1 += dv1 * dv1
			q2 += dv2 * dv2
			q3 += dv3 * dv3
		}
		layerNormRow(y, x, p, mean, rstd, d, r, mu0, q0)
		layerNormRow(y, x, p, mean, rstd, d, r+1, mu1, q1)
		layerNormRow(y, x, p, mean, rstd, d, r+2, mu2, q2)
		layerNormRow(y, x, p, mean, rstd, d, r+3, mu3, q3)
	}
	for ; r < rows; r++ {
		row := x[r*d : (r+1)*d]
		var s float64
		for _, v := range row {
			s += float64(v)
		}
		mu := s / float64(d)
		var q float64
		for _, v := range row {
			dv := float64(v) - mu
			q += dv * dv
		}
		layerNormRow(y, x, p, mean, rstd, d, r, mu, q)
	}
}

// layerNormRow finishes row r of layerNormRows from its mean mu and its
// sum of squared deviations q.
func layerNormRow(y, x []float32, p *LayerNorm, mean, rstd []float32, d, r int, mu, q float64) {
	w, b := p.Weight.Value.Data(), p.Bias.Value.Data()
	row, out := x[r*d:(r+1)*d], y[r*d:(r+1)*d]
	rs := 1 / math.Sqrt(q/float64(d)+p.Eps)
	mean[r], rstd[r] = float32(mu), float32(rs)
	m32, r32 := float32(mu), float32(rs)
	for j, v := range row {
		out[j] = (v-m32)*r32*w[j] + b[j]
	}
}

// layerNormRowsBack adds the gradient of layerNormRows: with x̂ the
// normalised input and g = dy·w, dx += rstd·(g − mean(g) − x̂·mean(g·x̂)),
// dw += Σ dy·x̂ and db += Σ dy over the rows. dx may be nil. The sums over
// a row go four rows at a time, as in layerNormRows, and each element of
// dw and db still takes the rows in order.
func layerNormRowsBack(dx, dy, x []float32, p *LayerNorm, mean, rstd []float32, d int) {
	w := p.Weight.Value.Data()
	gw, gb := gradOf(p.Weight), gradOf(p.Bias)
	rows := len(x) / d
	r := 0
	for ; r+4 <= rows; r += 4 {
		x0, x1, x2, x3 := x[r*d:(r+1)*d], x[(r+1)*d:(r+2)*d], x[(r+2)*d:(r+3)*d], x[(r+3)*d:(r+4)*d]
		dy0, dy1, dy2, dy3 := dy[r*d:(r+1)*d], dy[(r+1)*d:(r+2)*d], dy[(r+2)*d:(r+3)*d], dy[(r+3)*d:(r+4)*d]
		m0, m1, m2, m3 := mean[r], mean[r+1], mean[r+2], mean[r+3]
		rs0, rs1, rs2, rs3 := rstd[r], rstd[r+1], rstd[r+2], rstd[r+3]
		var sg0, sg1, sg2, sg3, sgx0, sgx1, sgx2, sgx3 float64
		for j, v := range x0 {
			xh0 := (v - m0) * rs0
			xh1 := (x1[j] - m1) * rs1
			xh2 := (x2[j] - m2) * rs2
			xh3 := (x3[j] - m3) * rs3
			g0, g1, g2, g3 := dy0[j]*w[j], dy1[j]*w[j], dy2[j]*w[j], dy3[j]*w[j]
			sg0 += float64(g0)
			sg1 += float64(g1)
			sg2 += float64(g2)
			sg3 += float64(g3)
			sgx0 += float64(g0 * xh0)
			sgx1 += float64(g1 * xh1)
			sgx2 += float64(g2 * xh2)
			sgx3 += float64(g3 * xh3)
			if gw != nil {
				gw[j] += dy0[j] * xh0
				gw[j] += dy1[j] * xh1
				gw[j] += dy2[j] * xh2
				gw[j] += dy3[j] * xh3
			}
			if gb != nil {
				gb[j] += dy0[j]
				gb[j] += dy1[j]
				gb[j] += dy2[j]
				gb[j] += dy3[j]
			}
		}
		if dx != nil {
			layerNormRowBack(dx, dy, x, w, mean, rstd, d, r, sg0, sgx0)
			layerNormRowBack(dx, dy, x, w, mean, rstd, d, r+1, sg1, sgx1)
			layerNormRowBack(dx, dy, x, w, mean, rstd, d, r+2, sg2, sgx2)
			layerNormRowBack(dx, dy, x, w, mean, rstd, d, r+3, sg3, sgx3)
		}
	}
	for ; r < rows; r++ {
		row, dyr := x[r*d:(r+1)*d], dy[r*d:(r+1)*d]
		m, rs := mean[r], rstd[r]
		var sg, sgx float64
		for j, v := range row {
			xh := (v - m) * rs
			g := dyr[j] * w[j]
			sg += float64(g)
			sgx += float64(g * xh)
			if gw != nil {
				gw[j] += dyr[j] * xh
			}
			if gb != nil {
				gb[j] += dyr[j]
			}
		}
		if dx != nil {
			layerNormRowBack(dx, dy, x, w, mean, rstd, d, r, sg, sgx)
		}
	}
}

// layerNormRowBack adds row r of layerNormRowsBack's dx, given the row's
// sums of g and g·x̂.
func layerNormRowBack(dx, dy, x, w, mean, rstd []float32, d, r int, sg, sgx float64) {
	m, rs := mean[r], rstd[r]
	mg, mgx := float32(sg/float64(d)), float32(sgx/float64(d))
	row, dyr, dxr := x[r*d:(r+1)*d], dy[r*d:(r+1)*d], dx[r*d:(r+1)*d]
	for j, v := range row {
		xh := (v - m) * rs
		dxr[j] += rs * (dyr[j]*w[j] - mg - xh*mgx)
	}
}

// activate writes act(x) into y: relu, or gelu's exact form
// x·Φ(x) = x/2·(1 + erf(x/√2)), computed as PyTorch computes it in float32.
// y may be x.
func activate(y, x []float32, act string) {
	if act == "relu" {
		for i, v := range x {
			y[i] = max(v, 0)
		}
		return
	}
	kernel.GELU(y, x)
}

// activateBack multiplies the gradient g by act′(x) in place: relu′ is 1
// for x > 0 (0 at 0, as PyTorch), gelu′ = Φ(x) + x·φ(x).
func activateBack(g, x []float32, act string) {
	if act == "relu" {
		for i, v := range x {
			if v <= 0 {
				g[i] = 0
			}
		}
		return
	}
	kernel.GELUGrad(g, g, x)
}

func init() {
	Register("transformer_encoder_layer", "nhead", func(o Options, in []int, rng *tensor.RNG) (Layer, error) {
		if err := o.Allow("nhead", "dim_feedforward", "dropout", "activation", "norm_first", "causal", "attn_mask", "key_padding_mask", "layer_norm_eps"); err != nil {
			return nil, err
		}
		nhead, err := o.Positive("nhead")
		if err != nil {
			return nil, err
		}
		ff, err := o.Int("dim_feedforward", 2048)
		if err != nil {
			return nil, err
		}
		if ff < 1 {
			return nil, fmt.Errorf("dim_feedforward must be a positive integer, got %d", ff)
		}
		p, err := o.Float("dropout", 0.1)
		if err != nil {
			return nil, err
		}
		if !(p >= 0 && p <= 1) {
			return nil, fmt.Errorf("dropout must be in [0, 1], got %g", p)
		}
		act, err := o.String("activation", "relu", "relu", "gelu")
		if err != nil {
			return nil, err
		}
		normFirst, err := o.Bool("norm_first", false)
		if err != nil {
			return nil, err
		}
		causal, padKeys, err := maskOptions(o)
		if err != nil {
			return nil, err
		}
		eps, err := o.Float("layer_norm_eps", 1e-5)
		if err != nil {
			return nil, err
		}
		if !(eps > 0) {
			return nil, fmt.Errorf("layer_norm_eps must be positive, got %g", eps)
		}
		if len(in) != 2 {
			return nil, fmt.Errorf("transformer_encoder_layer: want input [T, d_model] (after an embedding), got %v", in)
		}
		d := in[1]
		if d%nhead != 0 {
			return nil, fmt.Errorf("nhead %d must divide d_model %d", nhead, d)
		}
		if err := checkParams("d_model × (4·d_model + 2·dim_feedforward):", d, 4*d+2*ff); err != nil {
			return nil, err
		}
		l := NewTransformerEncoderLayer(d, nhead, ff, p, act, eps, normFirst, causal, rng)
		l.SelfAttn.PadKeys = padKeys
		return l, nil
	})
}
