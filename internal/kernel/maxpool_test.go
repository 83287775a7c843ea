package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMaxPool2RowMatchesReference checks MaxPool2Row against its
// reference loop bit for bit on values drawn from a small set, so that
// windows hold ties, −0 against 0, infinities and NaNs of two payloads.
func TestMaxPool2RowMatchesReference(t *testing.T) {
	nan1 := math.Float32frombits(0x7fc00001)
	nan2 := math.Float32frombits(0xffc00002)
	set := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2, float32(math.Inf(1)), float32(math.Inf(-1)), nan1, nan2}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 7, 8, 9, 16, 23, 64} {
		for range 50 {
			r0, r1 := make([]float32, 2*n+1), make([]float32, 2*n+1)
			for i := range r0 {
				r0[i], r1[i] = set[rng.IntN(len(set))], set[rng.IntN(len(set))]
			}
			out := make([]float32, n)
			MaxPool2Row(out, r0, r1)
			for j := range out {
				m := r0[2*j]
				for _, v := range []float32{r0[2*j+1], r1[2*j], r1[2*j+1]} {
					if v > m || v != v {
						m = v
					}
				}
				if math.Float32bits(out[j]) != math.Float32bits(m) {
					t.Fatalf("n=%d out[%d] = %#x, want %#x (window %v %v %v %v)", n, j,
						math.Float32bits(out[j]), math.Float32bits(m), r0[2*j], r0[2*j+1], r1[2*j], r1[2*j+1])
				}
			}
		}
	}
}
