package activation

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
)

// SELU's constants, from Klambauer et al. (2017) with PyTorch's digits.
const (
	seluAlpha = 1.6732632423543772848170429916717
	seluScale = 1.0507009873554804934193349852946
)

// sleefTanhCutoff is where the float32 tanh of the SLEEF library, which
// PyTorch's vectorised CPU kernels call, returns ±1 outright.
const sleefTanhCutoff = 8.664339742

const (
	geluTanhBeta = 0.79788456080286535587989211986876373695171726232986 // √(2/π)
	geluTanhK    = 0.044715
)

// GELUApprox selects how GELU evaluates the Gaussian CDF, as PyTorch's
// approximate argument does.
type GELUApprox string

const (
	// GELUNone uses the exact CDF through erf: PyTorch's default.
	GELUNone GELUApprox = "none"
	// GELUTanh uses the tanh approximation of Hendrycks and Gimpel.
	GELUTanh GELUApprox = "tanh"
)

// Identity returns x itself: y = x, so the gradient passes unchanged.
func Identity(x *autograd.Var) *autograd.Var { return x }

// ReLU returns max(x, 0) element-wise. Its gradient is 1 for x > 0 and 0
// otherwise, so ReLU'(0) = 0 as in PyTorch.
func ReLU(x *autograd.Var) *autograd.Var { return pointwiseVar(x, "relu", &ReLULayer{}) }

// LeakyReLU returns x for x > 0 and negativeSlope·x otherwise. The test is
// x > 0, as in PyTorch, so the gradient at 0 is negativeSlope.
func LeakyReLU(x *autograd.Var, negativeSlope float64) *autograd.Var {
	return pointwiseVar(x, "leaky_relu", &LeakyReLULayer{NegativeSlope: negativeSlope})
}

// ELU returns x for x > 0 and alpha·(eˣ − 1) otherwise. The gradient for
// x ≤ 0 is alpha·eˣ, so it is alpha at 0, as in PyTorch.
func ELU(x *autograd.Var, alpha float64) *autograd.Var {
	return elu(x, "elu", alpha, 1, 1)
}

// SELU returns scale·x for x > 0 and scale·α·(eˣ − 1) otherwise, with
// α ≈ 1.6733 and scale ≈ 1.0507, the self-normalising constants. The
// gradient at 0 is scale·α, from the x ≤ 0 branch.
func SELU(x *autograd.Var) *autograd.Var {
	return elu(x, "selu", seluAlpha, seluScale, 1)
}

// CELU returns x for x > 0 and alpha·(e^(x/alpha) − 1) otherwise. The
// gradient for x ≤ 0 is e^(x/alpha), so it is 1 at 0. It panics if alpha
// is 0.
func CELU(x *autograd.Var, alpha float64) *autograd.Var {
	if alpha == 0 {
		panic("activation: CELU: alpha must not be 0")
	}
	return elu(x, "celu", alpha, 1, 1/alpha)
}

// elu is PyTorch's shared ELU kernel: scale·x for x > 0, and
// scale·alpha·(e^(x·inputScale) − 1) for x ≤ 0. expm1 keeps small negative
// inputs accurate.
func elu(x *autograd.Var, op string, alpha, scale, inputScale float64) *autograd.Var {
	neg := scale * alpha
	negGrad := neg * inputScale
	return autograd.Unary(x, op, func(v float64) float64 {
		if v > 0 {
			return scale * v
		}
		return neg * math.Expm1(v*inputScale)
	}, func(v, _ float64) float64 {
		if v > 0 {
			return scale
		}
		return negGrad * math.Exp(v*inputScale)
	})
}

// GELU returns x·Φ(x), with Φ the standard normal CDF. With GELUTanh, Φ(x)
// is approximated by ½(1 + tanh(√(2/π)(x + 0.044715x³))), and the gradient
// is evaluated in float32 exactly as PyTorch does, because below x ≈ −4 its
// value is mostly float32 rounding. It panics if approximate is neither
// GELUNone nor GELUTanh.
func GELU(x *autograd.Var, approximate GELUApprox) *autograd.Var {
	if approximate != GELUNone && approximate != GELUTanh {
		panic(fmt.Sprintf("activation: GELU: approximate must be %q or %q, got %q", GELUNone, GELUTanh, string(approximate)))
	}
	return pointwiseVar(x, "gelu", &GELULayer{Approximate: approximate})
}

