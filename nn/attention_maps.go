package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Attender is implemented by layers that attend. AttentionWeights returns,
// for one sample x [T, E] of the layer's input, each head's attention
// weights in evaluation mode: Heads slices of T·T, row i the softmax
// weights query i gives the keys, the causal mask applied. It is what
// `bigfunc draw --prompt` pictures; the fused attention never forms these
// matrices, so this recomputes them, in float64.
type Attender interface {
	AttentionWeights(x []float32, T int) [][]float32
}

// LayerAttention is the attention of one layer of a network on one input.
type LayerAttention struct {
	Index int    // the layer's position in the Sequential
	Op    string // its op, as Describe names it
	Heads [][]float32
}

// AttentionMaps runs net on the single sample x (shape [1, ...] of net's
// input) in evaluation mode and returns the attention weights of every
// layer of net that is an Attender, in order, each computed on that
// layer's own input. It returns an error when net has no such layer or
// an attending layer's input is not [1, T, E].
func AttentionMaps(net *Sequential, x *tensor.Tensor) ([]LayerAttention, error) {
	var maps []LayerAttention
	h := autograd.Const(x)
	for i, l := range net.Layers {
		if a, ok := l.(Attender); ok {
			s := h.Value.Shape()
			if len(s) != 3 || s[0] != 1 {
				return nil, fmt.Errorf("layer %d (%s): want input [1, T, E] to draw attention, got %v", i+1, l.Describe().Op, s)
			}
			maps = append(maps, LayerAttention{Index: i, Op: l.Describe().Op, Heads: a.AttentionWeights(h.Value.Data(), s[1])})
		}
		h = l.Forward(h, Eval)
	}
	if len(maps) == 0 {
		return nil, fmt.Errorf("the network has no attention layer")
	}
	return maps, nil
}

// AttentionWeights returns each head's softmax(QₕKₕᵀ/√dh + mask) for the
// sample x [T, Embed], with the causal mask when Causal is set.
func (a *MultiheadAttention) AttentionWeights(x []float32, T int) [][]float32 {
	E, H := a.Embed, a.Heads
	dh := E / H
	w := a.InProjWeight.Value.Data()
	var b []float32
	if a.InProjBias != nil {
		b = a.InProjBias.Value.Data()
	}
	// qk holds the queries (columns 0..E) and keys (E..2E) of every row.
	qk := make([]float64, T*2*E)
	for t := 0; t < T; t++ {
		row := x[t*E : (t+1)*E]
		for o := 0; o < 2*E; o++ {
			s := 0.0
			if b != nil {
				s = float64(b[o])
			}
			for j, v := range row {
				s += float64(w[o*E+j]) * float64(v)
			}
			qk[t*2*E+o] = s
		}
	}
	scale := 1 / math.Sqrt(float64(dh))
	heads := make([][]float32, H)
	sc := make([]float64, T)
	for h := range heads {
		m := make([]float32, T*T)
		for i := 0; i < T; i++ {
			q := qk[i*2*E+h*dh : i*2*E+(h+1)*dh]
			hi := T
			if a.Causal {
				hi = i + 1
			}
			mx := math.Inf(-1)
			for j := 0; j < hi; j++ {
				k := qk[j*2*E+E+h*dh : j*2*E+E+(h+1)*dh]
				s := 0.0
				for d := range q {
					s += q[d] * k[d]
				}
				sc[j] = s * scale
				mx = math.Max(mx, sc[j])
			}
			sum := 0.0
			for j := 0; j < hi; j++ {
				sc[j] = math.Exp(sc[j] - mx)
				sum += sc[j]
			}
			for j := 0; j < hi; j++ {
				m[i*T+j] = float32(sc[j] / sum)
			}
		}
		heads[h] = m
	}
	return heads
}

// AttentionWeights returns the weights of the layer's self-attention on
// the sample x [T, d_model], after the first norm when NormFirst is set,
// as the layer's forward pass feeds it.
func (l *TransformerEncoderLayer) AttentionWeights(x []float32, T int) [][]float32 {
	if !l.NormFirst {
		return l.SelfAttn.AttentionWeights(x, T)
	}
	y := l.Norm1.Forward(autograd.Const(tensor.FromSlice(x, T, l.dModel)), Eval)
	return l.SelfAttn.AttentionWeights(y.Value.Data(), T)
}
