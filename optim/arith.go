package optim

import "math"

// fma32 returns a·b + c rounded once to float32.
//
// PyTorch's CPU kernels for float32 evaluate a + alpha·b (add with alpha)
// and a + value·b·c (addcmul) as fused multiply-adds; the updates use fma32
// at exactly those places so that trajectories agree with PyTorch bit for
// bit rather than drifting by an ulp here and there. Other products that
// feed an addition are converted to float32 explicitly, which keeps the
// compiler from fusing them on the platforms where it may.
func fma32(a, b, c float32) float32 {
	p := float64(a) * float64(b) // exact: at most 48 significant bits
	s := p + float64(c)
	if math.IsInf(s, 0) || s != s {
		return float32(s)
	}
	// s + e is the exact sum. Rounding s to odd when it is inexact keeps
	// the second rounding, to float32, from breaking a tie the wrong way.
	z := s - p
	e := (p - (s - z)) + (float64(c) - z)
	if bits := math.Float64bits(s); e != 0 && bits&1 == 0 {
		if (e > 0) == (s > 0) {
			bits++
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}

// sqrt32 returns the correctly rounded float32 square root of x.
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