// geluTanhGrad32 is the derivative of the tanh form of GELU evaluated in
// float32, step by step in the order of PyTorch's CPU kernel. For x below
// about −4 the derivative is under 1e-5 and PyTorch's value of it is
// dominated by the float32 rounding of 1 − tanh²u: the exact derivative
// differs from PyTorch's by up to 5e-7 per unit of upstream gradient there,
// more than a 1e-6 tolerance absorbs. Elsewhere the two agree to a few
// ulps. The float32 conversions keep every step rounded, so no platform
// fuses them into FMAs, and tanh saturates where PyTorch's vectorised
// float32 tanh (SLEEF's) does.
func geluTanhGrad32(x float32) float32 {
	const (
		beta  = float32(geluTanhBeta)
		kappa = float32(geluTanhK)
	)
	xSq := float32(x * x)
	xCube := float32(xSq * x)
	inner := float32(beta * float32(x+float32(kappa*xCube)))
	t := float32(math.Tanh(float64(inner)))
	if math.Abs(float64(inner)) > sleefTanhCutoff {
		t = float32(math.Copysign(1, float64(inner)))
	}
	leftD := float32(0.5 * float32(1+t))
	tanhD := float32(1 - float32(t*t))
	if tanhD == 0 {
		// Skipping the right-hand term avoids 0·∞ once x² overflows.
		return leftD
	}
	innerD := float32(beta * float32(1+float32(float32(3*kappa)*xSq)))
	return leftD + float32(float32(float32(0.5*x)*tanhD)*innerD)
}

// Sigmoid returns σ(x) = 1/(1 + e⁻ˣ) element-wise, without overflow for
// large |x|.
func Sigmoid(x *autograd.Var) *autograd.Var { return pointwiseVar(x, "sigmoid", &SigmoidLayer{}) }

// Tanh returns tanh(x) element-wise.
func Tanh(x *autograd.Var) *autograd.Var { return pointwiseVar(x, "tanh", &TanhLayer{}) }

// Softplus returns log(1 + e^(beta·x))/beta element-wise, and x itself
// where beta·x > threshold, as PyTorch does (there the gradient is 1). It
// panics if beta is 0.
func Softplus(x *autograd.Var, beta, threshold float64) *autograd.Var {
	if beta == 0 {
		panic("activation: Softplus: beta must not be 0")
	}
	b32, t32 := float32(beta), float32(threshold)
	// PyTorch compares the float32 product with the float32 threshold;
	// doing the same keeps the switch-over at the same inputs.
	linear := func(v float64) bool { return float32(float32(v)*b32) > t32 }
	return autograd.Unary(x, "softplus", func(v float64) float64 {
		if linear(v) {
			return v
		}
		return softplus(beta*v) / beta
	}, func(v, _ float64) float64 {
		if linear(v) {
			return 1
		}
		s, _ := sigmoidPair(beta * v)
		return s
	})
}

// Softsign returns x/(1 + |x|) element-wise.
func Softsign(x *autograd.Var) *autograd.Var {
	return autograd.Unary(x, "softsign", func(v float64) float64 {
		return v / (1 + math.Abs(v))
	}, func(v, _ float64) float64 {
		d := 1 + math.Abs(v)
		return 1 / (d * d)
	})
}

// SiLU returns x·σ(x) element-wise (also called swish).
func SiLU(x *autograd.Var) *autograd.Var {
	return autograd.Unary(x, "silu", func(v float64) float64 {
		s, _ := sigmoidPair(v)
		return v * s
	}, func(v, _ float64) float64 {
		s, sn := sigmoidPair(v)
		return s + v*s*sn
	})
}

// Mish returns x·tanh(softplus(x)) element-wise.
func Mish(x *autograd.Var) *autograd.Var {
	return autograd.Unary(x, "mish", func(v float64) float64 {
		return v * math.Tanh(softplus(v))
	}, func(v, _ float64) float64 {
		t := math.Tanh(softplus(v))
		s, _ := sigmoidPair(v)
		return t + v*s*(1-t*t)
	})
}

// Hardtanh clamps x to [minVal, maxVal]. Only inputs strictly inside the
// interval pass a gradient: it is 0 at the bounds, as in PyTorch. It
// panics unless minVal < maxVal.
func Hardtanh(x *autograd.Var, minVal, maxVal float64) *autograd.Var {
	if !(minVal < maxVal) {
		panic(fmt.Sprintf("activation: Hardtanh: min_val (%g) must be below max_val (%g)", minVal, maxVal))
	}
	return hardtanh(x, "hardtanh", minVal, maxVal)
}

// ReLU6 returns min(max(x, 0), 6): Hardtanh(x, 0, 6), so its gradient is 0
// at both 0 and 6.
func ReLU6(x *autograd.Var) *autograd.Var { return hardtanh(x, "relu6", 0, 6) }

func hardtanh(x *autograd.Var, op string, minVal, maxVal float64) *autograd.Var {
	// The bounds take float32 precision, as PyTorch converts them.
	lo, hi := f32(minVal), f32(maxVal)
	return autograd.Unary(x, op, func(v float64) float64 {
		return math.Min(math.Max(v, lo), hi)
	}, func(v, _ float64) float64 {
		if v > lo && v < hi {
			return 1
		}
		return 0
	})
}

