package optim

import (
	"github.com/bigfunc/bigfunc/internal/kernel"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// AdamConfig holds the hyperparameters of Adam and AdamW under PyTorch's
// names. Its zero value is not PyTorch's default: start from
// DefaultAdamConfig or DefaultAdamWConfig and change what differs.
type AdamConfig struct {
	LR          float64    // learning rate, ≥ 0
	Betas       [2]float64 // decay rates of the moment estimates, each in [0, 1)
	Eps         float64    // added to the denominator, > 0
	WeightDecay float64    // L2 penalty (Adam) or decoupled decay (AdamW), ≥ 0
	AMSGrad     bool       // use the running maximum of the second moment
	Maximize    bool       // ascend the objective instead of descending
}

// DefaultAdamConfig returns torch.optim.Adam's defaults: lr 1e-3, betas
// (0.9, 0.999), eps 1e-8, no weight decay, no AMSGrad, minimizing.
func DefaultAdamConfig() AdamConfig {
	return AdamConfig{LR: 1e-3, Betas: [2]float64{0.9, 0.999}, Eps: 1e-8}
}

// DefaultAdamWConfig returns torch.optim.AdamW's defaults: those of Adam
// with weight decay 1e-2.
func DefaultAdamWConfig() AdamConfig {
	c := DefaultAdamConfig()
	c.WeightDecay = 1e-2
	return c
}

// Adam is the Adam optimizer with L2 weight decay folded into the gradient,
// as torch.optim.Adam. For each parameter p with gradient g, its own step
// count t:
//
//	t = t + 1
//	g = −g                                 if maximize
//	g = g + weight_decay·p                 if weight_decay ≠ 0
//	m = β₁·m + (1−β₁)·g
//	v = β₂·v + (1−β₂)·g²
//	v_max = max(v_max, v)                  if amsgrad (and then v = v_max below)
//	denom = √v / √(1−β₂ᵗ) + eps
//	p = p − lr/(1−β₁ᵗ) · m/denom
//
// Its state is "<i>.step", "<i>.exp_avg", "<i>.exp_avg_sq" and, with
// AMSGrad, "<i>.max_exp_avg_sq".
type Adam struct{ adam }

// AdamW is Adam with decoupled weight decay, as torch.optim.AdamW. For each
// parameter p with gradient g, its own step count t:
//
//	t = t + 1
//	g = −g                                 if maximize
//	p = p·(1 − lr·weight_decay)
//	m = β₁·m + (1−β₁)·g
//	v = β₂·v + (1−β₂)·g²
//	v_max = max(v_max, v)                  if amsgrad (and then v = v_max below)
//	denom = √v / √(1−β₂ᵗ) + eps
//	p = p − lr/(1−β₁ᵗ) · m/denom
//
// Its state keys are those of Adam.
type AdamW struct{ adam }

// adam implements both Adam and AdamW.
type adam struct {
	base
	c         AdamConfig
	decoupled bool
	st        slots
}

// NewAdam returns an Adam optimizer over params. It rejects a negative lr
// or weight decay, a beta outside [0, 1) and eps ≤ 0.
func NewAdam(params []*autograd.Var, c AdamConfig) (*Adam, error) {
	a, err := newAdam("adam", params, c, false)
	if err != nil {
		return nil, err
	}
	return &Adam{a}, nil
}

// NewAdamW returns an AdamW optimizer over params. It rejects what NewAdam
// rejects.
func NewAdamW(params []*autograd.Var, c AdamConfig) (*AdamW, error) {
	a, err := newAdam("adamw", params, c, true)
	if err != nil {
		return nil, err
	}
	return &AdamW{a}, nil
}

func newAdam(name string, params []*autograd.Var, c AdamConfig, decoupled bool) (adam, error) {
	b, err := newBase(name, params, c.LR)
	if err != nil {
		return adam{}, err
	}
	b0, b1 := c.Betas[0], c.Betas[1]
	err = firstErr(
		check(name, "betas[0]", b0, b0 >= 0 && b0 < 1, "0 ≤ beta < 1"),
		check(name, "betas[1]", b1, b1 >= 0 && b1 < 1, "0 ≤ beta < 1"),
		check(name, "eps", c.Eps, c.Eps > 0, "eps > 0"),
		check(name, "weight_decay", c.WeightDecay, c.WeightDecay >= 0, "weight_decay ≥ 0"),
	)
	if err != nil {
		return adam{}, err
	}
	a := adam{base: b, c: c, decoupled: decoupled}
	if c.AMSGrad {
		a.st = newSlots(len(params), true, "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
	} else {
		a.st = newSlots(len(params), true, "exp_avg", "exp_avg_sq")
	}
	return a, nil
}

// Config returns the hyperparameters, with the current learning rate.
func (a *adam) Config() AdamConfig {
	c := a.c
	c.LR = a.lr
	return c
}

// Step applies one update to every parameter that has a gradient.
func (a *adam) Step() {
	beta1, beta2 := a.c.Betas[0], a.c.Betas[1]
	b1, b2 := float32(beta1), float32(beta2)
	c1, c2 := float32(1-beta1), float32(1-beta2)
	eps := float32(a.c.Eps)
	decay, wd := a.c.WeightDecay != 0 && !a.decoupled, float32(a.c.WeightDecay)
	shrink := float32(1 - a.lr*a.c.WeightDecay)
	maximize := a.c.Maximize
	for i := range a.params {
		p, g := a.grad(i)
		if g == nil {
			continue
		}
		a.st.ensure(i, len(p))
		a.st.steps[i]++
		// Bias corrections are computed in float64 from the float32 step,
		// as PyTorch does with step.item().
		t := float64(a.st.steps[i])
		negStep := float32(-a.lr / (1 - math.Pow(beta1, t)))
		bc2 := float32(math.Sqrt(1 - math.Pow(beta2, t)))
		m := a.st.bufs[0][i][:len(p)]
		v := a.st.bufs[1][i][:len(p)]
		var vmax []float32
		if a.c.AMSGrad {
			vmax = a.st.bufs[2][i][:len(p)]
		}
		if a.decoupled && a.c.WeightDecay != 0 {
			for j := range p {
				p[j] *= shrink
			}
		}
		if !maximize && !decay && vmax == nil {
			kernel.Adam(p, g, m, v, c1, b1, c2, b2, bc2, eps, negStep)
			continue
		}
		for j, gj := range g {
			if maximize {
				gj = -gj
			}
			if decay {
				gj = fma32(wd, p[j], gj)
			}
			m[j] = fma32(c1, gj, float32(m[j]*b1))
			v[j] = fma32(c2*gj, gj, float32(v[j]*b2))
			vj := v[j]
			if vmax != nil {
				// torch.maximum propagates NaN.
				if vj > vmax[j] || vj != vj {
					vmax[j] = vj
				}
				vj = vmax[j]
			}
			denom := sqrt32(vj)/bc2 + eps
			p[j] += float32(negStep*m[j]) / denom
		}
	}
}

// State returns a copy of the step counts and moment estimates.
func (a *adam) State() map[string]*tensor.Tensor { return a.st.export(a.params) }

// LoadState replaces the step counts and moment estimates with a copy of m.
func (a *adam) LoadState(m map[string]*tensor.Tensor) error { return a.st.load(a.name, a.params, m) }
