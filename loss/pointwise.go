package loss

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// kernel evaluates an element-wise loss over whole slices, so that the
// per-element work is a plain loop rather than a function call. For every i
// it computes the loss ℓ(x[i], t[i]) and its derivative ∂ℓ/∂x in float64,
// stores ℓ rounded to float32 in out[i] when out is non-nil and ∂ℓ/∂x in
// grad[i] when grad is non-nil, and returns Σℓ.
type kernel func(x, t, out []float32, grad []float64) float64

// pointwise records an element-wise loss of input against target as one
// autograd operation. The local derivatives are kept in float64 from the
// forward pass, so that the backward pass multiplies each by the seed and
// rounds only once.
func pointwise(op, name string, input *autograd.Var, target *tensor.Tensor, r Reduction, k kernel) *autograd.Var {
	r.check(op)
	if !tensor.SameShape(input.Value, target) {
		panic(&tensor.ShapeError{Op: "loss." + op, Detail: "input and target shapes differ", Shapes: [][]int{input.Value.Shape(), target.Shape()}})
	}
	x, t := input.Value.Data(), target.Data()
	n := len(x)
	var grad []float64
	if input.RequiresGrad() {
		grad = make([]float64, n)
	}
	var value *tensor.Tensor
	if r == None {
		value = tensor.Zeros(input.Value.Shape()...)
		k(x, t, value.Data(), grad)
	} else {
		value = tensor.Scalar(reduced(r, k(x, t, nil, grad), n))
	}
	return autograd.New(name, value, func(g *tensor.Tensor) {
		dst, gd := input.GradData(), g.Data()
		if r == None {
			for i, d := range grad {
				dst[i] += float32(d * float64(gd[i]))
			}
			return
		}
		s := seedScale(r, gd[0], n)
		for i, d := range grad {
			dst[i] += float32(d * s)
		}
	}, input)
}

// MSE returns the mean squared error ℓ = (x − t)², as
// torch.nn.functional.mse_loss. input and target have the same shape; the
// result is a scalar, or has input's shape for None. The gradient is
// 2(x − t), scaled by the reduction.
func MSE(input *autograd.Var, target *tensor.Tensor, r Reduction) *autograd.Var {
	return pointwise("MSE", "mse", input, target, r, mseKernel)
}

func mseKernel(x, t, out []float32, grad []float64) float64 {
	t = t[:len(x)]
	var s float64
	for i, xv := range x {
		d := float64(xv) - float64(t[i])
		l := d * d
		s += l
		if out != nil {
			out[i] = float32(l)
		}
		if grad != nil {
			grad[i] = 2 * d
		}
	}
	return s
}

// L1 returns the mean absolute error ℓ = |x − t|, as
// torch.nn.functional.l1_loss. input and target have the same shape; the
// result is a scalar, or has input's shape for None. The gradient is
// sign(x − t), 0 where x = t, as in PyTorch.
func L1(input *autograd.Var, target *tensor.Tensor, r Reduction) *autograd.Var {
	return pointwise("L1", "l1", input, target, r, l1Kernel)
}

func l1Kernel(x, t, out []float32, grad []float64) float64 {
	t = t[:len(x)]
	var s float64
	for i, xv := range x {
		d := float64(xv) - float64(t[i])
		l := math.Abs(d)
		s += l
		if out != nil {
			out[i] = float32(l)
		}
		if grad != nil {
			g := 0.0
			if d > 0 {
				g = 1
			} else if d < 0 {
				g = -1
			}
			grad[i] = g
		}
	}
	return s
}

// Huber returns the Huber loss with threshold delta, as
// torch.nn.functional.huber_loss: with d = x − t,
//
//	ℓ = ½d²                    if |d| < delta
//	ℓ = delta·(|d| − ½delta)   otherwise
//
// quadratic near the target and linear (with slope ±delta) beyond it.
// PyTorch's default delta is 1. input and target have the same shape; the
// result is a scalar, or has input's shape for None. The gradient is d
// clamped to [−delta, delta]. Huber panics unless delta > 0, as PyTorch
// rejects it.
func Huber(input *autograd.Var, target *tensor.Tensor, delta float64, r Reduction) *autograd.Var {
	if !(delta > 0) {
		panic(fmt.Errorf("loss.Huber: delta must be > 0, got %v", delta))
	}
	return pointwise("Huber", "huber", input, target, r, func(x, t, out []float32, grad []float64) float64 {
		t = t[:len(x)]
		var s float64
		for i, xv := range x {
			d := float64(xv) - float64(t[i])
			a := math.Abs(d)
			l := 0.5 * d * d
			if !(a < delta) {
				l = delta * (a - 0.5*delta)
			}
			s += l
			if out != nil {
				out[i] = float32(l)
			}
			if grad != nil {
				g := d
				if d <= -delta {
					g = -delta
				} else if d >= delta {
					g = delta
				}
				grad[i] = g
			}
		}
		return s
	})
}

