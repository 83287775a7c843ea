package kernel

import "math"

// GELU and its derivative, computed the way PyTorch 1.13 computes them on
// a CPU, in float32, so that a model trained here follows PyTorch's numbers
// bit for bit rather than within a tolerance.
//
// For a contiguous float32 tensor of more than one element PyTorch hands
// GELU to oneDNN's eltwise gelu_erf kernel. That kernel evaluates erf with
// the Abramowitz–Stegun 7.1.26 rational approximation, and exp with a
// degree-5 polynomial after a reduction by the nearest multiple of ln 2;
// every step is one float32 operation or one fused multiply-add, and the
// lanes of a vector do not interact, so the eight-lane AVX2 loop here and
// the one-lane Go loop give the same bits as oneDNN's sixteen-lane one. A
// one-element tensor takes PyTorch's scalar path instead (the C library's
// erff), which geluScalar follows through float64 math.Erf.

// Constants of oneDNN's gelu_erf and exp kernels, bit for bit.
var (
	erfP        = math.Float32frombits(0x3ea7ba05) // 0.3275911
	erfA1       = math.Float32frombits(0x3e827906) // 0.254829592
	erfA2       = math.Float32frombits(0xbe91a98e) // -0.284496736
	erfA3       = math.Float32frombits(0x3fb5f0e3) // 1.421413741
	erfA4       = math.Float32frombits(0xbfba00e3) // -1.453152027
	erfA5       = math.Float32frombits(0x3f87dc22) // 1.061405429
	invSqrt2    = math.Float32frombits(0x3f3504f3) // 1/√2
	invSqrtPi   = math.Float32frombits(0x3f106eba) // 1/√π
	expLog2e    = math.Float32frombits(0x3fb8aa3b) // log₂ e
	expLn2      = math.Float32frombits(0x3f317218) // ln 2
	expLnFltMax = math.Float32frombits(0x42b17218) // ln FLT_MAX
	expLnFltMin = math.Float32frombits(0xc2aeac50) // ln FLT_MIN
	expP1       = math.Float32frombits(0x3f7ffffb) // 0.999999701
	expP2       = math.Float32frombits(0x3efffee3) // 0.499991506
	expP3       = math.Float32frombits(0x3e2aad40) // 0.166676521
	expP4       = math.Float32frombits(0x3d2b9d0d) // 0.0418978221
	expP5       = math.Float32frombits(0x3c07cfce) // 0.00828929059
)

// GELU writes x·Φ(x) = x/2·(1 + erf(x/√2)) to y, the exact (not tanh)
// form, rounded as PyTorch 1.13 rounds it on a CPU.
//
// Reference loop:
//
//	for i := range x { y[i] = geluLane(x[i]) }
func GELU(y, x []float32) {
	y = y[:len(x)]
	if len(x) == 1 {
		y[0] = geluScalar(x[0])
		return
	}
	done := geluBlocks(y, x)
	for i := done; i < len(x); i++ {
		y[i] = geluLane(x[i])
	}
}

// GELUGrad writes dy·GELU′(x) = dy·(Φ(x) + x·φ(x)) to dx, rounded as
// PyTorch 1.13's backward rounds it on a CPU. dx may be dy.
//
// Reference loop:
//
//	for i := range x { dx[i] = geluGradLane(x[i]) * dy[i] }
func GELUGrad(dx, dy, x []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	if len(x) == 1 {
		dx[0] = geluGradScalar(dy[0], x[0])
		return
	}
	done := geluGradBlocks(dx, dy, x)
	for i := done; i < len(x); i++ {
		dx[i] = float32(geluGradLane(x[i]) * dy[i])
	}
}

// GELUGradAdd adds dy·GELU′(x) to dx: GELUGrad for gradients that
// accumulate. The product is rounded before it is added, as it is in
// PyTorch, whose autograd engine adds the kernel's result to the gradient.
func GELUGradAdd(dx, dy, x []float32) {
	dy, x = dy[:len(dx)], x[:len(dx)]
	if len(x) == 1 {
		dx[0] += geluGradScalar(dy[0], x[0])
		return
	}
	var buf [256]float32
	for lo := 0; lo < len(dx); lo += len(buf) {
		hi := min(lo+len(buf), len(dx))
		t := buf[:hi-lo]
		done := geluGradBlocks(t, dy[lo:hi], x[lo:hi])
		for i := done; i < len(t); i++ {
			t[i] = float32(geluGradLane(x[lo+i]) * dy[lo+i])
		}
		AddTo(dx[lo:hi], t)
	}
}

