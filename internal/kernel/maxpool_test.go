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

// TestMaxPool2RowGradMatchesReference checks MaxPool2RowGrad against its
// reference loop bit for bit, on the vector path and the scalar one, at
// every length up to 40 (whole blocks, short last blocks, the four-wide
// ones), with inputs from a small set (ties, −0 against 0, infinities)
// and NaNs of two payloads now and then, so that most blocks hold none
// and some do, and d holding −0s, which must keep their sign.
func TestMaxPool2RowGradMatchesReference(t *testing.T) {
	nans := []float32{math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00002)}
	set := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2, float32(math.Inf(1)), float32(math.Inf(-1))}
	rng := rand.New(rand.NewPCG(3, 4))
	saved := useVecAsm
	defer func() { useVecAsm = saved }()
	for _, vec := range []bool{saved, false} {
		useVecAsm = vec
		for n := 1; n <= 40; n++ {
			for _, pNaN := range []float64{0, 0.01, 0.2} {
				for range 20 {
					r0, r1 := make([]float32, 2*n+1), make([]float32, 2*n+1)
					for i := range r0 {
						r0[i], r1[i] = set[rng.IntN(len(set))], set[rng.IntN(len(set))]
						if rng.Float64() < pNaN {
							r0[i] = nans[rng.IntN(2)]
						}
						if rng.Float64() < pNaN {
							r1[i] = nans[rng.IntN(2)]
						}
					}
					out := make([]float32, n)
					MaxPool2Row(out, r0, r1)
					g := make([]float32, n)
					for j := range g {
						g[j] = float32(rng.IntN(1000)) / 8
					}
					d0, d1 := make([]float32, 2*n+1), make([]float32, 2*n+1)
					for i := range d0 {
						d0[i], d1[i] = float32(rng.IntN(100))/16, float32(rng.IntN(100))/16
						if rng.IntN(4) == 0 {
							d0[i] = float32(math.Copysign(0, -1))
						}
						if rng.IntN(4) == 0 {
							d1[i] = float32(math.Copysign(0, -1))
						}
					}
					w0, w1 := append([]float32(nil), d0...), append([]float32(nil), d1...)
					for j, m := range out {
						win := []*float32{&w0[2*j], &w0[2*j+1], &w1[2*j], &w1[2*j+1]}
						at := -1
						for i, v := range []float32{r0[2*j], r0[2*j+1], r1[2*j], r1[2*j+1]} {
							if math.Float32bits(v) == math.Float32bits(m) && (at < 0 || m != m) {
								at = i
							}
						}
						*win[at] += g[j]
					}
					MaxPool2RowGrad(d0, d1, r0, r1, out, g)
					for i := range d0 {
						if math.Float32bits(d0[i]) != math.Float32bits(w0[i]) || math.Float32bits(d1[i]) != math.Float32bits(w1[i]) {
							t.Fatalf("vector %v, n=%d: column %d: d0 %v d1 %v, want %v %v (rows %v / %v, out %v)",
								vec, n, i, d0[i], d1[i], w0[i], w1[i], r0, r1, out)
						}
					}
				}
			}
		}
	}
}