// SmoothL1 returns the smooth L1 loss with threshold beta, as
// torch.nn.functional.smooth_l1_loss: with d = x − t,
//
//	ℓ = ½d²/beta      if |d| < beta
//	ℓ = |d| − ½beta   otherwise
//
// It equals Huber(delta = beta) divided by beta; beta = 0 gives exactly L1
// (PyTorch dispatches to l1_loss there, so the gradient at d = 0 is 0).
// PyTorch's default beta is 1. input and target have the same shape; the
// result is a scalar, or has input's shape for None. The gradient is d/beta
// clamped to [−1, 1]. SmoothL1 panics if beta < 0, as PyTorch rejects it.
func SmoothL1(input *autograd.Var, target *tensor.Tensor, beta float64, r Reduction) *autograd.Var {
	if !(beta >= 0) {
		panic(fmt.Errorf("loss.SmoothL1: beta must be >= 0, got %v", beta))
	}
	if beta == 0 {
		return pointwise("SmoothL1", "smooth_l1", input, target, r, l1Kernel)
	}
	return pointwise("SmoothL1", "smooth_l1", input, target, r, func(x, t, out []float32, grad []float64) float64 {
		t = t[:len(x)]
		var s float64
		for i, xv := range x {
			d := float64(xv) - float64(t[i])
			a := math.Abs(d)
			l := 0.5 * d * d / beta
			if !(a < beta) {
				l = a - 0.5*beta
			}
			s += l
			if out != nil {
				out[i] = float32(l)
			}
			if grad != nil {
				g := d / beta
				if d <= -beta {
					g = -1
				} else if d >= beta {
					g = 1
				}
				grad[i] = g
			}
		}
		return s
	})
}

// BCE returns the binary cross-entropy of probabilities, as
// torch.nn.functional.binary_cross_entropy:
//
//	ℓ = −(t·max(log p, −100) + (1 − t)·max(log(1 − p), −100))
//
// The logarithms are clamped at −100 as in PyTorch, so p = 0 or 1 gives a
// finite loss. input (p) and target (t) have the same shape, p in [0, 1];
// the result is a scalar, or has input's shape for None. The gradient is
// PyTorch's (p − t)/max(p(1 − p), 1e-12), which ignores the clamp and so
// stays large rather than vanishing at p = 0 or 1.
//
// BCE panics if some p lies outside [0, 1], as PyTorch rejects it; a NaN
// passes through to a NaN loss, so that a diverged model shows as a NaN
// loss rather than a crash. Prefer BCEWithLogits, which is stable for any
// logit.
func BCE(input *autograd.Var, target *tensor.Tensor, r Reduction) *autograd.Var {
	return pointwise("BCE", "bce", input, target, r, bceKernel)
}

func bceKernel(x, t, out []float32, grad []float64) float64 {
	t = t[:len(x)]
	var s float64
	for i, xv := range x {
		if xv < 0 || xv > 1 {
			panic(fmt.Errorf("loss.BCE: input[%d] = %v is not a probability in [0, 1]", i, xv))
		}
		p, y := float64(xv), float64(t[i])
		l := (y-1)*math.Max(math.Log1p(-p), -100) - y*math.Max(math.Log(p), -100)
		s += l
		if out != nil {
			out[i] = float32(l)
		}
		if grad != nil {
			grad[i] = (p - y) / math.Max((1-p)*p, 1e-12)
		}
	}
	return s
}

// BCEWithLogits returns the binary cross-entropy of sigmoid(x), as
// torch.nn.functional.binary_cross_entropy_with_logits, computed without
// forming the sigmoid:
//
//	ℓ = (1 − t)·x + max(−x, 0) + log(1 + e^−|x|)
//
// which is PyTorch's (1 − t)x + m + log(e^−m + e^(−x−m)), m = max(−x, 0),
// and stays finite for logits of any size. input (x) and target (t) have
// the same shape; the result is a scalar, or has input's shape for None.
// The gradient is sigmoid(x) − t.
func BCEWithLogits(input *autograd.Var, target *tensor.Tensor, r Reduction) *autograd.Var {
	return pointwise("BCEWithLogits", "bce_with_logits", input, target, r, bceLogitsKernel)
}

func bceLogitsKernel(x, t, out []float32, grad []float64) float64 {
	t = t[:len(x)]
	var s float64
	for i, xv := range x {
		z, y := float64(xv), float64(t[i])
		e := math.Exp(-math.Abs(z))
		l := (1-y)*z + math.Max(-z, 0) + math.Log1p(e)
		s += l
		if out != nil {
			out[i] = float32(l)
		}
		if grad != nil {
			sig := 1 / (1 + e)
			if z < 0 {
				sig = e / (1 + e)
			}
			grad[i] = sig - y
		}
	}
	return s
}
