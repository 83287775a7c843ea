package kernel

import "math"

// ExpSub sets every x[i] to e^(x[i] − shift), the difference taken in
// float32 and the exponential in float64, rounded to float32: what
// float32(math.Exp(float64(x[i] - shift))) gives, as the softmax of the
// fused attention computes it. The vector loop (AVX-512) and exp32, its
// one-lane twin, evaluate e^d = 2^k·e^r with k = round(d·log₂e) and a
// Taylor polynomial of degree 12 in r, |r| ≤ ½ln 2, whose error (under
// 10⁻¹⁵ relative) lets the float32 result differ from math.Exp's only
// where e^d lies that close to a rounding boundary: a handful of inputs
// in a million. −Inf gives 0, +Inf gives +Inf and NaN stays NaN.
func ExpSub(x []float32, shift float32) {
	for i := expSubBlocks(x, shift); i < len(x); i++ {
		x[i] = exp32(float64(x[i] - shift))
	}
}

// expLo and expHi bound the argument: e^expLo rounds to 0 in float32 and
// e^expHi to +Inf, and 2^k stays a normal float64 between them.
const (
	expLo = -200
	expHi = 100
)

// expC holds 1/n!, the Taylor coefficients of e^r, from n = 0.
var expC = func() (c [13]float64) {
	f := 1.0
	for n := range c {
		if n > 0 {
			f *= float64(n)
		}
		c[n] = 1 / f
	}
	return c
}()

// exp32 is e^x rounded to float32, computed exactly as the vector loop
// computes each lane: the same operations, each fused multiply-add
// rounded once.
func exp32(x float64) float32 {
	if x != x {
		return float32(x)
	}
	x = min(max(x, expLo), expHi)
	k := math.RoundToEven(x * math.Log2E)
	r := math.FMA(-k, ln2Hi, x)
	r = math.FMA(-k, ln2Lo, r)
	p := expC[12]
	for n := 11; n >= 0; n-- {
		p = math.FMA(p, r, expC[n])
	}
	return float32(math.Ldexp(p, int(k)))
}

// ln2Hi + ln2Lo is ln 2 to about 2⁻⁸⁵: ln2Hi has its low bits clear, so
// k·ln2Hi is exact for the k that occur here.
const (
	ln2Hi = 6.93147180369123816490e-01
	ln2Lo = 1.90821492927058770002e-10
)
