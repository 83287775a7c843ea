package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDrawAttention trains a tiny two-layer sequence model and draws its
// attention for a prompt: a PNG with a panel per layer and head, and
// one-line errors for prompts it cannot read and models without attention.
func TestDrawAttention(t *testing.T) {
	dir := writeFiles(t, map[string]string{"rev.yaml": `
input:
  sequence: {task: reverse, digits: 4, size: 100, valid: 10, seed: 1}
output: {decode: argmax}
architecture:
  - embedding: {embedding_dim: 8}
  - positional: {kind: learned, max_len: 16}
  - transformer_encoder_layer: {nhead: 2, dim_feedforward: 16, dropout: 0.0, activation: gelu, norm_first: true, causal: true}
  - transformer_encoder_layer: {nhead: 2, dim_feedforward: 16, dropout: 0.0, activation: relu, norm_first: false, causal: true}
  - linear: vocab
loss: cross_entropy
optimizer: {name: adam, lr: 0.01}
train: {epochs: 1, batch_size: 50}
`, "xor.csv": "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n", "xor.yaml": `
input: {csv: xor.csv, columns: [a, b]}
output: {columns: [y]}
architecture: [{linear: 2}, {tanh: {}}, {linear: 1}]
loss: mse
optimizer: {name: sgd, lr: 0.1}
train: {epochs: 1}
`})
	for _, spec := range []string{"rev.yaml", "xor.yaml"} {
		if code, _, errs := runCLI(t, "train", filepath.Join(dir, spec)); code != 0 {
			t.Fatalf("train %s: code %d: %s", spec, code, errs)
		}
	}
	model := filepath.Join(dir, "rev.safetensors")
	out := filepath.Join(dir, "attn.png")
	if code, stdout, errs := runCLI(t, "draw", "--model", model, "--prompt", "1234=", "-o", out); code != 0 || !strings.Contains(stdout, "wrote") {
		t.Fatalf("draw: code %d: %s %s", code, stdout, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	// Two layers of two heads: a grid wider than a single panel and
	// taller than one row.
	if r := img.Bounds(); r.Dx() < 200 || r.Dy() < 200 {
		t.Fatalf("image %v is too small for 2×2 panels", r)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", model, "--prompt", "12x", "-o", out}, "--prompt: character 'x'"},
		{[]string{"--model", model, "--prompt", strings.Repeat("1", 40), "-o", out}, "reads at most"},
		{[]string{"--model", filepath.Join(dir, "xor.safetensors"), "--prompt", "1", "-o", out}, "does not read token sequences"},
	} {
		code, _, errs := runCLI(t, append([]string{"draw"}, c.args...)...)
		if code != 1 || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("draw %v: code %d, stderr %q, want one line with %q", c.args, code, errs, c.want)
		}
	}
}
