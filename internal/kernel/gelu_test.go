package kernel

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// geluInputs mixes random draws over the range that matters with edge
// values: signed zeros, subnormals, both tails, infinities and NaN.
func geluInputs(n int) []float32 {
	r := rand.New(rand.NewPCG(1, 2))
	x := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-40, 1e-7, -1e-7, 9, -9, 13.2, -13.2, 14, -14,
		1e10, -1e10, 3e38, -3e38, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for len(x) < n {
		x = append(x, float32(r.NormFloat64()*3), float32(r.Float64()*30-15))
	}
	return x[:n]
}

func sameBits32(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// TestGELUVectorMatchesLanes checks that the vector loops give the bits of
// the one-lane Go functions, for every length's mix of blocks and tail.
func TestGELUVectorMatchesLanes(t *testing.T) {
	x := geluInputs(4099)
	dy := geluInputs(4099 + 7)[7:]
	for _, n := range []int{2, 7, 8, 9, 31, 4099} {
		y := make([]float32, n)
		GELU(y, x[:n])
		g := make([]float32, n)
		GELUGrad(g, dy[:n], x[:n])
		acc := make([]float32, n)
		for i := range acc {
			acc[i] = 1
		}
		GELUGradAdd(acc, dy[:n], x[:n])
		for i := 0; i < n; i++ {
			wantY := geluLane(x[i])
			wantG := float32(geluGradLane(x[i]) * dy[i])
			if !sameBits32(y[i], wantY) || !sameBits32(g[i], wantG) || !sameBits32(acc[i], 1+wantG) {
				t.Fatalf("n=%d x=%g: GELU %g, GELUGrad %g, GELUGradAdd %g; lanes give %g, %g, %g",
					n, x[i], y[i], g[i], acc[i], wantY, wantG, 1+wantG)
			}
		}
	}
}

// TestGELUAccuracy holds the float32 approximation to x·Φ(x) and its
// derivative computed in float64: Abramowitz–Stegun 7.1.26 is good to
// 1.5e-7 in erf, so a few 1e-7 of the scale of the result.
func TestGELUAccuracy(t *testing.T) {
	x := geluInputs(20000)[19:] // finite values only
	y := make([]float32, len(x))
	GELU(y, x)
	ones := make([]float32, len(x))
	for i := range ones {
		ones[i] = 1
	}
	g := make([]float32, len(x))
	GELUGrad(g, ones, x)
	for i, v := range x {
		f := float64(v)
		want := f * 0.5 * math.Erfc(-f/math.Sqrt2)
		wantG := 0.5*math.Erfc(-f/math.Sqrt2) + f*math.Exp(-f*f/2)/math.Sqrt(2*math.Pi)
		if d := math.Abs(float64(y[i]) - want); d > 4e-7*math.Max(1, math.Abs(f)) {
			t.Fatalf("GELU(%g) = %g, want %g", v, y[i], want)
		}
		if d := math.Abs(float64(g[i]) - wantG); d > 1e-6 {
			t.Fatalf("GELU′(%g) = %g, want %g", v, g[i], wantG)
		}
	}
	// The single-element path uses erf in float64.
	one := []float32{0.5}
	GELU(one, one)
	if want := 0.5 * 0.5 * math.Erfc(-0.5/math.Sqrt2); math.Abs(float64(one[0])-want) > 1e-7 {
		t.Fatalf("GELU([0.5]) = %g, want %g", one[0], want)
	}
}

// TestFMA32 checks the float32 fused multiply-add against a·b + c computed
// exactly with math/big and rounded once to float32, including sums that
// fall just off a float32 rounding midpoint.
func TestFMA32(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	exact := func(a, b, c float32) float32 {
		p := new(big.Float).SetPrec(200).Mul(big.NewFloat(float64(a)), big.NewFloat(float64(b)))
		p.Add(p, big.NewFloat(float64(c)))
		f, _ := p.Float32()
		return f
	}
	check := func(a, b, c float32) {
		if got, want := fma32(a, b, c), exact(a, b, c); !sameBits32(got, want) {
			t.Fatalf("fma32(%g, %g, %g) = %g (%08x), want %g (%08x)", a, b, c,
				got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
	for i := 0; i < 100000; i++ {
		a := float32(r.NormFloat64())
		b := float32(r.NormFloat64())
		check(a, b, float32(r.NormFloat64()))
		// c so that a·b + c lands near a float32 midpoint, with a tiny
		// remainder below float64's reach of the sum.
		c := float32(math.Ldexp(float64(r.Int32N(1<<24)), -24-int(r.IntN(40))))
		check(a, b, c)
	}
	// a·b = 2⁻²⁴ − 2⁻⁶⁰, so a·b + c = 1 + 3·2⁻²⁴ − 2⁻⁶⁰, just below a
	// float32 midpoint: the exact value rounds down to 1 + 2⁻²³, but the
	// float64 sum is the midpoint itself, which would round to even, up.
	check(0x1p-24*(1+0x1p-18), 1-0x1p-18, 1+0x1p-23)
}
