package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/tensor"
)

// MultiheadAttention is self-attention with Heads heads,
// torch.nn.MultiheadAttention(E, Heads, dropout, bias, batch_first=True)
// called as mha(x, x, x): per-sample input and output [T, E].
//
// The input is projected to queries, keys and values by InProjWeight
// [3E, E] and InProjBias [3E]; each head h attends with its slice of
// dh = E/Heads columns,
//
//	headₕ = dropout(softmax(QₕKₕᵀ/√dh + mask)) Vₕ
//
// and the heads, side by side, go through OutProjWeight [E, E] and
// OutProjBias [E]. Causal forbids each position to attend to later ones
// (PyTorch's generate_square_subsequent_mask as attn_mask), which is what
// makes a stack of layers a GPT-style decoder. Dropout drops attention
// weights in training mode. Attend takes key_padding_mask and attn_mask
// as well.
//
// The attention itself is fused and tiled with an online softmax: no
// T×T matrix is kept per head (see attnCore); the projections are single
// matrix products over every row of the batch.
type MultiheadAttention struct {
	Embed, Heads int
	Dropout      float64
	Causal       bool
	// PadKeys makes Forward ignore the keys that Mode.KeyPadding marks
	// (key_padding_mask: auto; the default, none, attends to every key
	// as PyTorch's layer called without a mask does); Attend's explicit
	// masks replace it.
	PadKeys bool

	InProjWeight, InProjBias   *autograd.Var
	OutProjWeight, OutProjBias *autograd.Var
}

// NewMultiheadAttention returns self-attention initialised as PyTorch
// does: in_proj_weight Xavier-uniform, out_proj.weight as nn.Linear's
// weight (kaiming_uniform with a = √5), both biases zero. It panics if
// embed is not a positive multiple of heads or dropout is outside [0, 1].
func NewMultiheadAttention(embed, heads int, dropout float64, bias, causal bool, rng *tensor.RNG) *MultiheadAttention {
	if embed <= 0 || heads <= 0 || embed%heads != 0 {
		panic(fmt.Sprintf("nn: NewMultiheadAttention: embed_dim %d must be a positive multiple of num_heads %d", embed, heads))
	}
	if !(dropout >= 0 && dropout <= 1) {
		panic(fmt.Sprintf("nn: NewMultiheadAttention: dropout must be in [0, 1], got %g", dropout))
	}
	a := &MultiheadAttention{Embed: embed, Heads: heads, Dropout: dropout, Causal: causal,
		InProjWeight: autograd.Param(tensor.Zeros(3*embed, embed)), OutProjWeight: autograd.Param(tensor.Zeros(embed, embed))}
	XavierUniform(a.InProjWeight.Value, rng, 1)
	KaimingUniform(a.OutProjWeight.Value, rng, math.Sqrt(5), FanIn, "leaky_relu")
	if bias {
		a.InProjBias = autograd.Param(tensor.Zeros(3 * embed))
		a.OutProjBias = autograd.Param(tensor.Zeros(embed))
	}
	return a
}

// Forward returns the self-attention of x [N, T, E] under the Causal
// setting, ignoring the keys m.KeyPadding marks when PadKeys is set.
func (a *MultiheadAttention) Forward(x *autograd.Var, m Mode) *autograd.Var {
	return RunKernel(a, x, m)
}

// Attend returns the self-attention of x [N, T, E] with masks:
// keyPadding [N·T] (nil for none) marks the keys each sample ignores, as
// key_padding_mask = True; attnMask [T·T] (nil for none) is added to the
// scores of query i and key j at i·T + j, as a float attn_mask, so −Inf
// forbids (a boolean mask's True). Causal applies on top. A query that
// may attend to no key gets NaN, as in PyTorch.
func (a *MultiheadAttention) Attend(x *autograd.Var, keyPadding []bool, attnMask []float32, m Mode) *autograd.Var {
	s := x.Value.Shape()
	if len(s) != 3 || s[2] != a.Embed {
		panic(&tensor.ShapeError{Op: "nn.MultiheadAttention", Detail: fmt.Sprintf("want input [N, T, %d], got", a.Embed), Shapes: [][]int{s}})
	}
	n, T := s[0], s[1]
	if (keyPadding != nil && len(keyPadding) != n*T) || (attnMask != nil && len(attnMask) != T*T) {
		panic(&tensor.ShapeError{Op: "nn.MultiheadAttention", Detail: "masks want [N·T] and [T·T] elements for input", Shapes: [][]int{s, {len(keyPadding)}, {len(attnMask)}}})
	}
	k := a.kernel(T, n)
	k.explicit, k.core.keyPad, k.core.mask = true, keyPadding, attnMask
	return KernelOp("multihead_attention", k, x, []int{T, a.Embed}, m, Vars(a.Params())...)
}

