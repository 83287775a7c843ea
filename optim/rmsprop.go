package optim

import (
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// RMSpropConfig holds the hyperparameters of RMSprop under PyTorch's names.
// Its zero value is not PyTorch's default: start from DefaultRMSpropConfig.
type RMSpropConfig struct {
	LR          float64 // learning rate, ≥ 0
	Alpha       float64 // smoothing constant, in [0, 1]
	Eps         float64 // added to the denominator, > 0
	WeightDecay float64 // L2 penalty, ≥ 0
	Momentum    float64 // momentum factor, ≥ 0
	Centered    bool    // normalise by the estimated variance of the gradient
	Maximize    bool    // ascend the objective instead of descending
}

// DefaultRMSpropConfig returns torch.optim.RMSprop's defaults: lr 1e-2,
// alpha 0.99, eps 1e-8, no weight decay or momentum, not centered,
// minimizing.
func DefaultRMSpropConfig() RMSpropConfig {
	return RMSpropConfig{LR: 1e-2, Alpha: 0.99, Eps: 1e-8}
}

// RMSprop is torch.optim.RMSprop. For each parameter p with gradient g:
//
//	g = −g                                 if maximize
//	g = g + weight_decay·p                 if weight_decay ≠ 0
//	sq = alpha·sq + (1−alpha)·g²
//	if centered:
//	    ga = alpha·ga + (1−alpha)·g
//	    avg = √(sq − ga²) + eps
//	else:
//	    avg = √sq + eps
//	if momentum > 0:
//	    buf = momentum·buf + g/avg
//	    p = p − lr·buf
//	else:
//	    p = p − lr·g/avg
//
// Its state is "<i>.step", "<i>.square_avg", "<i>.momentum_buffer" when
// momentum > 0 and "<i>.grad_avg" when centered. As in PyTorch, the centered
// variance sq − ga² can round below zero when the gradient hardly varies,
// which makes the update NaN.
type RMSprop struct {
	base
	c  RMSpropConfig
	st slots
	// Buffer positions in st; -1 when absent.
	momIdx, avgIdx int
}

// NewRMSprop returns an RMSprop optimizer over params. It rejects a
// negative lr, momentum or weight decay, an alpha outside [0, 1] and
// eps ≤ 0.
func NewRMSprop(params []*autograd.Var, c RMSpropConfig) (*RMSprop, error) {
	const name = "rmsprop"
	b, err := newBase(name, params, c.LR)
	if err != nil {
		return nil, err
	}
	err = firstErr(
		check(name, "alpha", c.Alpha, c.Alpha >= 0 && c.Alpha <= 1, "0 ≤ alpha ≤ 1"),
		check(name, "eps", c.Eps, c.Eps > 0, "eps > 0"),
		check(name, "weight_decay", c.WeightDecay, c.WeightDecay >= 0, "weight_decay ≥ 0"),
		check(name, "momentum", c.Momentum, c.Momentum >= 0, "momentum ≥ 0"),
	)
	if err != nil {
		return nil, err
	}
	r := &RMSprop{base: b, c: c, momIdx: -1, avgIdx: -1}
	names := []string{"square_avg"}
	if c.Momentum > 0 {
		r.momIdx = len(names)
		names = append(names, "momentum_buffer")
	}
	if c.Centered {
		r.avgIdx = len(names)
		names = append(names, "grad_avg")
	}
	r.st = newSlots(len(params), true, names...)
	return r, nil
}

// Config returns the hyperparameters, with the current learning rate.
func (r *RMSprop) Config() RMSpropConfig {
	c := r.c
	c.LR = r.lr
	return c
}

// Step applies one RMSprop update to every parameter that has a gradient.
func (r *RMSprop) Step() {
	alpha, rest := float32(r.c.Alpha), float32(1-r.c.Alpha)
	eps := float32(r.c.Eps)
	decay, wd := r.c.WeightDecay != 0, float32(r.c.WeightDecay)
	mom := float32(r.c.Momentum)
	negLR := float32(-r.lr)
	maximize := r.c.Maximize
	for i := range r.params {
		p, g := r.grad(i)
		if g == nil {
			continue
		}
		r.st.ensure(i, len(p))
		r.st.steps[i]++
		sq := r.st.bufs[0][i][:len(p)]
		var buf, ga []float32
		if r.momIdx >= 0 {
			buf = r.st.bufs[r.momIdx][i][:len(p)]
		}
		if r.avgIdx >= 0 {
			ga = r.st.bufs[r.avgIdx][i][:len(p)]
		}
		for j, gj := range g {
			if maximize {
				gj = -gj
			}
			if decay {
				gj = fma32(wd, p[j], gj)
			}
			sq[j] = fma32(rest*gj, gj, float32(sq[j]*alpha))
			var avg float32
			if ga != nil {
				ga[j] = fma32(rest, gj, float32(ga[j]*alpha))
				avg = sqrt32(fma32(-ga[j], ga[j], sq[j]))
			} else {
				avg = sqrt32(sq[j])
			}
			avg += eps
			if buf != nil {
				buf[j] = float32(buf[j]*mom) + gj/avg
				p[j] = fma32(negLR, buf[j], p[j])
			} else {
				p[j] += float32(negLR*gj) / avg
			}
		}
	}
}

// State returns a copy of the step counts and running averages.
func (r *RMSprop) State() map[string]*tensor.Tensor { return r.st.export(r.params) }

// LoadState replaces the step counts and running averages with a copy of m.
func (r *RMSprop) LoadState(m map[string]*tensor.Tensor) error {
	return r.st.load(r.name, r.params, m)
}
