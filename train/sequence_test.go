package train

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

const reverseSpec = `
input:
  sequence: {task: reverse, digits: 5, min_digits: 3, size: 600, valid: 100, seed: 2}
output: {decode: argmax}
architecture:
  - embedding: {embedding_dim: 16}
  - positional: {kind: learned, max_len: 16}
  - transformer_encoder_layer: {nhead: 2, dim_feedforward: 32, dropout: 0.1, activation: gelu, norm_first: true, causal: true}
  - linear: vocab
loss: {name: cross_entropy, label_smoothing: 0.05}
optimizer: {name: adamw, lr: 0.01}
train: {epochs: 3, batch_size: 50, seed: 4}
`

func seqSpec(t *testing.T, src string) *spec.Spec {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seq.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := spec.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSequenceFusedMatchesGraph trains a small GPT on the reverse task
// twice, through the fused kernels and through the graph, and checks
// that both give the same bits at every step, dropout included.
func TestSequenceFusedMatchesGraph(t *testing.T) {
	s := seqSpec(t, reverseSpec)
	var losses [2][]float64
	for i, graph := range []bool{false, true} {
		tr, _, err := Build(s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !graph && tr.fused == nil {
			t.Fatal("the sequence model has no fused step")
		}
		tr.Config.graphOnly = graph
		if graph {
			tr.fused = nil
		}
		for step := 0; step < 8; step++ {
			info, err := tr.Advance()
			if err != nil {
				t.Fatal(err)
			}
			losses[i] = append(losses[i], info.Loss)
		}
	}
	for j := range losses[0] {
		if losses[0][j] != losses[1][j] {
			t.Fatalf("step %d: fused loss %v, graph %v", j+1, losses[0][j], losses[1][j])
		}
	}
}

// TestSequenceTrainSaveGenerate trains the reverse task briefly, saves
// the model, loads it back, and checks the metrics, the vocabulary that
// travels in the file, and that greedy generation through the key/value
// cache writes what repeated full forward passes choose.
func TestSequenceTrainSaveGenerate(t *testing.T) {
	s := seqSpec(t, reverseSpec)
	var log bytes.Buffer
	res, err := Run(context.Background(), s, Options{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	last := res.History.Epochs[len(res.History.Epochs)-1]
	if !(last.ValidExact >= 0 && last.ValidExact <= 1) || !(last.ValidAccuracy > 0.3) || !strings.Contains(log.String(), "val_exact") {
		t.Fatalf("metrics after training: %+v\n%s", last, log.String())
	}
	if first := res.History.Epochs[0]; !(last.ValidLoss < first.ValidLoss) {
		t.Errorf("validation loss did not fall: %v then %v", first.ValidLoss, last.ValidLoss)
	}
	m, err := LoadModel(res.SavedTo)
	if err != nil {
		t.Fatal(err)
	}
	if m.Vocab == nil || m.Vocab.Chars != "0123456789+=." || m.Positions != 11 {
		t.Fatalf("loaded vocabulary %+v, positions %d", m.Vocab, m.Positions)
	}
	// The loaded model scores the held-out set as the trained one did.
	sets, err := LoadData(s)
	if err != nil {
		t.Fatal(err)
	}
	l, acc, ex := EvaluateSequences(m, sets.Valid)
	if math.Abs(l-last.ValidLoss) > 1e-6 || acc != last.ValidAccuracy || ex != last.ValidExact {
		t.Errorf("loaded model: loss %v acc %v exact %v, trained %v %v %v", l, acc, ex, last.ValidLoss, last.ValidAccuracy, last.ValidExact)
	}
	for _, prompt := range []string{"123=", "90817=", "5"} {
		var streamed strings.Builder
		got, err := m.Generate(prompt, GenerateOptions{Tokens: 8}, func(tok string) error {
			streamed.WriteString(tok)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if streamed.String() != got {
			t.Errorf("streamed %q, returned %q", streamed.String(), got)
		}
		if want := greedy(m, prompt, 8); got != want {
			t.Errorf("Generate(%q) = %q, full forward passes give %q", prompt, got, want)
		}
	}
	if _, err := m.Generate("12a", GenerateOptions{Tokens: 3}, nil); err == nil || !strings.Contains(err.Error(), `'a' at byte 2`) {
		t.Errorf("bad prompt: got %v", err)
	}
}

// greedy continues prompt by running the whole context through the
// network for every token: the quadratic reference for Generate.
func greedy(m *Model, prompt string, n int) string {
	ctx, _ := m.Vocab.Encode(prompt)
	var out strings.Builder
	for len(out.String()) < n && len(ctx) < m.Positions {
		x := tensor.Zeros(1, m.Positions)
		for i, id := range ctx {
			x.Data()[i] = float32(id)
		}
		y := m.forwardEncoded(x).Data()
		v := m.Vocab.Size()
		row := y[(len(ctx)-1)*v : len(ctx)*v]
		best := 0
		for k := range row {
			if row[k] > row[best] {
				best = k
			}
		}
		if best == m.Vocab.Pad {
			break
		}
		out.WriteString(m.Vocab.Token(best))
		ctx = append(ctx, best)
	}
	return out.String()
}

func TestSequenceErrors(t *testing.T) {
	cases := []struct {
		src, want string
	}{
		{strings.Replace(reverseSpec, "linear: vocab", "linear: 7", 1), "end it with linear: vocab"},
		{strings.Replace(reverseSpec, "loss: {name: cross_entropy, label_smoothing: 0.05}", "loss: mse", 1), "use cross_entropy"},
		{strings.Replace(reverseSpec, "max_len: 16", "max_len: 8", 1), "exceed max_len 8"},
	}
	for _, c := range cases {
		_, _, err := Build(seqSpec(t, c.src), Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error containing %q", err, c.want)
		}
	}
}

// TestSequenceFollowsPyTorch trains a small char-level GPT from PyTorch's
// initial weights with full-batch Adam and checks the loss of every step
// and the final weights against PyTorch 1.13's run of the same model on
// the same text (testdata/seq, made by conformance/seq/gentraj.py).
func TestSequenceFollowsPyTorch(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "seq", "seq_trajectory.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Spec    string
		Losses  []float64
		Weights map[string]struct {
			Shape []int
			Data  []float64
		}
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range []string{"tiny.txt", "seq_init.safetensors"} {
		src, err := os.ReadFile(filepath.Join("testdata", "seq", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "gpt.yaml")
	if err := os.WriteFile(path, []byte(ref.Spec), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := spec.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-4
	for i, e := range res.History.Epochs {
		if want := ref.Losses[i]; math.Abs(e.TrainLoss-want) > tol*(1+math.Abs(want)) {
			t.Errorf("step %d: loss %.7g, PyTorch %.7g", i+1, e.TrainLoss, want)
		}
	}
	params := res.Model.Params()
	if len(params) != len(ref.Weights) {
		t.Fatalf("%d parameters, PyTorch has %d", len(params), len(ref.Weights))
	}
	for _, p := range params {
		w, ok := ref.Weights[p.Name]
		if !ok {
			t.Fatalf("parameter %s has no PyTorch counterpart", p.Name)
		}
		worst := 0.0
		for j, v := range w.Data {
			if strings.HasSuffix(p.Name, "in_proj_bias") && j >= len(w.Data)/3 && j < 2*len(w.Data)/3 {
				// The keys' bias adds q·b to every score of a query alike,
				// which the softmax cancels: its gradient is rounding
				// noise, which Adam's normalised steps turn into moves of
				// size lr in either framework. It changes no output.
				continue
			}
			worst = math.Max(worst, math.Abs(float64(p.Value.Data()[j])-v)/(1+math.Abs(v)))
		}
		if worst > tol {
			t.Errorf("%s after training: differs from PyTorch by %.3g (relative)", p.Name, worst)
		}
	}
}
