package train

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// GenerateOptions controls Generate.
type GenerateOptions struct {
	// Tokens is the most tokens to write.
	Tokens int
	// Temperature divides the scores before sampling: below 1 sharpens,
	// above 1 flattens; 0 always takes the most likely token (greedy).
	Temperature float64
	// TopK, when positive, samples among the TopK most likely tokens only.
	TopK int
	// Seed drives the sampling.
	Seed uint64
}

// Generate continues prompt with up to o.Tokens tokens drawn from the
// sequence model m, calling emit (when not nil) with each token's text as
// soon as it is drawn, and returns the text written. Generation stops
// early at the vocabulary's end mark (the "." of the synthetic tasks),
// which is not written.
//
// It runs the network through an nn.Decoder, whose key/value cache makes
// each token cost O(T). When the context reaches the length the model was
// trained on, the decoder starts again from the latest half of it, so
// positions stay within what training saw.
func (m *Model) Generate(prompt string, o GenerateOptions, emit func(string) error) (string, error) {
	if m.Vocab == nil {
		return "", fmt.Errorf("generate: the model does not read token sequences (it was not trained on text or a sequence task)")
	}
	if o.Tokens < 0 || o.Temperature < 0 || o.TopK < 0 || math.IsNaN(o.Temperature) {
		return "", fmt.Errorf("generate: want tokens, temperature and top_k ≥ 0, got %d, %g, %d", o.Tokens, o.Temperature, o.TopK)
	}
	ctx, err := m.Vocab.Encode(prompt)
	if err != nil {
		return "", fmt.Errorf("generate: prompt: %w", err)
	}
	if len(ctx) == 0 {
		if ctx, err = m.Vocab.Encode("\n"); err != nil {
			return "", fmt.Errorf("generate: the prompt is empty; give a few characters to start from")
		}
	}
	window := m.Positions
	d, err := nn.NewDecoder(m.Net, window)
	if err != nil {
		return "", fmt.Errorf("generate: %w", err)
	}
	if len(ctx) > window {
		ctx = ctx[len(ctx)-window:]
	}
	var scores []float32
	for _, id := range ctx {
		scores = d.Next(id)
	}
	rng := tensor.NewRNG(o.Seed)
	probs := make([]float64, len(scores))
	var out strings.Builder
	for n := 0; n < o.Tokens; n++ {
		id := sample(scores, probs, o.Temperature, o.TopK, rng)
		if id == m.Vocab.Pad {
			break
		}
		tok := m.Vocab.Token(id)
		out.WriteString(tok)
		if emit != nil {
			if err := emit(tok); err != nil {
				return out.String(), err
			}
		}
		ctx = append(ctx, id)
		if n == o.Tokens-1 {
			break
		}
		if d.Len() == window {
			// Start again from the latest half of the context.
			ctx = slices.Clone(ctx[len(ctx)-window/2-1:])
			d.Reset()
			for _, c := range ctx[:len(ctx)-1] {
				d.Next(c)
			}
		}
		scores = d.Next(id)
	}
	return out.String(), nil
}

// sample draws a token from scores: the most likely for temperature 0,
// else from softmax(scores/temperature) over the topK best (all when 0).
// Ties keep the lower id, so greedy decoding is deterministic.
func sample(scores []float32, probs []float64, temperature float64, topK int, rng *tensor.RNG) int {
	best := 0
	for i, s := range scores {
		if s > scores[best] {
			best = i
		}
	}
	if temperature == 0 || topK == 1 {
		return best
	}
	cut := math.Inf(-1)
	if topK > 0 && topK < len(scores) {
		sorted := make([]float64, len(scores))
		for i, s := range scores {
			sorted[i] = float64(s)
		}
		slices.Sort(sorted)
		cut = sorted[len(sorted)-topK]
	}
	mx := float64(scores[best])
	var z float64
	for i, s := range scores {
		probs[i] = 0
		if f := float64(s); f >= cut {
			probs[i] = math.Exp((f - mx) / temperature)
			z += probs[i]
		}
	}
	u := rng.Float64() * z
	for i, p := range probs {
		if u < p {
			return i
		}
		u -= p
	}
	return best
}
