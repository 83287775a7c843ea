package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

func init() { checkers["seq.json"] = checkSeq }

type seqFile struct {
	Generator string `json:"generator"`
	Seed      int    `json:"seed"`
	Embedding []struct {
		NumEmbeddings int  `json:"num_embeddings"`
		EmbeddingDim  int  `json:"embedding_dim"`
		PaddingIdx    *int `json:"padding_idx"`
		X, Weight     jsonTensor
		Y, Dy         jsonTensor
		Dweight       jsonTensor
	} `json:"embedding"`
	Positional []struct {
		Kind            string `json:"kind"`
		MaxLen          int    `json:"max_len"`
		X, Y, Dy, Dx    jsonTensor
		Weight, Dweight *jsonTensor
	} `json:"positional"`
	MHA []struct {
		EmbedDim       int  `json:"embed_dim"`
		NumHeads       int  `json:"num_heads"`
		Bias           bool `json:"bias"`
		Causal         bool `json:"causal"`
		X, Y, Dy, Dx   jsonTensor
		Params         map[string]jsonTensor `json:"params"`
		Grads          map[string]jsonTensor `json:"grads"`
		AttnMask       *jsonTensor           `json:"attn_mask"`
		AttnForbid     *jsonTensor           `json:"attn_forbid"`
		KeyPaddingMask *jsonTensor           `json:"key_padding_mask"`
	} `json:"multihead_attention"`
	Encoder []struct {
		Nhead          int     `json:"nhead"`
		DimFeedforward int     `json:"dim_feedforward"`
		Activation     string  `json:"activation"`
		NormFirst      bool    `json:"norm_first"`
		Causal         bool    `json:"causal"`
		LayerNormEps   float64 `json:"layer_norm_eps"`
		X, Y, Dy, Dx   jsonTensor
		Params         map[string]jsonTensor `json:"params"`
		Grads          map[string]jsonTensor `json:"grads"`
	} `json:"transformer_encoder_layer"`
	CrossEntropy []struct {
		LabelSmoothing float64 `json:"label_smoothing"`
		Reduction      string  `json:"reduction"`
		IgnoreIndex    int     `json:"ignore_index"`
		Logits, Target jsonTensor
		Value, Seed    jsonTensor
		Grad           jsonTensor
	} `json:"cross_entropy"`
}

// seqKeys are the top-level keys seq.json may have; any other is a set of
// cases this checker does not know, and fails.
var seqKeys = []string{"generator", "seed", "embedding", "positional", "multihead_attention", "transformer_encoder_layer", "cross_entropy"}

