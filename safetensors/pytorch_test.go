package safetensors

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"
)

// The fixtures in testdata were written by testdata/make_pytorch.py with
// PyTorch 1.13; see that script for how to regenerate them.

func TestPyTorchMLP(t *testing.T) {
	f, err := Load("testdata/pytorch_mlp.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	shapes := map[string][]int{
		"0.weight": {5, 3},
		"0.bias":   {5},
		"2.weight": {2, 5},
		"2.bias":   {2},
	}
	if len(f.Tensors) != len(shapes) {
		t.Fatalf("got tensors %v, want %v", f.Order, shapes)
	}
	for name, want := range shapes {
		x, ok := f.Tensors[name]
		if !ok {
			t.Fatalf("no tensor %q in %v", name, f.Order)
		}
		if !slices.Equal(x.Shape(), want) {
			t.Errorf("%s: shape %v, want %v", name, x.Shape(), want)
		}
	}
	if f.Metadata["format"] != "pt" {
		t.Errorf("metadata %v, want format=pt", f.Metadata)
	}

	var ref struct {
		X, Y [][]float64
	}
	b, err := os.ReadFile("testdata/pytorch_mlp.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.X) != 4 || len(ref.Y) != 4 {
		t.Fatalf("fixture has %d inputs and %d outputs, want 4 and 4", len(ref.X), len(ref.Y))
	}

	// y = relu(x·W0ᵀ + b0)·W2ᵀ + b2, with PyTorch's [out, in] weights.
	linear := func(x []float64, w, bias []float32, out int) []float64 {
		in := len(x)
		y := make([]float64, out)
		for o := range out {
			s := float64(bias[o])
			for i := range in {
				s += float64(w[o*in+i]) * x[i]
			}
			y[o] = s
		}
		return y
	}
	w0, b0 := f.Tensors["0.weight"].Data(), f.Tensors["0.bias"].Data()
	w2, b2 := f.Tensors["2.weight"].Data(), f.Tensors["2.bias"].Data()
	for n, x := range ref.X {
		h := linear(x, w0, b0, 5)
		for i := range h {
			h[i] = max(h[i], 0)
		}
		y := linear(h, w2, b2, 2)
		for i := range y {
			if math.Abs(y[i]-ref.Y[n][i]) > 1e-5 {
				t.Errorf("y[%d][%d] = %v, PyTorch says %v", n, i, y[i], ref.Y[n][i])
			}
		}
	}
}

// TestPyTorchFileReencodes checks that Encode, given the tensors PyTorch
// wrote, reproduces the file byte for byte: the fixture was written the way
// the reference implementation writes (sorted by name, compact JSON, space
// padding), so this pins Encode to that layout.
func TestPyTorchFileReencodes(t *testing.T) {
	want, err := os.ReadFile("testdata/pytorch_mlp.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Order, []string{"0.bias", "0.weight", "2.bias", "2.weight"}) {
		t.Errorf("Order = %v, want offset order", f.Order)
	}
	f.Order = nil
	var got bytes.Buffer
	if err := Encode(&got, f); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("re-encoded file differs:\n got %q\nwant %q", got.Bytes(), want)
	}
}

func TestPyTorchDtypes(t *testing.T) {
	f, err := Load("testdata/pytorch_dtypes.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string][]uint32
	b, err := os.ReadFile("testdata/pytorch_dtypes.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"f16", "bf16", "f64"} {
		x, ok := f.Tensors[name]
		if !ok {
			t.Fatalf("no tensor %q", name)
		}
		if !slices.Equal(x.Shape(), []int{3, 4}) {
			t.Errorf("%s: shape %v, want [3 4]", name, x.Shape())
		}
		got := x.Data()
		if len(got) != len(want[name]) {
			t.Fatalf("%s: %d values, PyTorch has %d", name, len(got), len(want[name]))
		}
		for i, v := range got {
			// Bits, not values: -0, Inf and subnormals must match exactly.
			if math.Float32bits(v) != want[name][i] {
				t.Errorf("%s[%d] = %v (%#08x), PyTorch says %v (%#08x)", name, i,
					v, math.Float32bits(v), math.Float32frombits(want[name][i]), want[name][i])
			}
		}
	}
}
