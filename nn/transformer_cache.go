package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/internal/kernel"
)

// Decoder runs a causal sequence model one token at a time, as generation
// does: each attention layer keeps the keys and values of the positions
// already seen (a key/value cache), so the next token costs O(T) work per
// layer instead of recomputing the whole context, O(T²).
//
// The network must start with an Embedding; after it come Positional
// encodings, causal TransformerEncoderLayers and MultiheadAttentions, and
// layers that act on each position alone (Linear, LayerNorm, Dropout,
// element-wise activations). The scores Next returns equal, to float32
// rounding, the last position's output of the full forward pass in
// evaluation mode.
type Decoder struct {
	steps  []decodeStep
	maxLen int
	pos    int
	bufs   [2][]float32
	width  int // the widest vector between layers
}

// decodeStep is one layer's incremental form: it maps the vector x of the
// position pos to y.
type decodeStep interface {
	step(y, x []float32, pos int)
	outWidth() int
}

// NewDecoder returns a Decoder for net over contexts of up to maxLen
// tokens, or an error naming the first layer that cannot run one token at
// a time.
func NewDecoder(net *Sequential, maxLen int) (*Decoder, error) {
	if len(net.Layers) == 0 {
		return nil, fmt.Errorf("decoder: empty network")
	}
	emb, ok := net.Layers[0].(*Embedding)
	if !ok {
		return nil, fmt.Errorf("decoder: the network must start with an embedding, not %s", net.Layers[0].Describe().Op)
	}
	d := &Decoder{maxLen: maxLen}
	width := emb.Dim
	d.width = width
	for i, l := range net.Layers[1:] {
		var s decodeStep
		switch l := l.(type) {
		case *Positional:
			if maxLen > l.MaxLen {
				return nil, fmt.Errorf("decoder: layer %d: positional encoding holds %d positions, fewer than the context %d", i+1, l.MaxLen, maxLen)
			}
			s = positionalStep{l}
		case *MultiheadAttention:
			if !l.Causal {
				return nil, fmt.Errorf("decoder: layer %d: attention is not causal, so a token's output depends on later ones", i+1)
			}
			s = newAttnStep(l, maxLen)
		case *TransformerEncoderLayer:
			if !l.Causal {
				return nil, fmt.Errorf("decoder: layer %d: transformer_encoder_layer is not causal, so a token's output depends on later ones", i+1)
			}
			s = newEncoderStep(l, maxLen)
		default:
			op := l.Describe().Op
			_, pointwise := l.(Pointwise)
			if !pointwise && op != "linear" && op != "layer_norm" && op != "dropout" {
				return nil, fmt.Errorf("decoder: layer %d (%s) does not act on each position alone", i+1, op)
			}
			out, err := l.OutShape([]int{1, width})
			if err != nil {
				return nil, fmt.Errorf("decoder: layer %d: %w", i+1, err)
			}
			k := Fuse(l, []int{1, width}, 1)
			if k == nil {
				return nil, fmt.Errorf("decoder: layer %d (%s) has no kernel", i+1, op)
			}
			s = rowStep{k, out[1]}
		}
		d.steps = append(d.steps, s)
		width = s.outWidth()
		d.width = max(d.width, width)
	}
	d.steps = append([]decodeStep{embeddingStep{emb}}, d.steps...)
	d.bufs = [2][]float32{make([]float32, d.width), make([]float32, d.width)}
	return d, nil
}

// Len returns the number of tokens fed since the last Reset.
func (d *Decoder) Len() int { return d.pos }

// MaxLen returns the longest context the decoder holds.
func (d *Decoder) MaxLen() int { return d.maxLen }

// Reset empties the cache, to start a new sequence.
func (d *Decoder) Reset() { d.pos = 0 }

// Next feeds token id at the next position and returns the network's
// output there: the scores of the token that follows. The slice is
// reused by the next call. Next panics if the context is full (Len() ==
// MaxLen()); Reset and feed a shorter context then.
func (d *Decoder) Next(id int) []float32 {
	if d.pos >= d.maxLen {
		panic(fmt.Sprintf("nn: Decoder.Next: context of %d tokens is full", d.maxLen))
	}
	x := d.bufs[0]
	x[0] = float32(id)
	w := 1
	for i, s := range d.steps {
		y := d.bufs[(i+1)%2]
		s.step(y, x[:w], d.pos)
		x, w = y, s.outWidth()
	}
	d.pos++
	return x[:w]
}

type embeddingStep struct{ e *Embedding }