// Describe returns "multihead_attention" with num_heads, dropout, bias
// and causal.
func (a *MultiheadAttention) Describe() Desc {
	c := map[string]any{"num_heads": a.Heads, "dropout": a.Dropout, "bias": a.InProjBias != nil, "causal": a.Causal}
	if a.PadKeys {
		c["key_padding_mask"] = "auto"
	}
	return Desc{Op: "multihead_attention", Config: c}
}

// OutShape returns in, which must be [T, Embed].
func (a *MultiheadAttention) OutShape(in []int) ([]int, error) {
	if len(in) != 2 || in[1] != a.Embed {
		return nil, fmt.Errorf("multihead_attention: want input [T, %d], got %v", a.Embed, in)
	}
	return append([]int(nil), in...), nil
}

// Params returns in_proj_weight, in_proj_bias, out_proj.weight and
// out_proj.bias, PyTorch's names and order.
func (a *MultiheadAttention) Params() []Param {
	ps := []Param{{Name: "in_proj_weight", Var: a.InProjWeight}}
	if a.InProjBias != nil {
		ps = append(ps, Param{Name: "in_proj_bias", Var: a.InProjBias})
	}
	ps = append(ps, Param{Name: "out_proj.weight", Var: a.OutProjWeight})
	if a.OutProjBias != nil {
		ps = append(ps, Param{Name: "out_proj.bias", Var: a.OutProjBias})
	}
	return ps
}

// Fuse returns the attention kernel for inputs [T, Embed].
func (a *MultiheadAttention) Fuse(in []int, rows int) Kernel {
	if _, err := a.OutShape(in); err != nil {
		return nil
	}
	return a.kernel(in[0], rows)
}

func (a *MultiheadAttention) kernel(T, rows int) *mhaKernel {
	E, R := a.Embed, rows*T
	return &mhaKernel{a: a, T: T, core: newAttnCore(T, E, a.Heads, a.Causal, a.Dropout, rows),
		qkv: make([]float32, R*3*E), att: make([]float32, R*E), dqkv: make([]float32, R*3*E), datt: make([]float32, R*E)}
}

// mhaKernel keeps the projections and attention output of its latest
// Forward for the backward pass.
type mhaKernel struct {
	a          *MultiheadAttention
	T          int
	explicit   bool // Attend's masks, not Mode.KeyPadding
	core       *attnCore
	qkv, att   []float32
	dqkv, datt []float32
}

func (k *mhaKernel) Forward(y, x []float32, n int, m Mode) {
	a, E, R := k.a, k.a.Embed, n*k.T
	if !k.explicit {
		k.core.keyPad = nil
		if a.PadKeys && m.KeyPadding != nil {
			k.core.keyPad = m.KeyPadding[:R]
		}
	}
	qkv, att := k.qkv[:R*3*E], k.att[:R*E]
	project(qkv, x, a.InProjWeight, a.InProjBias, R, E, 3*E)
	scaleQueries(qkv, R, E, a.Heads)
	k.core.drop = m.Train && a.Dropout > 0
	if k.core.drop {
		k.core.seed = m.RNG.Uint64()
	}
	k.core.forward(att, qkv, n)
	project(y, att, a.OutProjWeight, a.OutProjBias, R, E, E)
}

func (k *mhaKernel) Backward(dx, dy, x, _ []float32, n int) {
	a, E, R := k.a, k.a.Embed, n*k.T
	qkv, att, dqkv, datt := k.qkv[:R*3*E], k.att[:R*E], k.dqkv[:R*3*E], k.datt[:R*E]
	projectBack(datt, dy, att, a.OutProjWeight, a.OutProjBias, R, E, E, false)
	k.core.backward(dqkv, datt, qkv, att, n)
	scaleQueries(dqkv, R, E, a.Heads)
	projectBack(dx, dqkv, x, a.InProjWeight, a.InProjBias, R, E, 3*E, true)
}

