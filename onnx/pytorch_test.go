package onnx_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/onnx"
	"github.com/bigfunc/bigfunc/tensor"
)

// pytorchDir is where the PyTorch fixtures live; BIGFUNC_ONNX_PYTORCH
// names another set made by testdata/pytorch/gen.py with another seed.
func pytorchDir() string {
	if d := os.Getenv("BIGFUNC_ONNX_PYTORCH"); d != "" {
		return d
	}
	return filepath.Join("testdata", "pytorch")
}

// TestImportPyTorch imports the files torch.onnx.export wrote (PyTorch
// 1.13, opsets 13 and 17) and checks that the models predict what
// PyTorch computed.
func TestImportPyTorch(t *testing.T) {
	dir := pytorchDir()
	b, err := os.ReadFile(filepath.Join(dir, "outputs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases map[string]struct {
		Input, Output jsonArray
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	worst := 0.0
	checked := 0
	for _, name := range names {
		c := cases[name]
		m, err := onnx.ImportFile(filepath.Join(dir, name))
		if err != nil {
			if strings.Contains(err.Error(), "is not available in this build") {
				// Layers that nn does not have yet.
				t.Logf("skipped: %v", err)
				continue
			}
			t.Errorf("%v", err)
			continue
		}
		n := c.Input.Shape[0]
		x := tensor.New(c.Input.Data, n, len(c.Input.Data)/n)
		y, err := m.Predict(x)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if y.Len() != len(c.Output.Data) {
			t.Fatalf("%s: %d outputs, PyTorch gave %d", name, y.Len(), len(c.Output.Data))
		}
		for i, want := range c.Output.Data {
			got := float64(y.Data()[i])
			d := abs(got-float64(want)) / max(1, abs(float64(want)))
			worst = max(worst, d)
			if !closeEnough(got, float64(want), 1e-5) {
				t.Errorf("%s: output %d: bigfunc %v, PyTorch %v", name, i, got, want)
				break
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no PyTorch file checked")
	}
	t.Logf("%d PyTorch files imported; largest difference %.3g (relative to max(1, |y|))", checked, worst)
}
