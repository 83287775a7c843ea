package onnx_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/onnx"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestREADMESnippet runs the README's Node snippet on an exported iris-
// shaped classifier and checks its probabilities against Predict.
func TestREADMESnippet(t *testing.T) {
	modules := requireORT(t)
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- onnx-node-snippet")
	if !ok {
		t.Fatal("README.md has no onnx-node-snippet marker")
	}
	_, rest, _ = strings.Cut(rest, "```js\n")
	snippet, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("README.md: the snippet's code block is not closed")
	}

	m := fromArch(t, []int{4}, "[{linear: 16}, relu, {linear: 3}]", 12)
	m.Scaler = fittedScaler(t, "standardize", 4)
	m.Decoder = &data.Decoder{Kind: data.ArgMax}
	dir := t.TempDir()
	if err := onnx.ExportFile(filepath.Join(dir, "iris.onnx"), m, onnx.ExportOptions{FoldScaler: true, Decoder: onnx.DecodeProba}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "snippet.js"), []byte(snippet), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "snippet.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node snippet.js: %v: %s", err, stderr.String())
	}
	var got []float64
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("snippet printed %q: %v", out, err)
	}
	x := tensor.New([]float32{5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3}, 2, 4)
	want := expected(t, zooModel{model: m, opts: onnx.ExportOptions{FoldScaler: true, Decoder: onnx.DecodeProba}, x: x}, x)
	if len(got) != len(want) {
		t.Fatalf("snippet printed %d probabilities, want %d", len(got), len(want))
	}
	for i := range want {
		if !closeEnough(got[i], want[i], 1e-5) {
			t.Errorf("probability %d: ONNX Runtime %v, Predict %v", i, got[i], want[i])
		}
	}
}
