package gradtest

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Options tunes Check. The zero value picks defaults suited to float32.
type Options struct {
	// Eps is the finite-difference step (default 1e-2: float32 rounding
	// noise grows as the step shrinks).
	Eps float64
	// AbsTol and RelTol bound |analytic − numeric| ≤ AbsTol + RelTol·|numeric|
	// (defaults 1e-2 and 1e-2).
	AbsTol, RelTol float64
	// Seed drives the random weights that reduce a non-scalar output to a
	// scalar.
	Seed uint64
}

// Check evaluates f at inputs, back-propagates, and compares the gradient
// with respect to each input with central differences (f(x+ε) − f(x−ε))/2ε.
// A non-scalar output is first reduced to Σ r⊙f(x) with fixed random r, so
// every output element takes part. Check returns an error naming the first
// input and element that disagree, or nil.
//
// Points where f has a kink (ReLU at 0, for example) have no derivative to
// check; choose inputs away from them.
func Check(f func(in []*autograd.Var) *autograd.Var, inputs []*tensor.Tensor, opt Options) error {
	if opt.Eps == 0 {
		opt.Eps = 1e-2
	}
	if opt.AbsTol == 0 {
		opt.AbsTol = 1e-2
	}
	if opt.RelTol == 0 {
		opt.RelTol = 1e-2
	}
	vars := make([]*autograd.Var, len(inputs))
	for i, t := range inputs {
		vars[i] = autograd.Param(t.Clone())
	}
	out := f(vars)
	weights := tensor.Randn(tensor.NewRNG(opt.Seed), out.Value.Shape()...)
	out.BackwardWith(weights)

	eval := func() float64 {
		// On Consts nothing is recorded.
		consts := make([]*autograd.Var, len(vars))
		for i, v := range vars {
			consts[i] = autograd.Const(v.Value)
		}
		y := f(consts)
		var s float64
		for i, v := range y.Value.Data() {
			s += float64(v) * float64(weights.Data()[i])
		}
		return s
	}
	for i, v := range vars {
		data := v.Value.Data()
		for j := range data {
			var analytic float64
			if v.Grad != nil {
				analytic = float64(v.Grad.Data()[j])
			}
			orig := data[j]
			data[j] = float32(float64(orig) + opt.Eps)
			hi := float64(data[j])
			up := eval()
			data[j] = float32(float64(orig) - opt.Eps)
			lo := float64(data[j])
			down := eval()
			data[j] = orig
			numeric := (up - down) / (hi - lo)
			if diff := math.Abs(analytic - numeric); !(diff <= opt.AbsTol+opt.RelTol*math.Abs(numeric)) {
				return fmt.Errorf("gradtest: input %d element %d: analytic gradient %.6g, numeric %.6g (difference %.3g)", i, j, analytic, numeric, diff)
			}
		}
	}
	return nil
}