// project writes y = x·Wᵀ + b for r rows of in features into out features.
func project(y, x []float32, w, b *autograd.Var, r, in, out int) {
	kernel.Gemm(false, true, r, out, in, x, in, w.Value.Data(), in, y, out, false)
	if b != nil {
		kernel.AddRowVector(y[:r*out], b.Value.Data())
	}
}

// projectBack adds the gradients of y = x·Wᵀ + b: dy·W into dx (unless
// nil; with addDx false it sets dx instead, sparing the caller clearing
// a buffer of its own), dyᵀ·x into W's gradient and the column sums of dy
// into b's.
func projectBack(dx, dy, x []float32, w, b *autograd.Var, r, in, out int, addDx bool) {
	if dx != nil {
		kernel.Gemm(false, false, r, in, out, dy, out, w.Value.Data(), in, dx, in, addDx)
	}
	if g, add := gradForWrite(w); g != nil {
		kernel.Gemm(true, false, out, in, r, dy, out, x, in, g, in, add)
	}
	if g := gradOf(b); g != nil {
		kernel.SumRows(g, dy[:r*out])
	}
}

// scaleQueries divides the query columns of r rows of packed [q k v] by
// √dh, as PyTorch scales q before the product with the keys; applied to
// the gradient it is the chain rule through that scaling.
func scaleQueries(qkv []float32, r, E, heads int) {
	s := float32(math.Sqrt(float64(E / heads)))
	for i := 0; i < r; i++ {
		q := qkv[i*3*E : i*3*E+E]
		for j := range q {
			q[j] /= s
		}
	}
}

func init() {
	Register("multihead_attention", "num_heads", func(o Options, in []int, rng *tensor.RNG) (Layer, error) {
		if err := o.Allow("num_heads", "dropout", "bias", "causal", "attn_mask", "key_padding_mask"); err != nil {
			return nil, err
		}
		heads, err := o.Positive("num_heads")
		if err != nil {
			return nil, err
		}
		p, err := o.Float("dropout", 0)
		if err != nil {
			return nil, err
		}
		if !(p >= 0 && p <= 1) {
			return nil, fmt.Errorf("dropout must be in [0, 1], got %g", p)
		}
		bias, err := o.Bool("bias", true)
		if err != nil {
			return nil, err
		}
		causal, padKeys, err := maskOptions(o)
		if err != nil {
			return nil, err
		}
		if len(in) != 2 {
			return nil, fmt.Errorf("multihead_attention: want input [T, E] (after an embedding), got %v", in)
		}
		if in[1]%heads != 0 {
			return nil, fmt.Errorf("num_heads %d must divide the embedding width %d", heads, in[1])
		}
		if err := checkParams("4 × embed_dim²:", 4*in[1], in[1]); err != nil {
			return nil, err
		}
		a := NewMultiheadAttention(in[1], heads, p, bias, causal, rng)
		a.PadKeys = padKeys
		return a, nil
	})
}

// maskOptions reads the spec keys of an attending layer's masks: causal
// (a bool), or the same as attn_mask: causal or none; and
// key_padding_mask: auto (ignore the keys the first layer marks as
// padding) or none, the default, which keeps a layer PyTorch's layer
// called without a key_padding_mask.
func maskOptions(o Options) (causal, padKeys bool, err error) {
	if causal, err = o.Bool("causal", false); err != nil {
		return false, false, err
	}
	if _, ok := o["attn_mask"]; ok {
		am, err := o.String("attn_mask", "none", "none", "causal")
		if err != nil {
			return false, false, err
		}
		if _, both := o["causal"]; both && causal != (am == "causal") {
			return false, false, fmt.Errorf("attn_mask: %s and causal: %v disagree; give one of them", am, causal)
		}
		causal = am == "causal"
	}
	kp, err := o.String("key_padding_mask", "none", "auto", "none")
	if err != nil {
		return false, false, err
	}
	return causal, kp == "auto", nil
}
