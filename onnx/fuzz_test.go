package onnx_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/onnx"
	"github.com/bigfunc/bigfunc/tensor"
)

// FuzzImport feeds Import arbitrary bytes: it must return a model or an
// error, never panic or allocate without bound, and a model it returns
// must run forward and export again. The seeds are small exported models and
// PyTorch's files; testdata/fuzz/FuzzImport holds more, among them any
// input that once failed.
func FuzzImport(f *testing.F) {
	for _, z := range append(zoo(f, 17), seqZoo(f, 17)...) {
		if z.model.Inputs > 16 || len(f.Name()) == 0 {
			continue
		}
		var buf bytes.Buffer
		if err := onnx.Export(&buf, z.model, z.opts); err == nil && buf.Len() < 16384 {
			f.Add(buf.Bytes())
		}
	}
	// The smallest sequence and KAN models, whose graphs Import matches
	// node for node.
	for i, arch := range []string{
		"[{embedding: {num_embeddings: 3, embedding_dim: 2}}, {positional: {kind: sinusoidal, max_len: 3}}, {multihead_attention: {num_heads: 1, causal: true}}, {linear: 3}]",
		"[{embedding: {num_embeddings: 3, embedding_dim: 2}}, {transformer_encoder_layer: {nhead: 1, dim_feedforward: 2, causal: true, norm_first: true}}]",
		"[{kan_linear: {out_features: 1, grid_size: 1, spline_order: 1}}]",
	} {
		m := buildArch(f, []int{2}, arch, uint64(i))
		for _, opset := range []int{13, 17} {
			var buf bytes.Buffer
			if err := onnx.Export(&buf, m, onnx.ExportOptions{Opset: opset}); err != nil {
				f.Fatal(err)
			}
			f.Add(buf.Bytes())
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "pytorch", "*.onnx"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := onnx.Import(bytes.NewReader(b))
		if err != nil {
			if m != nil {
				t.Fatal("a model and an error")
			}
			return
		}
		// Predict only on networks small enough to run quickly.
		shapes, err := m.Net.Shapes(m.InputShape)
		if err != nil {
			t.Fatalf("imported model has inconsistent shapes: %v", err)
		}
		total := 0
		for _, s := range shapes {
			total += nn.Size(s)
		}
		if total > 1<<16 {
			return
		}
		// The graph forward pass: Predict would size buffers for
		// thousands of rows.
		x := tensor.Randn(tensor.NewRNG(1), append([]int{2}, m.InputShape...)...)
		if d := m.Net.Layers[0].Describe(); d.Op == "embedding" {
			num, _ := d.Config["num_embeddings"].(int)
			for i := range x.Data() {
				x.Data()[i] = float32(i % max(num, 1)) // token ids
			}
		}
		y := m.Net.Forward(autograd.Const(x), nn.Eval)
		if got := y.Value.Len(); got != 2*m.Outputs {
			t.Fatalf("imported model gives %d outputs for 2 samples, want %d", got, 2*m.Outputs)
		}
		var buf bytes.Buffer
		if err := onnx.Export(&buf, m, onnx.ExportOptions{}); err != nil {
			t.Fatalf("imported model does not export: %v", err)
		}
		if _, err := onnx.Import(&buf); err != nil {
			t.Fatalf("re-exported model does not import: %v", err)
		}
	})
}
