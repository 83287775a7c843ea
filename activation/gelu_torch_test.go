package activation

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestGELUBitsMatchTorch checks the exact GELU and its gradient against
// PyTorch 1.13's own outputs, bit for bit (NaN for NaN; −0 for +0 only), on the inputs
// testdata/gelu_torch.py drew, through the autograd path a model uses.
func TestGELUBitsMatchTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/gelu_torch.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ X, Y, Dy, Dx []string }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	dec := func(s []string) []float32 {
		f := make([]float32, len(s))
		for i, h := range s {
			b, err := strconv.ParseUint(h, 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			f[i] = math.Float32frombits(uint32(b))
		}
		return f
	}
	x, y, dy, dx := dec(doc.X), dec(doc.Y), dec(doc.Dy), dec(doc.Dx)
	v := autograd.Param(tensor.FromSlice(x, len(x)))
	out := GELU(v, GELUNone)
	out.BackwardWith(tensor.FromSlice(dy, len(dy)))
	// Gradients accumulate into buffers that start at +0, where PyTorch
	// hands a leaf its first gradient as is, so −0 and +0 count as equal:
	// every other value must have the same bits.
	same := func(a, b float32) bool {
		return math.Float32bits(a) == math.Float32bits(b) || a == b || a != a && b != b
	}
	bad := 0
	for i := range x {
		gy, gdx := out.Value.Data()[i], v.Grad.Data()[i]
		if !same(gy, y[i]) || !same(gdx, dx[i]) {
			if bad < 10 {
				t.Errorf("x=%g: y %g (%08x), dx %g (%08x); torch %g (%08x), %g (%08x)", x[i],
					gy, math.Float32bits(gy), gdx, math.Float32bits(gdx), y[i], math.Float32bits(y[i]), dx[i], math.Float32bits(dx[i]))
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d differ from PyTorch", bad, len(x))
	}
}

// TestGELUBitsMillion counts, on the 10⁶ inputs bench/gpt/gelu_bits.py
// writes to the file named by BIGFUNC_GELU_REF, the outputs and gradients
// whose value differs from PyTorch's, for the kernel and for the float64
// erfc formulas this package used before it. It fails on any difference
// of the kernel's; without the file it is skipped.
func TestGELUBitsMillion(t *testing.T) {
	path := os.Getenv("BIGFUNC_GELU_REF")
	if path == "" {
		t.Skip("BIGFUNC_GELU_REF not set")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := make([]float32, len(raw)/4)
	for i := range f {
		f[i] = math.Float32frombits(uint32(raw[4*i]) | uint32(raw[4*i+1])<<8 | uint32(raw[4*i+2])<<16 | uint32(raw[4*i+3])<<24)
	}
	n := len(f) / 4
	x, y, dy, dx := f[:n], f[n:2*n], f[2*n:3*n], f[3*n:]
	l := &GELULayer{Approximate: GELUNone}
	gy := make([]float32, n)
	l.Apply(gy, x)
	gdx := make([]float32, n)
	l.Backprop(gdx, dy, x, gy)
	var bad, badDx, old, oldDx int
	for i, v := range x {
		f := float64(v)
		oy := float32(f * 0.5 * math.Erfc(-f/math.Sqrt2))
		od := float32(float64(dy[i]) * (0.5*math.Erfc(-f/math.Sqrt2) + f*math.Exp(-0.5*f*f)/math.Sqrt(2*math.Pi)))
		if gy[i] != y[i] {
			bad++
		}
		if gdx[i] != dx[i] {
			badDx++
		}
		if oy != y[i] {
			old++
		}
		if od != dx[i] {
			oldDx++
		}
	}
	t.Logf("%d inputs: outputs differing from PyTorch %d (float64 erfc formula: %d), gradients %d (%d)", n, bad, old, badDx, oldDx)
	if bad+badDx > 0 {
		t.Errorf("%d outputs and %d gradients differ from PyTorch", bad, badDx)
	}
}
