package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerate trains a tiny sequence model and checks that generate
// writes the prompt and its continuation, and fails with one line on bad
// input.
func TestGenerate(t *testing.T) {
	model := trainReverse(t, 200, `
  - embedding: {embedding_dim: 8}
  - positional: {kind: sinusoidal, max_len: 16}
  - transformer_encoder_layer: {nhead: 2, dim_feedforward: 16, dropout: 0.0, activation: relu, norm_first: true, causal: true}
  - layer_norm: {}
  - linear: vocab`)
	code, out, errs := runCLI(t, "generate", "--model", model, "--prompt", "1234=", "--tokens", "4", "--temperature", "0")
	if code != 0 || !strings.HasPrefix(out, "1234=") || len(strings.TrimSpace(out)) > len("1234=")+4 {
		t.Errorf("generate: code %d, output %q, errors %q", code, out, errs)
	}
	// Sampling with a seed repeats itself.
	_, a, _ := runCLI(t, "generate", "--model", model, "--prompt", "77=", "--tokens", "5", "--top_k", "3", "--seed", "9")
	_, b, _ := runCLI(t, "generate", "--model", model, "--prompt", "77=", "--tokens", "5", "--top_k", "3", "--seed", "9")
	if a != b {
		t.Errorf("same seed, different text: %q and %q", a, b)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"generate", "--prompt", "1"}, 2, "generate: missing --model"},
		{[]string{"generate", "--model", model, "--prompt", "x1"}, 1, `--prompt: character 'x' at byte 0 is not in the vocabulary`},
		{[]string{"generate", "--model", model, "--prompt", "1", "--top_k", "-1"}, 2, "must be ≥ 0"},
		{[]string{"generate", "--model", filepath.Join(filepath.Dir(model), "none.safetensors"), "--prompt", "1"}, 1, "none.safetensors"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") > 1 {
			t.Errorf("%v: code %d, stderr %q; want code %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
}

// trainReverse trains, with the command, a tiny sequence model of the
// given architecture (YAML list items) for one epoch on size problems of
// the four-digit reverse task, and returns the model file's path.
func trainReverse(t *testing.T, size int, arch string) string {
	t.Helper()
	dir := writeFiles(t, map[string]string{"rev.yaml": fmt.Sprintf(`
input:
  sequence: {task: reverse, digits: 4, size: %d, valid: %d, seed: 1}
output: {decode: argmax}
architecture:%s
loss: cross_entropy
optimizer: {name: adam, lr: 0.01}
train: {epochs: 1, batch_size: 50}
`, size, size/10, arch)})
	if code, _, errs := runCLI(t, "train", filepath.Join(dir, "rev.yaml")); code != 0 {
		t.Fatalf("train: code %d: %s", code, errs)
	}
	return filepath.Join(dir, "rev.safetensors")
}