// geluLane is one lane of oneDNN's gelu_erf forward:
// S + S·erf(x/√2) with S = x/2 and erf = sign·(1 − t·r(t)·exp(−v²)),
// t = 1/(1 + p|v|), v = x/√2.
func geluLane(x float32) float32 {
	v := float32(x * invSqrt2)
	t := float32(1 / fma32(erfP, abs32(v), 1))
	q := float32(-expLane(-float32(v*v)) * t)
	e := fma32(q, erfPoly(t), 1)
	if math.Signbit(float64(x)) {
		e = -e
	}
	s := float32(x * 0.5)
	return fma32(e, s, s)
}

// geluGradLane is one lane of oneDNN's gelu_erf backward, GELU′(x) =
// ½ + ½·erf(v) + v/√π·exp(−v²) with v = x/√2, before the product with dy.
func geluGradLane(x float32) float32 {
	v := float32(x * invSqrt2)
	q := expLane(-float32(v * v))
	tt := float32(float32(v*invSqrtPi) * q)
	w := float32(1 / fma32(erfP, abs32(v), 1))
	e := fma32(float32(-q*w), erfPoly(w), 1)
	if math.Signbit(float64(v)) {
		e = -e
	}
	return fma32(e, 0.5, float32(tt+0.5))
}

// erfPoly is the degree-4 polynomial of Abramowitz–Stegun 7.1.26 in Horner
// form, one fused multiply-add a step.
func erfPoly(t float32) float32 {
	r := fma32(erfA5, t, erfA4)
	r = fma32(r, t, erfA3)
	r = fma32(r, t, erfA2)
	return fma32(r, t, erfA1)
}

// expLane is oneDNN's exp on one lane: n = ⌊x·log₂e + ½⌋, r = x − n·ln 2
// (fused), a degree-5 polynomial in r, times 2^(n−1), times 2, so that
// 2^n itself never has to be representable. Inputs below ln FLT_MIN give 0.
func expLane(x float32) float32 {
	under := x < expLnFltMin
	x = max(min(x, expLnFltMax), expLnFltMin)
	fx := float32(math.Floor(float64(float32(float32(x*expLog2e) + 0.5))))
	r := fma32(-fx, expLn2, x)
	p := fma32(expP5, r, expP4)
	p = fma32(p, r, expP3)
	p = fma32(p, r, expP2)
	p = fma32(p, r, expP1)
	p = fma32(p, r, 1)
	var pow float32
	if !under {
		pow = math.Float32frombits(uint32(int32(fx-1)+0x7f) << 23)
	}
	return float32(float32(p*pow) * 2)
}

// geluScalar is PyTorch's scalar GELU, x·½·(1 + erf(x/√2)), with the C
// library's float erf taken as the correctly rounded one.
func geluScalar(x float32) float32 {
	const alpha = float32(math.Sqrt2 / 2)
	e := float32(math.Erf(float64(float32(x * alpha))))
	return float32(float32(x*0.5) * float32(1+e))
}

// geluGradScalar is PyTorch's scalar GELU backward, dy·(cdf + x·pdf).
func geluGradScalar(dy, x float32) float32 {
	const alpha = float32(math.Sqrt2 / 2)
	const beta = float32(2 / math.SqrtPi * math.Sqrt2 / 2 / 2)
	e := float32(math.Erf(float64(float32(x * alpha))))
	cdf := float32(0.5 * float32(1+e))
	pdf := float32(beta * float32(math.Exp(float64(float32(float32(x*x)*-0.5)))))
	return float32(dy * float32(cdf+float32(x*pdf)))
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// fma32 is a·b + c rounded once to float32, as a float32 fused multiply-add
// instruction computes it. The product is exact in float64; the sum, when
// inexact there, is nudged off a float32 rounding midpoint so that rounding
// it again to float32 cannot land on the wrong side.
func fma32(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	cc := float64(c)
	s := p + cc
	// TwoSum: the exact error of s.
	bb := s - p
	e := (p - (s - bb)) + (cc - bb)
	if e != 0 && math.Float64bits(s)&(1<<29-1) == 1<<28 {
		s = math.Nextafter(s, math.Copysign(math.Inf(1), e))
	}
	return float32(s)
}
