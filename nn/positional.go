package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Positional adds a position's encoding to each vector of a sequence:
// y[t] = x[t] + P[t] for a per-sample input [T, D] with T ≤ MaxLen.
//
// Kind "learned" trains P as a parameter Weight [MaxLen, D], initialised
// from N(0, 1) as an nn.Embedding of positions is. Kind "sinusoidal" uses
// the fixed encoding of "Attention Is All You Need", as the PyTorch
// tutorial's PositionalEncoding builds it (without its dropout):
//
//	P[t, 2i]   = sin(t · exp(−2i·ln(10000)/D))
//	P[t, 2i+1] = cos(t · exp(−2i·ln(10000)/D))
//
// and has no parameters.
type Positional struct {
	Kind   string // "learned" or "sinusoidal"
	MaxLen int
	Dim    int
	Weight *autograd.Var // learned: [MaxLen, Dim]; sinusoidal: nil
	table  []float32     // sinusoidal: [MaxLen, Dim]
}

// NewPositional returns a positional encoding of the given kind for
// sequences of up to maxLen vectors of dim values. It panics on an unknown
// kind or a size that is not positive.
func NewPositional(kind string, maxLen, dim int, rng *tensor.RNG) *Positional {
	if maxLen <= 0 || dim <= 0 {
		panic(fmt.Sprintf("nn: NewPositional: sizes must be positive, got max_len=%d dim=%d", maxLen, dim))
	}
	p := &Positional{Kind: kind, MaxLen: maxLen, Dim: dim}
	switch kind {
	case "learned":
		p.Weight = autograd.Param(tensor.Zeros(maxLen, dim))
		Normal(p.Weight.Value, rng, 0, 1)
	case "sinusoidal":
		p.table = SinusoidalTable(maxLen, dim)
	default:
		panic(fmt.Sprintf("nn: NewPositional: unknown kind %q", kind))
	}
	return p
}

// SinusoidalTable returns the [maxLen, dim] sinusoidal encoding, computed
// in float32 as the PyTorch tutorial does (div_term = exp(arange(0, d, 2)
// · (−ln(10000)/d)), then sin and cos of position · div_term).
func SinusoidalTable(maxLen, dim int) []float32 {
	pe := make([]float32, maxLen*dim)
	c := float32(-math.Log(10000) / float64(dim))
	for i := 0; i < dim; i += 2 {
		div := float32(math.Exp(float64(float32(i) * c)))
		for t := 0; t < maxLen; t++ {
			a := float64(float32(t) * div)
			pe[t*dim+i] = float32(math.Sin(a))
			if i+1 < dim {
				pe[t*dim+i+1] = float32(math.Cos(a))
			}
		}
	}
	return pe
}

// Forward returns x + P[:T].
func (p *Positional) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(p, x, m) }

// Describe returns "positional" with kind and max_len.
func (p *Positional) Describe() Desc {
	return Desc{Op: "positional", Config: map[string]any{"kind": p.Kind, "max_len": p.MaxLen}}
}

// OutShape returns in, which must be [T, Dim] with T ≤ MaxLen.
func (p *Positional) OutShape(in []int) ([]int, error) {
	if len(in) != 2 || in[1] != p.Dim || in[0] > p.MaxLen {
		return nil, fmt.Errorf("positional: want input [T, %d] with T ≤ max_len %d, got %v", p.Dim, p.MaxLen, in)
	}
	return append([]int(nil), in...), nil
}

// Params returns "weight" for a learned encoding, nothing otherwise.
func (p *Positional) Params() []Param {
	if p.Weight == nil {
		return nil
	}
	return []Param{{Name: "weight", Var: p.Weight}}
}

// Fuse returns the kernel that adds the table.
func (p *Positional) Fuse(in []int, rows int) Kernel {
	if _, err := p.OutShape(in); err != nil {
		return nil
	}
	return positionalKernel{p, in[0] * p.Dim}
}

// values returns the encodings of positions 0, 1, …, as one slice.
func (p *Positional) values() []float32 {
	if p.Weight != nil {
		return p.Weight.Value.Data()
	}
	return p.table
}

type positionalKernel struct {
	p    *Positional
	size int // T·D
}

func (k positionalKernel) Forward(y, x []float32, n int, _ Mode) {
	pe := k.p.values()[:k.size]
	for s := 0; s < n; s++ {
		xs, ys := x[s*k.size:(s+1)*k.size], y[s*k.size:(s+1)*k.size]
		for j, v := range xs {
			ys[j] = v + pe[j]
		}
	}
}

func (k positionalKernel) Backward(dx, dy, _, _ []float32, n int) {
	if dx != nil {
		dy := dy[:len(dx)]
		for j, v := range dy {
			dx[j] += v
		}
	}
	if g := gradOf(k.p.Weight); g != nil {
		g = g[:k.size]
		for s := 0; s < n; s++ {
			d := dy[s*k.size : (s+1)*k.size]
			for j, v := range d {
				g[j] += v
			}
		}
	}
}

// AddAt adds the encoding of position t to the vector x (Dim values): the
// one-token form that incremental decoding uses.
func (p *Positional) AddAt(x []float32, t int) {
	pe := p.values()[t*p.Dim : (t+1)*p.Dim]
	for j := range pe {
		x[j] += pe[j]
	}
}

func init() {
	Register("positional", "kind", func(o Options, in []int, rng *tensor.RNG) (Layer, error) {
		if err := o.Allow("kind", "max_len"); err != nil {
			return nil, err
		}
		kind, err := o.String("kind", "sinusoidal", "learned", "sinusoidal")
		if err != nil {
			return nil, err
		}
		maxLen, err := o.Int("max_len", 5000)
		if err != nil {
			return nil, err
		}
		if maxLen < 1 {
			return nil, fmt.Errorf("max_len must be a positive integer, got %d", maxLen)
		}
		if len(in) != 2 {
			return nil, fmt.Errorf("positional: want input [T, D] (after an embedding), got %v", in)
		}
		if in[0] > maxLen {
			return nil, fmt.Errorf("positional: sequences of %d exceed max_len %d", in[0], maxLen)
		}
		if err := checkParams("max_len × d_model:", maxLen, in[1]); err != nil {
			return nil, err
		}
		return NewPositional(kind, maxLen, in[1], rng), nil
	})
}
