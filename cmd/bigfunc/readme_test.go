package main

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/train"
)

// These tests hold the README to what the command really does.

func readme(t *testing.T) string {
	t.Helper()
	return readFile(t, filepath.Join("..", "..", "README.md"))
}

// fenced returns the body of the first ```lang block after marker.
func fenced(t *testing.T, text, marker, lang string) string {
	t.Helper()
	i := strings.Index(text, marker)
	if i < 0 {
		t.Fatalf("README lacks %q", marker)
	}
	text = text[i:]
	open := "```" + lang + "\n"
	j := strings.Index(text, open)
	if j < 0 {
		t.Fatalf("README: no ```%s block after %q", lang, marker)
	}
	body := text[j+len(open):]
	return body[:strings.Index(body, "```")]
}

// TestReadmeErrorExample runs the README's spec with the mistake its error
// example shows and expects that very line, position included.
func TestReadmeErrorExample(t *testing.T) {
	doc := readme(t)
	src := fenced(t, doc, "A model is one small file", "yaml")
	want := strings.TrimSpace(fenced(t, doc, "Mistakes are one line", ""))
	bad := strings.Replace(src, "{negative_slope: 0.2}", "{slope: 0.2}", 1)
	if bad == src {
		t.Fatal("the README's spec no longer has leaky_relu's negative_slope")
	}
	dir := writeFiles(t, map[string]string{"model.yaml": bad, "train.csv": "x1,x2,species\n1,2,a\n2,1,b\n3,3,c\n"})
	t.Chdir(dir)
	if code, _, errs := runCLI(t, "check", "model.yaml"); code != 1 || strings.TrimSpace(errs) != want {
		t.Errorf("README shows\n%s\nbigfunc check says (code %d)\n%s", want, code, errs)
	}
	// And the spec as printed is valid.
	if err := os.WriteFile("model.yaml", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "check", "model.yaml"); code != 0 {
		t.Errorf("the README's spec: %s", errs)
	}
}

// trainDigits trains the README's digits spec on real digits, which have
// pixels that are 0 in every image, and returns the model's path.
func trainDigits(t *testing.T) (dir, model string) {
	t.Helper()
	src := fenced(t, readme(t), "In PyTorch, for a model trained on scikit-learn's 8×8 digits", "yaml")
	dir = writeFiles(t, map[string]string{"digits.yaml": src, "digits.csv": readFile(t, "testdata/digits300.csv")})
	code, out, errs := runCLI(t, "train", filepath.Join(dir, "digits.yaml"), "--quiet")
	if code != 0 {
		t.Fatalf("train: %s", errs)
	}
	if !strings.Contains(out, "accuracy 0.9") && !strings.Contains(out, "accuracy 1.0") {
		t.Fatalf("digits should train to above 90%% accuracy: %s", out)
	}
	return dir, filepath.Join(dir, "digits.safetensors")
}

// TestScalerRecipe follows the README's description of the model file by
// hand, as a PyTorch user would: read the metadata, scale with the saved
// statistics, run the layers, decode by argmax. The answers must be
// Model.Predict's, and finite although some columns are constant.
func TestScalerRecipe(t *testing.T) {
	dir, model := trainDigits(t)
	f, err := safetensors.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	features := strings.Split(f.Metadata["bigfunc.features"], "\n")
	var sc struct {
		Kind      string
		Mean, Std []float64
	}
	var dec struct {
		Kind    string
		Classes []string
	}
	if err := json.Unmarshal([]byte(f.Metadata["bigfunc.scaler"]), &sc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(f.Metadata["bigfunc.decoder"]), &dec); err != nil {
		t.Fatal(err)
	}
	if len(features) != 64 || sc.Kind != "standardize" || len(sc.Std) != 64 || dec.Kind != "argmax" || len(dec.Classes) != 10 {
		t.Fatalf("metadata: %d features, scaler %s with %d stds, decoder %s %q", len(features), sc.Kind, len(sc.Std), dec.Kind, dec.Classes)
	}
	constant := 0
	for j, s := range sc.Std {
		if s == 0 {
			t.Errorf("column %s: stored std 0 divides by zero", features[j])
		}
		if s == 1 && sc.Mean[j] == 0 {
			constant++
		}
	}
	if constant == 0 {
		t.Error("no constant column in the digits: the test lost its point")
	}

	_, rows := readCSV(t, readFile(t, filepath.Join(dir, "digits.csv")))
	x := make([][]float64, len(rows))
	for i, r := range rows {
		x[i] = make([]float64, 64)
		for j := range 64 {
			v, _ := strconv.ParseFloat(r[j], 64) // p0 … p63 are the first 64 fields
			x[i][j] = (v - sc.Mean[j]) / sc.Std[j]
		}
	}
	linear := func(in []float64, w, b string) []float64 {
		wt, bt := f.Tensors[w], f.Tensors[b]
		out := make([]float64, wt.Dim(0))
		for o := range out {
			s := float64(bt.Data()[o])
			for k, v := range in {
				s += float64(wt.At(o, k)) * v
			}
			out[o] = s
		}
		return out
	}
	m, err := train.LoadModel(model)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := readFor(m, filepath.Join(dir, "digits.csv"), false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Predict(ds.X)
	if err != nil {
		t.Fatal(err)
	}
	decoded := m.Decoder.Decode(got)
	for i := range x {
		h := linear(x[i], "0.weight", "0.bias")
		for k := range h {
			h[k] = max(h[k], 0)
		}
		scores := linear(h, "2.weight", "2.bias")
		best := 0
		for k, v := range scores {
			if math.IsNaN(v) {
				t.Fatalf("row %d: NaN score", i)
			}
			if math.Abs(v-float64(got.At(i, k))) > 1e-3*math.Max(1, math.Abs(v)) {
				t.Fatalf("row %d class %d: recipe %v, Predict %v", i, k, v, got.At(i, k))
			}
			if v > scores[best] {
				best = k
			}
		}
		if dec.Classes[best] != decoded[i] {
			t.Errorf("row %d: recipe says %s, Predict %s", i, dec.Classes[best], decoded[i])
		}
	}
}

// TestPyTorchRecipe runs the README's Python as written, with PyTorch,
// when it is installed, and expects the classes predict writes.
func TestPyTorchRecipe(t *testing.T) {
	const python = "/usr/bin/python3"
	if testing.Short() {
		t.Skip("-short: importing torch takes seconds")
	}
	if _, err := os.Stat(python); err != nil {
		t.Skipf("no %s: the README's PyTorch recipe is not run", python)
	}
	script := fenced(t, readme(t), "<!-- pytorch-recipe", "python")
	dir, model := trainDigits(t)
	if err := os.WriteFile(filepath.Join(dir, "new.csv"), []byte(readFile(t, "testdata/digits300.csv")), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(string(out), "No module named 'torch'") {
		t.Skipf("%s has no torch: the README's PyTorch recipe is not run", python)
	}
	if err != nil {
		t.Fatalf("the README's recipe fails: %v\n%s", err, out)
	}
	_, pred, errs := runCLI(t, "predict", "--model", model, "--input", filepath.Join(dir, "new.csv"))
	want := strings.TrimPrefix(pred, "digit\n")
	if string(out) != want {
		t.Errorf("PyTorch with the README's recipe disagrees with bigfunc predict:\n%s\nvs\n%s%s", out, want, errs)
	}
}
