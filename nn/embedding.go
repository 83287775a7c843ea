package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Embedding is a lookup table of Num vectors of Dim values, PyTorch's
// nn.Embedding: each token id of the input is replaced by its row of
// Weight. The input holds token ids as float32 integers, any per-sample
// shape ([T] for a sequence); the output appends Dim: [N, T] becomes
// [N, T, Dim]. Weight is [Num, Dim].
//
// PaddingIdx, when not negative, names a row that stays zero-initialised
// and receives no gradient, so a padding token contributes nothing and
// learns nothing, as with padding_idx in PyTorch. No gradient flows to the
// ids themselves.
type Embedding struct {
	Num, Dim   int
	PaddingIdx int // −1: none
	Weight     *autograd.Var
}

// NewEmbedding returns an Embedding initialised as torch.nn.Embedding is:
// every weight from N(0, 1), the padding row (if paddingIdx ≥ 0) zero. It
// panics if a size is not positive or paddingIdx is outside [−1, num).
func NewEmbedding(num, dim, paddingIdx int, rng *tensor.RNG) *Embedding {
	if num <= 0 || dim <= 0 || paddingIdx < -1 || paddingIdx >= num {
		panic(fmt.Sprintf("nn: NewEmbedding: want positive sizes and padding_idx in [-1, %d), got num=%d dim=%d padding_idx=%d", num, num, dim, paddingIdx))
	}
	e := &Embedding{Num: num, Dim: dim, PaddingIdx: paddingIdx, Weight: autograd.Param(tensor.Zeros(num, dim))}
	Normal(e.Weight.Value, rng, 0, 1)
	if paddingIdx >= 0 {
		clear(e.Weight.Value.Data()[paddingIdx*dim : (paddingIdx+1)*dim])
	}
	return e
}

// Forward returns the rows of Weight that the ids of x pick.
func (e *Embedding) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(e, x, m) }

// Describe returns "embedding" with num_embeddings, embedding_dim and, if
// set, padding_idx.
func (e *Embedding) Describe() Desc {
	c := map[string]any{"num_embeddings": e.Num, "embedding_dim": e.Dim}
	if e.PaddingIdx >= 0 {
		c["padding_idx"] = e.PaddingIdx
	}
	return Desc{Op: "embedding", Config: c}
}

// OutShape appends Dim to in.
func (e *Embedding) OutShape(in []int) ([]int, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("embedding: want token ids of shape [T], got %v", in)
	}
	return append(append([]int(nil), in...), e.Dim), nil
}

// Params returns "weight".
func (e *Embedding) Params() []Param { return []Param{{Name: "weight", Var: e.Weight}} }

// Fuse returns the lookup kernel.
func (e *Embedding) Fuse(in []int, rows int) Kernel {
	if len(in) == 0 {
		return nil
	}
	return embeddingKernel{e}
}

type embeddingKernel struct{ e *Embedding }

// id converts a token id held as float32 to a row index, panicking on a
// value that is not one: the data layer checks ids against the
// vocabulary before they get here.
func (e *Embedding) id(v float32) int {
	i := int(v)
	if float32(i) != v || i < 0 || i >= e.Num {
		panic(fmt.Sprintf("nn: embedding: token id %v is not an integer in [0, %d)", v, e.Num))
	}
	return i
}

func (k embeddingKernel) Forward(y, x []float32, _ int, _ Mode) {
	e, w := k.e, k.e.Weight.Value.Data()
	for t, v := range x {
		i := e.id(v)
		copy(y[t*e.Dim:(t+1)*e.Dim], w[i*e.Dim:(i+1)*e.Dim])
	}
}

func (k embeddingKernel) Backward(_, dy, x, _ []float32, _ int) {
	e := k.e
	g := gradOf(e.Weight)
	if g == nil {
		return
	}
	// Rows are added in token order, PyTorch's order on the CPU.
	for t, v := range x {
		i := e.id(v)
		if i == e.PaddingIdx {
			continue
		}
		row, d := g[i*e.Dim:(i+1)*e.Dim], dy[t*e.Dim:(t+1)*e.Dim]
		for j := range row {
			row[j] += d[j]
		}
	}
}

// Lookup writes the embedding of token id into y (Dim values): the
// one-token form that incremental decoding uses.
func (e *Embedding) Lookup(y []float32, id int) {
	w := e.Weight.Value.Data()
	copy(y[:e.Dim], w[id*e.Dim:(id+1)*e.Dim])
}

func init() {
	Register("embedding", "embedding_dim", func(o Options, in []int, rng *tensor.RNG) (Layer, error) {
		if err := o.Allow("embedding_dim", "num_embeddings", "padding_idx"); err != nil {
			return nil, err
		}
		dim, err := o.Positive("embedding_dim")
		if err != nil {
			return nil, err
		}
		if _, ok := o["num_embeddings"]; !ok {
			return nil, fmt.Errorf("num_embeddings is required: the vocabulary size, which training fills in from a text or sequence input")
		}
		num, err := o.Positive("num_embeddings")
		if err != nil {
			return nil, err
		}
		pad, err := o.Int("padding_idx", math.MinInt)
		if err != nil {
			return nil, err
		}
		switch {
		case pad == math.MinInt:
			pad = -1
		case pad < -num || pad >= num:
			return nil, fmt.Errorf("padding_idx must be in [%d, %d), got %d", -num, num, pad)
		case pad < 0:
			pad += num // PyTorch's negative index counts from the end
		}
		if len(in) == 0 {
			return nil, fmt.Errorf("embedding: want token ids of shape [T], got %v", in)
		}
		if err := checkParams("num_embeddings × embedding_dim:", num, dim); err != nil {
			return nil, err
		}
		return NewEmbedding(num, dim, pad, rng), nil
	})
}

// MarkPadding marks the ids equal to PaddingIdx, so that attention later
// in a Sequential ignores those keys; without a padding_idx it marks none.
func (e *Embedding) MarkPadding(dst []bool, ids []float32) bool {
	found := false
	for i, v := range ids {
		dst[i] = e.PaddingIdx >= 0 && int(v) == e.PaddingIdx
		found = found || dst[i]
	}
	return found
}