// Hardsigmoid returns min(max(x + 3, 0), 6)/6, a piecewise-linear sigmoid.
// Its gradient is 1/6 for −3 < x < 3 and 0 elsewhere, including ±3.
func Hardsigmoid(x *autograd.Var) *autograd.Var {
	return autograd.Unary(x, "hardsigmoid", func(v float64) float64 {
		return math.Min(math.Max(v+3, 0), 6) / 6
	}, func(v, _ float64) float64 {
		if v > -3 && v < 3 {
			return 1.0 / 6
		}
		return 0
	})
}

// Hardswish returns x·min(max(x + 3, 0), 6)/6. The gradient is 0 for
// x < −3, x/3 + ½ for −3 ≤ x < 3 and 1 from 3 on: so −½ at −3 and 1 at 3.
// At 3 this is what PyTorch's vectorised CPU kernel computes, and so what
// it returns for all but the last few elements of a tensor; its scalar
// tail loop alone would give 1.5.
func Hardswish(x *autograd.Var) *autograd.Var {
	return autograd.Unary(x, "hardswish", func(v float64) float64 {
		return v * math.Min(math.Max(v+3, 0), 6) / 6
	}, func(v, _ float64) float64 {
		switch {
		case v < -3:
			return 0
		case v < 3:
			return v/3 + 0.5
		}
		return 1
	})
}

// LogSigmoid returns log σ(x) = min(x, 0) − log(1 + e^(−|x|)), which never
// overflows and keeps its precision for large |x|.
func LogSigmoid(x *autograd.Var) *autograd.Var {
	return autograd.Unary(x, "logsigmoid", func(v float64) float64 {
		return math.Min(v, 0) - math.Log1p(math.Exp(-math.Abs(v)))
	}, func(v, _ float64) float64 {
		_, sn := sigmoidPair(v)
		return sn
	})
}

// Tanhshrink returns x − tanh(x) element-wise.
func Tanhshrink(x *autograd.Var) *autograd.Var {
	return autograd.Unary(x, "tanhshrink", func(v float64) float64 {
		return v - math.Tanh(v)
	}, func(v, _ float64) float64 {
		t := math.Tanh(v)
		return t * t
	})
}

// Softshrink returns x − lambd for x > lambd, x + lambd for x < −lambd and
// 0 in between. The gradient is 0 for −lambd ≤ x ≤ lambd, bounds included.
// It panics if lambd is negative.
func Softshrink(x *autograd.Var, lambd float64) *autograd.Var {
	if !(lambd >= 0) {
		panic(fmt.Sprintf("activation: Softshrink: lambd must be >= 0, got %g", lambd))
	}
	l := f32(lambd)
	return autograd.Unary(x, "softshrink", func(v float64) float64 {
		switch {
		case v > l:
			return v - l
		case v < -l:
			return v + l
		}
		return 0
	}, func(v, _ float64) float64 { return shrinkMask(v, l) })
}

// Hardshrink returns x where |x| > lambd and 0 for −lambd ≤ x ≤ lambd; the
// gradient has the same mask. It panics if lambd is negative.
func Hardshrink(x *autograd.Var, lambd float64) *autograd.Var {
	if !(lambd >= 0) {
		panic(fmt.Sprintf("activation: Hardshrink: lambd must be >= 0, got %g", lambd))
	}
	l := f32(lambd)
	return autograd.Unary(x, "hardshrink", func(v float64) float64 {
		if shrinkMask(v, l) == 0 {
			return 0
		}
		return v
	}, func(v, _ float64) float64 { return shrinkMask(v, l) })
}

// shrinkMask is 1 outside [−l, l] and 0 inside, bounds included.
func shrinkMask(v, l float64) float64 {
	if v >= -l && v <= l {
		return 0
	}
	return 1
}

// Softmax returns exp(x)/Σexp(x) along dim (negative dims count from the
// end), computed stably so that logits of 1e4 stay finite.
func Softmax(x *autograd.Var, dim int) *autograd.Var { return autograd.Softmax(x, dim) }

// LogSoftmax returns x − log Σexp(x) along dim (negative dims count from
// the end), computed stably.
func LogSoftmax(x *autograd.Var, dim int) *autograd.Var { return autograd.LogSoftmax(x, dim) }

// sigmoidPair returns σ(v) and σ(−v) = 1 − σ(v), each computed without
// cancellation or overflow.
func sigmoidPair(v float64) (s, sn float64) {
	if v >= 0 {
		e := math.Exp(-v)
		return 1 / (1 + e), e / (1 + e)
	}
	e := math.Exp(v)
	return e / (1 + e), 1 / (1 + e)
}

// softplus returns log(1 + eᵛ) without overflow.
func softplus(v float64) float64 {
	return math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v)))
}

// f32 rounds v to float32 precision, the precision PyTorch gives scalar
// parameters of float32 kernels.
func f32(v float64) float64 { return float64(float32(v)) }