func (s embeddingStep) step(y, x []float32, _ int) { s.e.Lookup(y, s.e.id(x[0])) }
func (s embeddingStep) outWidth() int              { return s.e.Dim }

type positionalStep struct{ p *Positional }

func (s positionalStep) step(y, x []float32, pos int) {
	copy(y, x)
	s.p.AddAt(y, pos)
}
func (s positionalStep) outWidth() int { return s.p.Dim }

// rowStep runs a position-wise layer's kernel on one row.
type rowStep struct {
	k   Kernel
	out int
}

func (s rowStep) step(y, x []float32, _ int) { s.k.Forward(y[:s.out], x, 1, Eval) }
func (s rowStep) outWidth() int              { return s.out }

// attnStep is a causal self-attention with its cache of keys and values.
type attnStep struct {
	a      *MultiheadAttention
	k, v   []float32 // [maxLen, E]
	qkv    []float32 // [3E]
	att    []float32 // [E]
	scores []float32 // [maxLen]
}

func newAttnStep(a *MultiheadAttention, maxLen int) *attnStep {
	E := a.Embed
	return &attnStep{a: a, k: make([]float32, maxLen*E), v: make([]float32, maxLen*E),
		qkv: make([]float32, 3*E), att: make([]float32, E), scores: make([]float32, maxLen)}
}

func (s *attnStep) outWidth() int { return s.a.Embed }

func (s *attnStep) step(y, x []float32, pos int) {
	a, E := s.a, s.a.Embed
	dh := E / a.Heads
	project(s.qkv, x, a.InProjWeight, a.InProjBias, 1, E, 3*E)
	scaleQueries(s.qkv, 1, E, a.Heads)
	copy(s.k[pos*E:(pos+1)*E], s.qkv[E:2*E])
	copy(s.v[pos*E:(pos+1)*E], s.qkv[2*E:])
	for h := 0; h < a.Heads; h++ {
		q := s.qkv[h*dh : (h+1)*dh]
		sc := s.scores[:pos+1]
		mx := float32(math.Inf(-1))
		for j := range sc {
			sc[j] = kernel.Dot(q, s.k[j*E+h*dh:j*E+h*dh+dh])
			mx = max(mx, sc[j])
		}
		kernel.ExpSub(sc, mx)
		var sum float32
		for _, p := range sc {
			sum += p
		}
		o := s.att[h*dh : (h+1)*dh]
		clear(o)
		for j, p := range sc {
			kernel.Axpy(p/sum, s.v[j*E+h*dh:j*E+h*dh+dh], o)
		}
	}
	project(y[:E], s.att, a.OutProjWeight, a.OutProjBias, 1, E, E)
}

// encoderStep is a causal encoder layer on one position.
type encoderStep struct {
	l               *TransformerEncoderLayer
	attn            *attnStep
	a, b, c, sa, f2 []float32 // [E]
	f1              []float32 // [F]
	mean, rstd      []float32 // [1]
}

func newEncoderStep(l *TransformerEncoderLayer, maxLen int) *encoderStep {
	E, F := l.dModel, l.dimFF
	buf := func(n int) []float32 { return make([]float32, n) }
	return &encoderStep{l: l, attn: newAttnStep(l.SelfAttn, maxLen),
		a: buf(E), b: buf(E), c: buf(E), sa: buf(E), f2: buf(E), f1: buf(F), mean: buf(1), rstd: buf(1)}
}

func (s *encoderStep) outWidth() int { return s.l.dModel }

func (s *encoderStep) step(y, x []float32, pos int) {
	l, E, F := s.l, s.l.dModel, s.l.dimFF
	y = y[:E]
	ff := func(h []float32) {
		project(s.f1, h, l.Linear1.Weight, l.Linear1.Bias, 1, E, F)
		activate(s.f1, s.f1, l.Activation)
		project(s.f2, s.f1, l.Linear2.Weight, l.Linear2.Bias, 1, F, E)
	}
	if l.NormFirst {
		layerNormRows(s.a, x, l.Norm1, s.mean, s.rstd, E)
		s.attn.step(s.sa, s.a, pos)
		addVec(s.b, x, s.sa)
		layerNormRows(s.c, s.b, l.Norm2, s.mean, s.rstd, E)
		ff(s.c)
		addVec(y, s.b, s.f2)
		return
	}
	s.attn.step(s.sa, x, pos)
	addVec(s.a, x, s.sa)
	layerNormRows(s.b, s.a, l.Norm1, s.mean, s.rstd, E)
	ff(s.b)
	addVec(s.c, s.b, s.f2)
	layerNormRows(y, s.c, l.Norm2, s.mean, s.rstd, E)
}
