package train

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

// lossRows returns how many rows of the loss one sample makes: one per
// position for a sequence model, else one.
func (m *Model) lossRows() int { return max(1, m.Positions) }

// sequenceCounts scores the per-token outputs out [n·T, V] against the
// per-token targets (IgnoreTarget where there is none): the tokens whose
// highest score is the target, the tokens with a target, and the
// sequences whose every target token is right. With teacher forcing a
// sequence is exactly right if and only if greedy decoding writes its
// answer, so the last count is the exact-match rate of generation too.
func sequenceCounts(out *tensor.Tensor, targets []int, T int) (correct, tokens, exact int) {
	v := out.Len() / len(targets)
	d := out.Data()
	for s := 0; s < len(targets)/T; s++ {
		all := true
		for i := s * T; i < (s+1)*T; i++ {
			y := targets[i]
			if y == data.IgnoreTarget {
				continue
			}
			tokens++
			row := d[i*v : (i+1)*v]
			best := 0
			for k, x := range row {
				if x > row[best] {
					best = k
				}
			}
			if best == y {
				correct++
			} else {
				all = false
			}
		}
		if all {
			exact++
		}
	}
	return correct, tokens, exact
}

// EvaluateSequences returns a sequence model's mean loss per target token
// on ds, its per-token accuracy, and its exact-match rate per sequence.
// ds must hold token sequences (data.ReadText, data.SeqTask).
func EvaluateSequences(m *Model, ds *data.Dataset) (lossValue, accuracy, exact float64) {
	T := m.Positions
	chunk := max(1, 8192/max(T, 1))
	var sum float64
	var correct, tokens, right int
	var targets []int
	var buf *tensor.Tensor
	for lo := 0; lo < ds.Len(); lo += chunk {
		hi := min(lo+chunk, ds.Len())
		y := ds.Y.Slice(0, lo, hi)
		out := m.forwardEncoded(ds.X.Slice(0, lo, hi))
		out = out.Reshape((hi-lo)*T, m.Outputs/T)
		tgt := targetFor(m, nil, y, &buf, &targets)
		c, n, ex := sequenceCounts(out, tgt.Classes, T)
		correct, tokens, right = correct+c, tokens+n, right+ex
		if n > 0 {
			l := m.Loss.Compute(autograd.Const(out), tgt)
			sum += float64(l.Value.Item()) * float64(n)
		}
	}
	if tokens == 0 {
		return math.NaN(), math.NaN(), float64(right) / float64(ds.Len())
	}
	return sum / float64(tokens), float64(correct) / float64(tokens), float64(right) / float64(ds.Len())
}

// sequenceSets reads a text or sequence input.
func sequenceSets(s *spec.Spec) (*Sets, error) {
	var train, valid *data.Dataset
	var err error
	if t := s.Input.Text; t != nil {
		paths := make([]string, len(t.Paths))
		for i, p := range t.Paths {
			paths[i] = s.Resolve(expandEnv(p))
		}
		train, valid, err = data.ReadText(data.TextOptions{Paths: paths, Pattern: t.Pattern, Tokenizer: t.Tokenizer,
			BlockSize: t.BlockSize, Stride: t.Stride, Validation: t.Validation, Seed: t.Seed, MaxBytes: int64(t.MaxBytes)})
	} else {
		q := s.Input.Sequence
		train, valid, err = data.SeqTask(data.SeqTaskOptions{Task: q.Task, Digits: q.Digits, MinDigits: q.MinDigits,
			Size: q.Size, Valid: q.Valid, Seed: q.Seed})
	}
	if err != nil {
		return nil, fmt.Errorf("%s: input: %w", s.Path, err)
	}
	return &Sets{Train: train, Valid: valid}, nil
}

// withVocab returns a copy of layers with the vocabulary size v filled
// in: num_embeddings of every embedding that lacks it, and out_features
// of linear: vocab; and padding_idx: pad replaced by the id of the
// vocabulary's padding token, pad, which attention then masks as keys.
func withVocab(layers []spec.LayerSpec, v, pad int) ([]spec.LayerSpec, error) {
	out := make([]spec.LayerSpec, len(layers))
	for i, ls := range layers {
		var params map[string]any
		if ls.Params != nil || ls.Name == "embedding" {
			params = map[string]any{}
		}
		for k, val := range ls.Params {
			params[k] = val
		}
		switch ls.Name {
		case "embedding":
			if _, ok := params["num_embeddings"]; !ok {
				params["num_embeddings"] = v
			}
			if params["padding_idx"] == "pad" {
				if pad < 0 {
					return nil, fmt.Errorf("embedding: padding_idx: pad, but the data's vocabulary has no padding token")
				}
				params["padding_idx"] = pad
			}
		case "linear":
			if params["out_features"] == "vocab" {
				params["out_features"] = v
			}
		}
		ls.Params = params
		var err error
		if ls.Inner, err = withVocab(ls.Inner, v, pad); err != nil {
			return nil, err
		}
		if ls.Shortcut, err = withVocab(ls.Shortcut, v, pad); err != nil {
			return nil, err
		}
		out[i] = ls
	}
	return out, nil
}

// expandEnv replaces $VAR and ${VAR} in a path from the environment; an
// unset $GOROOT is the one `go env GOROOT` reports, so a spec can name
// the Go source tree on any machine with Go.
func expandEnv(path string) string {
	return os.Expand(path, func(k string) string {
		if v := os.Getenv(k); v != "" || k != "GOROOT" {
			return v
		}
		out, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	})
}
