package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuantizeEndToEnd quantizes the iris model and runs the int8 copy
// through inspect, predict and eval: it agrees with the float32 model on
// nearly every row, and training from it is refused.
func TestQuantizeEndToEnd(t *testing.T) {
	dir, model := trainIris(t)
	m8 := filepath.Join(dir, "iris8.safetensors")
	code, out, errs := runCLI(t, "quantize", "--model", model, "-o", m8)
	if code != 0 || !strings.Contains(out, "wrote "+m8+": ") || !strings.Contains(out, "linear layers in int8") {
		t.Fatalf("quantize: exit %d, %q %q", code, out, errs)
	}
	code, out, errs = runCLI(t, "inspect", m8)
	if code != 0 || !strings.Contains(out, "quantized int8") || !strings.Contains(out, "(int8 buffer)") || !strings.Contains(out, "linear_int8") {
		t.Fatalf("inspect: exit %d: %s %s", code, out, errs)
	}
	predictsLikeFloat32(t, model, m8, filepath.Join(dir, "iris.csv"))
	spec := filepath.Join(dir, "init8.yaml")
	src := strings.Replace(irisSpec, "train: {", "train: {init: iris8.safetensors, ", 1)
	if err := os.WriteFile(spec, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCLI(t, "train", spec, "--quiet")
	if code != 1 || !strings.Contains(errs, "train.init: ") || !strings.Contains(errs, "quantized to int8") {
		t.Errorf("train from an int8 model: exit %d, %q", code, errs)
	}
}

// TestQuantizeErrors checks the one-line errors of bad flags and files,
// and that a failed run writes nothing.
func TestQuantizeErrors(t *testing.T) {
	dir, model := trainIris(t)
	m8 := filepath.Join(dir, "iris8.safetensors")
	if code, _, errs := runCLI(t, "quantize", "--model", model, "-o", m8); code != 0 {
		t.Fatal(errs)
	}
	junk := filepath.Join(dir, "junk.safetensors")
	if err := os.WriteFile(junk, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"quantize", "--model", model}, 2, "missing -o"},
		{[]string{"quantize", "-o", "x.safetensors"}, 2, "missing --model"},
		{[]string{"quantize", "--model", model, "-o", "x", "extra"}, 2, "extra"},
		{[]string{"quantize", "--model", filepath.Join(dir, "none.safetensors"), "-o", filepath.Join(dir, "out.safetensors")}, 1, "none.safetensors"},
		{[]string{"quantize", "--model", junk, "-o", filepath.Join(dir, "out.safetensors")}, 1, "junk.safetensors"},
		{[]string{"quantize", "--model", m8, "-o", filepath.Join(dir, "out.safetensors")}, 1, "already quantized"},
		{[]string{"quantize", "--model", model, "-o", filepath.Join(dir, "no", "dir", "out.safetensors")}, 1, "out.safetensors"},
	} {
		code, _, errs := runCLI(t, c.args...)
		first := strings.SplitN(errs, "\n", 2)[0]
		if code != c.code || !strings.HasPrefix(first, "bigfunc: ") || !strings.Contains(first, c.want) || strings.Contains(errs, "goroutine") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and a line naming %q", c.args, code, errs, c.code, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.safetensors")); !os.IsNotExist(err) {
		t.Errorf("a failed quantize left out.safetensors behind (%v)", err)
	}
}

// irisCNNSpec reads the four iris measurements as a 2×2 image and runs
// them through a convolution, a depthwise one and a linear layer.
const irisCNNSpec = `input: {csv: iris.csv, scale: standardize, shape: [1, 2, 2]}
output: {label: species}
architecture:
  - conv2d: {out_channels: 8, kernel_size: 2, padding: 1}
  - relu
  - conv2d: {out_channels: 8, kernel_size: 2, groups: 8}
  - relu
  - flatten
  - linear: 3
loss: cross_entropy
optimizer: {name: adam, lr: 0.01}
train: {epochs: 60, batch_size: 16, seed: 1}
`

// TestQuantizeCNNEndToEnd quantizes a small convolutional network: the
// conv2d with groups 1 and the linear layer become int8, the depthwise
// conv2d stays float32 and the output says so, and the int8 copy
// predicts and evaluates like the float32 model.
func TestQuantizeCNNEndToEnd(t *testing.T) {
	dir := writeFiles(t, map[string]string{"cnn.yaml": irisCNNSpec, "iris.csv": readFile(t, "testdata/iris.csv")})
	code, out, errs := runCLI(t, "train", filepath.Join(dir, "cnn.yaml"), "--quiet")
	if code != 0 || !strings.Contains(out, "accuracy 0.9") {
		t.Fatalf("train: exit %d, %s %s", code, out, errs)
	}
	model, m8 := filepath.Join(dir, "cnn.safetensors"), filepath.Join(dir, "cnn8.safetensors")
	code, out, errs = runCLI(t, "quantize", "--model", model, "-o", m8)
	want := "wrote " + m8 + ": 1 linear and 1 conv2d layers in int8; 1 grouped conv2d stays float32, weights "
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("quantize: exit %d, %q %q; want %q", code, out, errs, want)
	}
	code, out, errs = runCLI(t, "inspect", m8)
	if code != 0 || !strings.Contains(out, "conv2d_int8") || !strings.Contains(out, "linear_int8") || !strings.Contains(out, "quantized int8") {
		t.Fatalf("inspect: exit %d: %s %s", code, out, errs)
	}
	predictsLikeFloat32(t, model, m8, filepath.Join(dir, "iris.csv"))
}

// predictsLikeFloat32 checks that the int8 model m8 predicts the rows of
// csv as the float32 model does, but for at most 3, and scores above 90 %.
func predictsLikeFloat32(t *testing.T, model, m8, csv string) {
	t.Helper()
	_, p32, _ := runCLI(t, "predict", "--model", model, "--input", csv)
	code, p8, errs := runCLI(t, "predict", "--model", m8, "--input", csv)
	if code != 0 {
		t.Fatalf("predict: %s", errs)
	}
	a, b := strings.Split(p32, "\n"), strings.Split(p8, "\n")
	if len(a) != len(b) || len(a) < 100 {
		t.Fatalf("predict: %d rows from float32, %d from int8", len(a), len(b))
	}
	differ := 0
	for i := range a {
		if a[i] != b[i] {
			differ++
		}
	}
	if differ > 3 {
		t.Errorf("int8 predicts %d of %d rows differently from float32", differ, len(a)-2)
	}
	code, out, errs := runCLI(t, "eval", "--model", m8, "--data", csv)
	if code != 0 || !strings.Contains(out, "accuracy  0.9") {
		t.Errorf("eval: exit %d: %s %s", code, out, errs)
	}
}