// checkSeq checks the sequence layers (Embedding, positional encodings,
// MultiheadAttention, TransformerEncoderLayer) and the per-token
// cross-entropy against seq.json: outputs, input gradients and the
// gradient of every parameter.
func checkSeq(t *testing.T, path string) int {
	var raw map[string]json.RawMessage
	if !readJSON(t, path, &raw) {
		return 0
	}
	for k := range raw {
		if !contains(seqKeys, k) {
			t.Errorf("%s: unknown case family %q; allowed: %s", path, k, strings.Join(seqKeys, ", "))
		}
	}
	var f seqFile
	b, _ := os.ReadFile(path)
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Errorf("%s: %v", path, err)
		return 0
	}
	n := 0
	// Forward values to 1e-5 relative; gradients through attention and
	// layer norms sum many products, so 1e-4 relative with a small
	// absolute floor for elements near zero.
	const fwdAbs, fwdRel, gradAbs, gradRel = 1e-5, 1e-5, 1e-5, 1e-4
	for i, c := range f.Embedding {
		name := fmt.Sprintf("seq embedding[%d]", i)
		pad := -1
		if c.PaddingIdx != nil {
			if pad = *c.PaddingIdx; pad < 0 {
				pad += c.NumEmbeddings
			}
		}
		w := autograd.Param(c.Weight.tensor())
		e := &nn.Embedding{Num: c.NumEmbeddings, Dim: c.EmbeddingDim, PaddingIdx: pad, Weight: w}
		y := e.Forward(autograd.Const(c.X.tensor()), nn.Eval)
		y.BackwardWith(c.Dy.tensor())
		compareTensor(t, name+" y", y.Value, c.Y, 0, 0)
		compareTensor(t, name+" dweight", w.Grad, c.Dweight, gradAbs, gradRel)
		n++
	}
	for i, c := range f.Positional {
		name := fmt.Sprintf("seq positional[%d] %s", i, c.Kind)
		d := c.X.Shape[2]
		p := nn.NewPositional(c.Kind, c.MaxLen, d, tensor.NewRNG(0))
		if c.Kind == "learned" {
			if c.Weight == nil || c.Dweight == nil {
				t.Errorf("%s: learned case without weight", name)
				continue
			}
			p.Weight = autograd.Param(c.Weight.tensor())
		}
		x := autograd.Param(c.X.tensor())
		y := p.Forward(x, nn.Eval)
		y.BackwardWith(c.Dy.tensor())
		compareTensor(t, name+" y", y.Value, c.Y, fwdAbs, fwdRel)
		compareTensor(t, name+" dx", x.Grad, c.Dx, gradAbs, gradRel)
		if p.Weight != nil {
			compareTensor(t, name+" dweight", p.Weight.Grad, *c.Dweight, gradAbs, gradRel)
		}
		n++
	}
	for i, c := range f.MHA {
		name := fmt.Sprintf("seq multihead_attention[%d] E=%d H=%d causal=%v", i, c.EmbedDim, c.NumHeads, c.Causal)
		a := nn.NewMultiheadAttention(c.EmbedDim, c.NumHeads, 0, c.Bias, c.Causal, tensor.NewRNG(0))
		if !loadParams(t, name, a.Params(), c.Params) {
			continue
		}
		var pad []bool
		if c.KeyPaddingMask != nil {
			for _, v := range c.KeyPaddingMask.Data {
				pad = append(pad, v != 0)
			}
		}
		var mask []float32
		if c.AttnMask != nil {
			if c.AttnForbid == nil || len(c.AttnForbid.Data) != len(c.AttnMask.Data) {
				t.Errorf("%s: attn_mask without a matching attn_forbid", name)
				continue
			}
			mask = c.AttnMask.tensor().Data()
			for j, f := range c.AttnForbid.Data {
				if f != 0 {
					mask[j] = float32(math.Inf(-1))
				}
			}
		}
		x := autograd.Param(c.X.tensor())
		y := a.Attend(x, pad, mask, nn.Eval)
		y.BackwardWith(c.Dy.tensor())
		compareTensor(t, name+" y", y.Value, c.Y, fwdAbs, fwdRel)
		compareTensor(t, name+" dx", x.Grad, c.Dx, gradAbs, gradRel)
		compareGrads(t, name, a.Params(), c.Grads, gradAbs, gradRel)
		n++
	}
	for i, c := range f.Encoder {
		name := fmt.Sprintf("seq transformer_encoder_layer[%d] %s norm_first=%v causal=%v", i, c.Activation, c.NormFirst, c.Causal)
		d := c.X.Shape[2]
		l := nn.NewTransformerEncoderLayer(d, c.Nhead, c.DimFeedforward, 0.1, c.Activation, c.LayerNormEps, c.NormFirst, c.Causal, tensor.NewRNG(0))
		if !loadParams(t, name, l.Params(), c.Params) {
			continue
		}
		x := autograd.Param(c.X.tensor())
		y := l.Forward(x, nn.Eval)
		y.BackwardWith(c.Dy.tensor())
		compareTensor(t, name+" y", y.Value, c.Y, fwdAbs, fwdRel)
		compareTensor(t, name+" dx", x.Grad, c.Dx, gradAbs, gradRel)
		compareGrads(t, name, l.Params(), c.Grads, gradAbs, gradRel)
		n++
	}
	for i, c := range f.CrossEntropy {
		name := fmt.Sprintf("seq cross_entropy[%d] ε=%v %s", i, c.LabelSmoothing, c.Reduction)
		r, err := loss.ParseReduction(c.Reduction)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		lf, err := loss.New("cross_entropy", map[string]any{"label_smoothing": c.LabelSmoothing, "reduction": c.Reduction, "ignore_index": c.IgnoreIndex})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		x := autograd.Param(c.Logits.tensor())
		v := lf.Compute(x, loss.Target{Classes: c.Target.ints()})
		v.BackwardWith(c.Seed.tensor())
		compareTensor(t, name+" value", v.Value, c.Value, fwdAbs, fwdRel)
		compareTensor(t, name+" grad", x.Grad, c.Grad, gradAbs, gradRel)
		// The direct function and the fused training path agree with it.
		if r != loss.None {
			direct := loss.CrossEntropyIgnore(autograd.Const(c.Logits.tensor()), c.Target.ints(), c.IgnoreIndex, c.LabelSmoothing, r)
			compareTensor(t, name+" CrossEntropyIgnore", direct.Value, c.Value, fwdAbs, fwdRel)
			grad := make([]float32, x.Value.Len())
			fv, ok := lf.(loss.Fused).ValueGrad(c.Logits.tensor(), loss.Target{Classes: c.Target.ints()}, grad)
			if !ok || math.Abs(float64(fv)-c.Value.Data[0]) > fwdAbs+fwdRel*math.Abs(c.Value.Data[0]) {
				t.Errorf("%s: fused value %v (ok %v), want %v", name, fv, ok, c.Value.Data[0])
			}
			s := float32(c.Seed.Data[0])
			for j := range grad {
				grad[j] *= s
			}
			compareTensor(t, name+" fused grad", tensor.New(grad, c.Logits.Shape...), c.Grad, gradAbs, gradRel)
		}
		n++
	}
	return n
}

// loadParams copies the reference parameters into ps by name, failing the
// case if the names or shapes differ from PyTorch's state_dict.
func loadParams(t *testing.T, name string, ps []nn.Param, want map[string]jsonTensor) bool {
	t.Helper()
	var got []string
	for _, p := range ps {
		got = append(got, p.Name)
	}
	var names []string
	for k := range want {
		names = append(names, k)
	}
	sort.Strings(got)
	sort.Strings(names)
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s: parameters %v, PyTorch has %v", name, got, names)
		return false
	}
	for _, p := range ps {
		w := want[p.Name]
		if !equalInts(p.Value.Shape(), w.Shape) {
			t.Errorf("%s: %s has shape %v, PyTorch %v", name, p.Name, p.Value.Shape(), w.Shape)
			return false
		}
		p.Value.CopyFrom(w.tensor())
	}
	return true
}

func compareGrads(t *testing.T, name string, ps []nn.Param, want map[string]jsonTensor, abs, rel float64) {
	t.Helper()
	for _, p := range ps {
		compareTensor(t, name+" d"+p.Name, p.Grad, want[p.Name], abs, rel)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
