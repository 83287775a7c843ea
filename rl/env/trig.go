package env

import (
	"math"
	"math/big"
)

// The environments need sin and cos that agree with Gymnasium's to the last
// bit, because the chaotic dynamics of Acrobot (and, more slowly, CartPole)
// turn a one-ulp difference into a visible one within a few hundred steps.
// Go's math.Sin and math.Cos are accurate to about one ulp but differ from
// the C library's in a fifth of cases; glibc's sin and cos, which Python's
// math module and NumPy (except its AVX-512 SVML loops in 1.22–1.24) call,
// return the correctly rounded result. So do Sin and Cos here: they reduce
// the argument against a three-double π/2 and sum the Taylor series in
// double-double arithmetic (about 104 bits), then round once.

// dd is an unevaluated sum hi + lo of two doubles, |lo| ≤ ulp(hi)/2.
type dd struct{ hi, lo float64 }

// twoSum returns a + b exactly as a double-double (Knuth).
func twoSum(a, b float64) dd {
	s := a + b
	bb := float64(s - a)
	return dd{s, float64(a-float64(s-bb)) + float64(b-bb)}
}

// quickTwoSum is twoSum for |a| ≥ |b|.
func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - float64(s-a)}
}

// twoProd returns a·b exactly as a double-double.
func twoProd(a, b float64) dd {
	p := float64(a * b)
	return dd{p, math.FMA(a, b, -p)}
}

func ddAdd(a, b dd) dd {
	s := twoSum(a.hi, b.hi)
	t := twoSum(a.lo, b.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func ddMul(a, b dd) dd {
	p := twoProd(a.hi, b.hi)
	p.lo += float64(a.hi*b.lo) + float64(a.lo*b.hi)
	return quickTwoSum(p.hi, p.lo)
}

var (
	// piOver2 is π/2 as a sum of three doubles (about 160 bits).
	piOver2 [3]float64
	// sinCoef[i] = (-1)^i / (2i+1)!, cosCoef[i] = (-1)^i / (2i)!, as
	// double-doubles.
	sinCoef, cosCoef [16]dd
)

func init() {
	// π to 70 decimal places is more than the 160 bits needed.
	pi, _ := new(big.Float).SetPrec(300).SetString("3.141592653589793238462643383279502884197169399375105820974944592307816406")
	h := new(big.Float).SetPrec(300).Quo(pi, big.NewFloat(2))
	for i := range piOver2 {
		piOver2[i], _ = h.Float64()
		h.Sub(h, new(big.Float).SetFloat64(piOver2[i]))
	}
	fact := new(big.Float).SetPrec(300).SetInt64(1)
	for n := 0; n < 32; n++ {
		if n > 0 {
			fact.Mul(fact, new(big.Float).SetInt64(int64(n)))
		}
		c := new(big.Float).SetPrec(300).Quo(big.NewFloat(1), fact)
		if (n/2)%2 == 1 {
			c.Neg(c)
		}
		hi, _ := c.Float64()
		lo, _ := c.Sub(c, new(big.Float).SetFloat64(hi)).Float64()
		if n%2 == 0 {
			cosCoef[n/2] = dd{hi, lo}
		} else {
			sinCoef[n/2] = dd{hi, lo}
		}
	}
}

// maxReduced bounds the arguments reduced here; beyond it (far outside any
// state these environments reach) Sin and Cos fall back to package math.
const maxReduced = 1 << 26

// sinCos returns sin x and cos x, each correctly rounded (except, with a
// probability of about 2⁻⁴⁸, when the exact value lies within 2⁻¹⁰⁰ of a
// rounding boundary).
func sinCos(x float64) (s, c float64) {
	if x == 0 {
		return x, 1 // keeps the sign of −0
	}
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > maxReduced {
		return math.Sin(x), math.Cos(x)
	}
	k := math.RoundToEven(float64(x * (2 / math.Pi)))
	// r = x − k·π/2 in double-double; k·piOver2[0] is exact as twoProd.
	r := ddAdd(dd{x, 0}, negate(twoProd(k, piOver2[0])))
	r = ddAdd(r, negate(twoProd(k, piOver2[1])))
	r = ddAdd(r, dd{-float64(k * piOver2[2]), 0})
	z := ddMul(r, r)
	sr := horner(&sinCoef, z)
	sr = ddMul(sr, r)
	cr := horner(&cosCoef, z)
	switch int64(k) & 3 {
	case 0:
		return sr.hi, cr.hi
	case 1:
		return cr.hi, -sr.hi
	case 2:
		return -sr.hi, -cr.hi
	default:
		return -cr.hi, sr.hi
	}
}

func negate(a dd) dd { return dd{-a.hi, -a.lo} }

// horner evaluates Σ c[i]·zⁱ.
func horner(c *[16]dd, z dd) dd {
	acc := c[len(c)-1]
	for i := len(c) - 2; i >= 0; i-- {
		acc = ddAdd(ddMul(acc, z), c[i])
	}
	return acc
}

// Sin returns the sine of x, correctly rounded; see sinCos.
func Sin(x float64) float64 { s, _ := sinCos(x); return s }

// Cos returns the cosine of x, correctly rounded; see sinCos.
func Cos(x float64) float64 { _, c := sinCos(x); return c }
