package nn

import (
	"math"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestKeyPaddingFromEmbedding checks that padding marked by the first
// layer's padding_idx is ignored as keys: a bidirectional encoder gives
// the real tokens of [a b c pad pad] exactly what it gives [a b c] alone,
// through the graph and through the fused kernel, and differs with
// key_padding_mask: none.
func TestKeyPaddingFromEmbedding(t *testing.T) {
	const V, E, pad = 7, 8, 0
	build := func(padKeys bool) *Sequential {
		rng := tensor.NewRNG(5)
		enc := NewTransformerEncoderLayer(E, 2, 16, 0, "gelu", 1e-5, true, false, rng)
		enc.SelfAttn.PadKeys = padKeys
		return NewSequential(NewEmbedding(V, E, pad, rng), NewPositional("learned", 5, E, rng), enc, NewLinear(E, V, true, rng))
	}
	padded := tensor.FromSlice([]float32{3, 1, 4, pad, pad, 2, 6, 5, 3, 1}, 2, 5)
	short := tensor.FromSlice([]float32{3, 1, 4}, 1, 3)
	maxDiff := func(net *Sequential, fused bool) float64 {
		var out []float32
		if fused {
			k := Fuse(net, []int{5}, 2)
			out = make([]float32, 2*5*V)
			k.Forward(out, padded.Data(), 2, Eval)
		} else {
			out = net.Forward(autograd.Const(padded), Eval).Value.Data()
		}
		want := net.Forward(autograd.Const(short), Eval).Value.Data()
		d := 0.0
		for i := range want {
			d = math.Max(d, math.Abs(float64(out[i]-want[i])))
		}
		return d
	}
	for _, fused := range []bool{false, true} {
		if d := maxDiff(build(true), fused); d > 1e-5 {
			t.Errorf("fused=%v: padding changed the real tokens' outputs by %g", fused, d)
		}
		if d := maxDiff(build(false), fused); d < 1e-4 {
			t.Errorf("fused=%v: with key_padding_mask: none the padding changed nothing (%g)", fused, d)
		}
	}
}

// TestMaskSpecKeys checks the spec keys of the masks: attn_mask: causal is
// causal: true, key_padding_mask: auto turns the padding mask on (and is
// described; none, the default, is not), and contradictions and unknown
// values are errors.
func TestMaskSpecKeys(t *testing.T) {
	rng := tensor.NewRNG(1)
	for _, op := range []string{"transformer_encoder_layer", "multihead_attention"} {
		heads := "nhead"
		if op == "multihead_attention" {
			heads = "num_heads"
		}
		l, err := Build(op, Options{heads: 2, "attn_mask": "causal", "key_padding_mask": "auto"}, []int{4, 8}, rng)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		c := l.Describe().Config
		if c["causal"] != true || c["key_padding_mask"] != "auto" {
			t.Errorf("%s: described as %v", op, c)
		}
		if l, err = Build(op, Options{heads: 2}, []int{4, 8}, rng); err != nil || l.Describe().Config["causal"] != false {
			t.Errorf("%s: default: %v, %v", op, err, l)
		}
		if _, ok := l.Describe().Config["key_padding_mask"]; ok {
			t.Errorf("%s: the default key_padding_mask: none is described", op)
		}
		for _, bad := range []struct {
			o    Options
			want string
		}{
			{Options{heads: 2, "attn_mask": "none", "causal": true}, "disagree"},
			{Options{heads: 2, "attn_mask": "window"}, "attn_mask"},
			{Options{heads: 2, "key_padding_mask": "yes"}, "key_padding_mask"},
		} {
			if _, err := Build(op, bad.o, []int{4, 8}, rng); err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("%s %v: error %v, want one naming %q", op, bad.o, err, bad.want)
			}
		}
	}
}
