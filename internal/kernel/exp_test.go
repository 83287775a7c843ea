package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// expInputs returns arguments across the whole range ExpSub sees, the
// edges included: where float32 results turn subnormal, zero and
// infinite, and ±0, ±Inf and NaN.
func expInputs(r *rand.Rand, n int) []float32 {
	x := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 88.72, 88.73, -87.3, -103.97, -103.98, -104, -150, -200, -201, -1e30, 99, 101, 1e30,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-8, -1e-8, 0.34657, -0.34658}
	for len(x) < n {
		switch len(x) % 3 {
		case 0:
			x = append(x, float32(r.Float64()*200-110)) // the whole range
		case 1:
			x = append(x, float32(-r.ExpFloat64()*4)) // a softmax's x − max
		default:
			x = append(x, math.Float32frombits(r.Uint32())) // any bits
		}
	}
	return x
}

// TestExpSubMatchesTwin checks the vector loop against exp32, bit for
// bit, at every length up to three blocks and a shift, so that each
// element goes through the loop in some calls and the tail in others.
func TestExpSubMatchesTwin(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	src := expInputs(r, 1<<16)
	for _, shift := range []float32{0, 1.5, -3} {
		got := append([]float32(nil), src...)
		ExpSub(got, shift)
		for i, v := range src {
			want := exp32(float64(v - shift))
			if math.Float32bits(got[i]) != math.Float32bits(want) && !(got[i] != got[i] && want != want) {
				t.Fatalf("shift %v: ExpSub(%v) = %v, exp32 gives %v", shift, v, got[i], want)
			}
		}
	}
	for n := 0; n <= 24; n++ {
		x := append([]float32(nil), src[:n]...)
		ExpSub(x, 0.5)
		for i := range x {
			if want := exp32(float64(src[i] - 0.5)); math.Float32bits(x[i]) != math.Float32bits(want) && !(x[i] != x[i] && want != want) {
				t.Fatalf("length %d, element %d: %v, want %v", n, i, x[i], want)
			}
		}
	}
}

// TestExp32MatchesMathExp checks exp32 against float32(math.Exp(x)) over a
// million arguments: the float32 results may differ only where e^x lies
// within the polynomial's error of a rounding boundary, by one ulp.
func TestExp32MatchesMathExp(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	differ := 0
	for _, v := range expInputs(r, 1<<20) {
		got, want := exp32(float64(v)), float32(math.Exp(float64(v)))
		if math.Float32bits(got) == math.Float32bits(want) || got != got && want != want {
			continue
		}
		if d := int64(math.Float32bits(got)) - int64(math.Float32bits(want)); d != 1 && d != -1 {
			t.Fatalf("exp32(%v) = %v, math.Exp gives %v", v, got, want)
		}
		differ++
	}
	if differ > 4 {
		t.Errorf("%d of 2^20 arguments round differently from math.Exp, want a handful at most", differ)
	}
}

func BenchmarkExpSub(b *testing.B) {
	x := make([]float32, 64)
	for i := range x {
		x[i] = -float32(i) * 0.1
	}
	src := append([]float32(nil), x...)
	b.SetBytes(int64(len(x)) * 4)
	for i := 0; i < b.N; i++ {
		copy(x, src)
		ExpSub(x, 0)
	}
}
