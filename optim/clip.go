package optim

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
)

// ClipGradNorm scales the gradients of params in place so that their
// combined normType-norm is at most maxNorm, as torch.nn.utils.clip_grad_norm_,
// and returns the norm they had before. Parameters without a gradient are
// ignored; with none at all it returns 0.
//
//	total = ‖(‖g₁‖, ‖g₂‖, ...)‖          (max |gᵢⱼ| for normType = +Inf)
//	coef = maxNorm / (total + 1e-6)
//	g = g·coef                            if coef < 1
//
// normType is p > 0 or math.Inf(1). As in PyTorch, a gradient holding NaN or
// ±Inf makes the total non-finite and every gradient NaN or 0 afterwards;
// check the returned norm to skip such a step. It panics if maxNorm is
// negative or NaN, or normType is not > 0.
func ClipGradNorm(params []*autograd.Var, maxNorm, normType float64) float64 {
	if !(maxNorm >= 0) {
		panic(fmt.Sprintf("optim: ClipGradNorm: maxNorm = %v, want ≥ 0", maxNorm))
	}
	if !(normType > 0) {
		panic(fmt.Sprintf("optim: ClipGradNorm: normType = %v, want > 0 or +Inf", normType))
	}
	// Each gradient's norm is rounded to float32 before they are combined,
	// as PyTorch stacks per-tensor float32 norms.
	var total float32
	found := false
	if math.IsInf(normType, 1) {
		for _, p := range params {
			if p.Grad == nil {
				continue
			}
			var m float32
			for _, g := range p.Grad.Data() {
				a := float32(math.Abs(float64(g)))
				if a > m || a != a {
					m = a
				}
			}
			if !found || m > total || m != m {
				total = m
			}
			found = true
		}
	} else {
		var s float64
		for _, p := range params {
			if p.Grad == nil {
				continue
			}
			found = true
			s = addPower(s, pNorm(p.Grad.Data(), normType), normType)
		}
		total = root(s, normType)
	}
	if !found {
		return 0
	}
	// PyTorch computes max_norm/(total+1e-6) as a float32 reciprocal times
	// max_norm, which rounds differently from a division.
	coef := (1 / (total + 1e-6)) * float32(maxNorm)
	if coef < 1 || coef != coef {
		for _, p := range params {
			if p.Grad == nil {
				continue
			}
			g := p.Grad.Data()
			for j := range g {
				g[j] *= coef
			}
		}
	}
	return float64(total)
}

// pNorm returns the p-norm of x, accumulated in float64 and rounded to
// float32.
func pNorm(x []float32, p float64) float32 {
	var s float64
	for _, v := range x {
		s = addPower(s, v, p)
	}
	return root(s, p)
}

// addPower returns s + |v|^p.
func addPower(s float64, v float32, p float64) float64 {
	a := math.Abs(float64(v))
	switch p {
	case 1:
		return s + a
	case 2:
		return s + a*a
	}
	return s + math.Pow(a, p)
}

// root returns s^(1/p) rounded to float32.
func root(s, p float64) float32 {
	switch p {
	case 1:
		return float32(s)
	case 2:
		return float32(math.Sqrt(s))
	}
	return float32(math.Pow(s, 1/p))
}

// ClipGradValue clamps every gradient element of params into [−clip, clip]
// in place, as torch.nn.utils.clip_grad_value_. NaN elements stay NaN and
// parameters without a gradient are ignored. It panics if clip is negative
// or NaN.
func ClipGradValue(params []*autograd.Var, clip float64) {
	if !(clip >= 0) {
		panic(fmt.Sprintf("optim: ClipGradValue: clip = %v, want ≥ 0", clip))
	}
	hi := float32(clip)
	lo := -hi
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		g := p.Grad.Data()
		for j, v := range g {
			if v < lo {
				g[j] = lo
			} else if v > hi {
				g[j] = hi
			}
		}
	}
}
