package optim

import (
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// AdagradConfig holds the hyperparameters of Adagrad under PyTorch's names.
// Its zero value is not PyTorch's default: start from DefaultAdagradConfig.
type AdagradConfig struct {
	LR                      float64 // learning rate, ≥ 0
	LRDecay                 float64 // learning-rate decay per step, ≥ 0
	WeightDecay             float64 // L2 penalty, ≥ 0
	InitialAccumulatorValue float64 // starting value of the squared-gradient sum, ≥ 0
	Eps                     float64 // added to the denominator, > 0
	Maximize                bool    // ascend the objective instead of descending
}

// DefaultAdagradConfig returns torch.optim.Adagrad's defaults: lr 1e-2, no
// lr decay or weight decay, initial accumulator 0, eps 1e-10, minimizing.
func DefaultAdagradConfig() AdagradConfig {
	return AdagradConfig{LR: 1e-2, Eps: 1e-10}
}

// Adagrad is torch.optim.Adagrad. For each parameter p with gradient g, its
// own step count t:
//
//	t = t + 1
//	g = −g                                 if maximize
//	g = g + weight_decay·p                 if weight_decay ≠ 0
//	clr = lr / (1 + (t−1)·lr_decay)
//	sum = sum + g²
//	p = p − clr·g/(√sum + eps)
//
// Unlike the other optimizers, every parameter has state from the start,
// with sum = initial_accumulator_value and t = 0, as in PyTorch: its state
// is "<i>.step" and "<i>.sum" for every i.
type Adagrad struct {
	base
	c  AdagradConfig
	st slots
}

// NewAdagrad returns an Adagrad optimizer over params. It rejects a
// negative lr, lr decay, weight decay or initial accumulator value and
// eps ≤ 0.
func NewAdagrad(params []*autograd.Var, c AdagradConfig) (*Adagrad, error) {
	const name = "adagrad"
	b, err := newBase(name, params, c.LR)
	if err != nil {
		return nil, err
	}
	err = firstErr(
		check(name, "lr_decay", c.LRDecay, c.LRDecay >= 0, "lr_decay ≥ 0"),
		check(name, "weight_decay", c.WeightDecay, c.WeightDecay >= 0, "weight_decay ≥ 0"),
		check(name, "initial_accumulator_value", c.InitialAccumulatorValue, c.InitialAccumulatorValue >= 0, "initial_accumulator_value ≥ 0"),
		check(name, "eps", c.Eps, c.Eps > 0, "eps > 0"),
	)
	if err != nil {
		return nil, err
	}
	a := &Adagrad{base: b, c: c, st: newSlots(len(params), true, "sum")}
	a.fill()
	return a, nil
}

// fill gives every parameter without state its initial state.
func (a *Adagrad) fill() {
	init := float32(a.c.InitialAccumulatorValue)
	for i, p := range a.params {
		if a.st.ensure(i, p.Value.Len()) && init != 0 {
			sum := a.st.bufs[0][i]
			for j := range sum {
				sum[j] = init
			}
		}
	}
}

// Config returns the hyperparameters, with the current learning rate.
func (a *Adagrad) Config() AdagradConfig {
	c := a.c
	c.LR = a.lr
	return c
}

// Step applies one Adagrad update to every parameter that has a gradient.
func (a *Adagrad) Step() {
	eps := float32(a.c.Eps)
	decay, wd := a.c.WeightDecay != 0, float32(a.c.WeightDecay)
	maximize := a.c.Maximize
	for i := range a.params {
		p, g := a.grad(i)
		if g == nil {
			continue
		}
		a.st.steps[i]++
		t := float64(a.st.steps[i])
		negCLR := float32(-a.lr / (1 + (t-1)*a.c.LRDecay))
		sum := a.st.bufs[0][i][:len(p)]
		for j, gj := range g {
			if maximize {
				gj = -gj
			}
			if decay {
				gj = fma32(wd, p[j], gj)
			}
			sum[j] = fma32(gj, gj, sum[j])
			p[j] += float32(negCLR*gj) / (sqrt32(sum[j]) + eps)
		}
	}
}

// State returns a copy of the step counts and squared-gradient sums.
func (a *Adagrad) State() map[string]*tensor.Tensor { return a.st.export(a.params) }

// LoadState replaces the step counts and squared-gradient sums with a copy
// of m; parameters absent from m get their initial state.
func (a *Adagrad) LoadState(m map[string]*tensor.Tensor) error {
	if err := a.st.load(a.name, a.params, m); err != nil {
		return err
	}
	a.fill()
	return nil
}
