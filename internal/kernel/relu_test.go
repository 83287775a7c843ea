package kernel

import (
	"math"
	"testing"
)

// TestReLUMatchesReference checks the ReLU kernels against their reference
// loops bit for bit, with −0, NaN and infinities among the inputs.
func TestReLUMatchesReference(t *testing.T) {
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1e-45, -1e-45}
	for _, n := range []int{1, 7, 8, 9, 16, 31, 100} {
		p, g, a, _ := optimInputs(n, uint64(n)+7)
		for i := range p {
			if i%3 == 0 {
				p[i] = special[i%len(special)]
			}
			if i%5 == 0 {
				a[i] = float32(math.Copysign(0, -1))
			}
		}
		y := make([]float32, n)
		ReLU(y, p)
		for i, v := range p {
			if want := max(v, 0); math.Float32bits(y[i]) != math.Float32bits(want) {
				t.Fatalf("n=%d: ReLU(%v) = %v, want %v", n, v, y[i], want)
			}
		}
		dx := append([]float32(nil), a...)
		ReLUBackward(dx, g, p)
		for i := range dx {
			want := a[i]
			if p[i] > 0 {
				want += g[i]
			}
			if math.Float32bits(dx[i]) != math.Float32bits(want) {
				t.Fatalf("n=%d: ReLUBackward element %d (x=%v): got %v, want %v", n, i, p[i], dx[i], want)
			}
		}
	}
}
