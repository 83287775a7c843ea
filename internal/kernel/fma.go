package kernel

import "math"

// FMA32 returns a·b + c rounded once to float32, as the hardware
// instruction does, on every platform.
//
// PyTorch's CPU kernels for float32 evaluate a + alpha·b (add with alpha)
// and a + value·b·c (addcmul) as fused multiply-adds; the optimizer updates
// use FMA32 at exactly those places so that trajectories agree with PyTorch
// bit for bit rather than drifting by an ulp here and there.
func FMA32(a, b, c float32) float32 {
	if r, ok := FMA32Fast(a, b, c); ok {
		return r
	}
	p := float64(a) * float64(b)
	return fma32Slow(p, p+float64(c), c)
}

// FMA32Fast is FMA32's common case, small enough for the compiler to
// inline into update loops: ok is false when fma32Slow must decide.
func FMA32Fast(a, b, c float32) (r float32, ok bool) {
	p := float64(a) * float64(b) // exact: at most 48 significant bits
	s := p + float64(c)
	bits := math.Float64bits(s)
	// Rounding s to float32 is the single correct rounding unless s sits
	// exactly halfway between two float32s (the 29 bits below float32's
	// precision are 1000…0), where the first rounding may have made the tie,
	// or s is small enough for float32 to be subnormal. Both are rare; the
	// common case stays a few inlined instructions. A zero sum is exact:
	// p and c cancel only when p = −c.
	return float32(s), (bits&(1<<29-1) != 1<<28 && bits&0x7ff0000000000000 >= 0x3810000000000000) || s == 0
}

// fma32Slow finishes FMA32 where the fast path cannot: it rounds the
// float64 sum s of p and c to odd before the final rounding.
func fma32Slow(p, s float64, c float32) float32 {
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

// Sqrt32 returns the correctly rounded float32 square root of x: the
// float64 root rounded to float32 is correctly rounded, as VSQRTPS is.
func Sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
