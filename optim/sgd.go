package optim

import (
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/tensor"
)

// SGDConfig holds the hyperparameters of SGD under PyTorch's names. Apart
// from LR, which has no default in PyTorch either, the zero value is
// PyTorch's default: no momentum, dampening or weight decay, minimizing.
type SGDConfig struct {
	LR          float64 // learning rate, ≥ 0; required
	Momentum    float64 // momentum factor, ≥ 0
	Dampening   float64 // dampening of the momentum, in [0, 1]
	WeightDecay float64 // L2 penalty, ≥ 0
	Nesterov    bool    // Nesterov momentum; needs Momentum > 0 and Dampening = 0
	Maximize    bool    // ascend the objective instead of descending
}

// SGD is stochastic gradient descent with optional momentum, dampening,
// Nesterov momentum and L2 weight decay, as torch.optim.SGD. For each
// parameter p with gradient g, step t:
//
//	g = −g                                 if maximize
//	d = g + weight_decay·p                 if weight_decay ≠ 0
//	if momentum ≠ 0:
//	    buf = d                            at the first step
//	    buf = momentum·buf + (1−dampening)·d  after it
//	    d = d + momentum·buf               if nesterov
//	    d = buf                            otherwise
//	p = p − lr·d
//
// Its state is "<i>.momentum_buffer" when momentum ≠ 0.
type SGD struct {
	base
	c  SGDConfig
	st slots
}

// NewSGD returns an SGD optimizer over params. It rejects a negative lr,
// momentum or weight decay, a dampening outside [0, 1], and Nesterov
// momentum without momentum or with dampening.
func NewSGD(params []*autograd.Var, c SGDConfig) (*SGD, error) {
	const name = "sgd"
	b, err := newBase(name, params, c.LR)
	if err != nil {
		return nil, err
	}
	err = firstErr(
		check(name, "momentum", c.Momentum, c.Momentum >= 0, "momentum ≥ 0"),
		check(name, "dampening", c.Dampening, c.Dampening >= 0 && c.Dampening <= 1, "0 ≤ dampening ≤ 1"),
		check(name, "weight_decay", c.WeightDecay, c.WeightDecay >= 0, "weight_decay ≥ 0"),
	)
	if err != nil {
		return nil, err
	}
	if c.Nesterov && (c.Momentum <= 0 || c.Dampening != 0) {
		return nil, configErr(name, "nesterov", "nesterov needs momentum > 0 and dampening = 0 (momentum = %v, dampening = %v)", c.Momentum, c.Dampening)
	}
	s := &SGD{base: b, c: c}
	if c.Momentum != 0 {
		s.st = newSlots(len(params), false, "momentum_buffer")
	} else {
		s.st = newSlots(len(params), false)
	}
	return s, nil
}

// Config returns the hyperparameters, with the current learning rate.
func (s *SGD) Config() SGDConfig {
	c := s.c
	c.LR = s.lr
	return c
}

// Step applies one SGD update to every parameter that has a gradient.
func (s *SGD) Step() {
	// Scalars are rounded to float32, as PyTorch does when it applies a
	// Python number to a float32 tensor; see fma32 for the rest.
	negLR := float32(-s.lr)
	decay, wd := s.c.WeightDecay != 0, float32(s.c.WeightDecay)
	mom := float32(s.c.Momentum)
	keep := float32(1 - s.c.Dampening)
	maximize := s.c.Maximize
	for i := range s.params {
		p, g := s.grad(i)
		if g == nil {
			continue
		}
		if s.c.Momentum == 0 {
			for j, gj := range g {
				d := gj
				if maximize {
					d = -d
				}
				if decay {
					d = fma32(wd, p[j], d)
				}
				p[j] = fma32(negLR, d, p[j])
			}
			continue
		}
		first := s.st.ensure(i, len(p))
		buf := s.st.bufs[0][i][:len(p)]
		if !first && !maximize && !decay && !s.c.Nesterov {
			// The common case, without per-element branches.
			kernel.SGDMomentum(p, g, buf, negLR, mom, keep)
			continue
		}
		for j, gj := range g {
			d := gj
			if maximize {
				d = -d
			}
			if decay {
				d = fma32(wd, p[j], d)
			}
			if first {
				buf[j] = d
			} else {
				buf[j] = fma32(keep, d, float32(buf[j]*mom))
			}
			if s.c.Nesterov {
				d = fma32(mom, buf[j], d)
			} else {
				d = buf[j]
			}
			p[j] = fma32(negLR, d, p[j])
		}
	}
}

// State returns a copy of the momentum buffers.
func (s *SGD) State() map[string]*tensor.Tensor { return s.st.export(s.params) }

// LoadState replaces the momentum buffers with a copy of m.
func (s *SGD) LoadState(m map[string]*tensor.Tensor) error { return s.st.load(s.name, s.params, m) }
