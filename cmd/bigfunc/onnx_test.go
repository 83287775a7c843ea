package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/train"
)

// TestExportImport trains the XOR classifier, exports it to ONNX with the
// scaler folded in and a decoder, imports the file back and checks that
// the imported model predicts the same bits.
func TestExportImport(t *testing.T) {
	spec := strings.Replace(xorSpec, "input: {csv: xor.csv, columns: [x1, x2]}", "input: {csv: xor.csv, columns: [x1, x2], scale: standardize}", 1)
	spec = strings.Replace(spec, "epochs: 80", "epochs: 5", 1)
	dir := writeFiles(t, map[string]string{"xor.yaml": spec, "xor.csv": xorCSV})
	model := filepath.Join(dir, "xor.safetensors")
	if code, _, errs := runCLI(t, "train", filepath.Join(dir, "xor.yaml")); code != 0 {
		t.Fatalf("train: %s", errs)
	}
	out := filepath.Join(dir, "xor.onnx")
	code, stdout, errs := runCLI(t, "export", "--model", model, "-o", out, "--opset", "15", "--fold-scaler", "--decoder", "proba")
	if code != 0 || !strings.Contains(stdout, "opset 15") {
		t.Fatalf("export: code %d, stdout %q, stderr %q", code, stdout, errs)
	}
	back := filepath.Join(dir, "back.safetensors")
	code, stdout, errs = runCLI(t, "import", out, "-o", back)
	if code != 0 || !strings.Contains(stdout, "3 layers") {
		t.Fatalf("import: code %d, stdout %q, stderr %q", code, stdout, errs)
	}
	a, err := train.LoadModel(model)
	if err != nil {
		t.Fatal(err)
	}
	b, err := train.LoadModel(back)
	if err != nil {
		t.Fatal(err)
	}
	if b.Scaler == nil || b.Decoder == nil {
		t.Fatalf("imported model lost its scaler (%v) or decoder (%v)", b.Scaler, b.Decoder)
	}
	ds, err := readFor(a, filepath.Join(dir, "xor.csv"), false)
	if err != nil {
		t.Fatal(err)
	}
	ya, _ := a.Predict(ds.X)
	yb, err := b.Predict(ds.X)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range ya.Data() {
		if yb.Data()[i] != v {
			t.Fatalf("output %d: imported %v, original %v", i, yb.Data()[i], v)
		}
	}
}

func TestExportImportErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{"junk.onnx": "not a model", "xor.yaml": xorSpec, "xor.csv": xorCSV})
	model := filepath.Join(dir, "none.safetensors")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"export", "-o", "x.onnx"}, 2, "export: missing --model"},
		{[]string{"export", "--model", model}, 2, "export: missing -o"},
		{[]string{"export", "--model", model, "-o", "x.onnx", "--opset", "9"}, 2, "--opset 9: want 13 to 21"},
		{[]string{"export", "--model", model, "-o", "x.onnx", "--decoder", "probs"}, 2, `--decoder "probs" (did you mean "proba"?)`},
		{[]string{"export", "--model", model, "-o", "x.onnx"}, 1, "none.safetensors"},
		{[]string{"import", filepath.Join(dir, "junk.onnx")}, 2, "import: missing -o"},
		{[]string{"import", filepath.Join(dir, "junk.onnx"), "-o", filepath.Join(dir, "m.safetensors")}, 1, "junk.onnx: onnx: import: not an ONNX model"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") > 1 {
			t.Errorf("%v: code %d, stderr %q; want code %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "m.safetensors")); err == nil {
		t.Error("a failed import left a file behind")
	}
}

// TestExportImportSequence trains a tiny GPT-style sequence model,
// exports it, imports the file back and checks that the imported model
// keeps its vocabulary and generates the same continuation.
func TestExportImportSequence(t *testing.T) {
	model := trainReverse(t, 200, `
  - embedding: {embedding_dim: 8}
  - positional: {kind: learned, max_len: 16}
  - transformer_encoder_layer: {nhead: 2, dim_feedforward: 16, dropout: 0.0, activation: gelu, norm_first: true, causal: true}
  - transformer_encoder_layer: {nhead: 2, dim_feedforward: 16, dropout: 0.0, activation: relu, norm_first: false, causal: true}
  - layer_norm: {}
  - linear: vocab`)
	dir := filepath.Dir(model)
	out := filepath.Join(dir, "rev.onnx")
	if code, _, errs := runCLI(t, "export", "--model", model, "-o", out, "--opset", "14"); code != 0 {
		t.Fatalf("export: code %d: %s", code, errs)
	}
	back := filepath.Join(dir, "back.safetensors")
	if code, stdout, errs := runCLI(t, "import", out, "-o", back); code != 0 || !strings.Contains(stdout, "6 layers") {
		t.Fatalf("import: code %d, stdout %q, stderr %q", code, stdout, errs)
	}
	b, err := train.LoadModel(back)
	if err != nil {
		t.Fatal(err)
	}
	if b.Vocab == nil {
		t.Fatal("the imported model lost its vocabulary")
	}
	for _, m := range []string{model, back} {
		code, text, errs := runCLI(t, "generate", "--model", m, "--prompt", "1234=", "--tokens", "4", "--temperature", "0")
		if code != 0 {
			t.Fatalf("generate with %s: code %d: %s", m, code, errs)
		}
		if m == model {
			out = text
		} else if text != out {
			t.Errorf("the imported model generates %q, the original %q", text, out)
		}
	}
}
