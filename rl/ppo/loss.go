package ppo

import (
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// ClippedSurrogate is PPO's clipped policy loss for a minibatch, with
// logp the new log probabilities [B] and oldLogp, adv the rollout's:
//
//	r = exp(logp − oldLogp)
//	L = mean(max(−A·r, −A·clip(r, 1−ε, 1+ε)))
//
// The gradient with respect to logp is −A·r/B where the unclipped term is
// the larger (or both are equal), and 0 where the clipped one is: moving r
// further outside [1−ε, 1+ε] in the direction that helps earns nothing.
func ClippedSurrogate(logp *autograd.Var, oldLogp, adv []float32, eps float64) *autograd.Var {
	b := logp.Value.Len()
	lp := logp.Value.Data()
	grad := make([]float64, b)
	var sum float64
	for i := range b {
		r := math.Exp(float64(lp[i]) - float64(oldLogp[i]))
		a := float64(adv[i])
		l1 := -a * r
		l2 := -a * math.Max(1-eps, math.Min(1+eps, r))
		if l1 >= l2 {
			sum += l1
			grad[i] = -a * r / float64(b)
		} else {
			sum += l2
		}
	}
	return autograd.New("ppo_clipped_surrogate", tensor.Scalar(float32(sum/float64(b))), func(g *tensor.Tensor) {
		gv := float64(g.Item())
		gd := logp.GradData()
		for i := range gd {
			gd[i] += float32(gv * grad[i])
		}
	}, logp)
}

// ValueLoss is PPO's value loss for a minibatch of values v [B] against
// returns ret. With clip > 0 it is the clipped form CleanRL uses,
//
//	v' = oldV + clip(v − oldV, −ε, ε)
//	L  = ½·mean(max((v − R)², (v' − R)²))
//
// and with clip = 0 the plain ½·mean((v − R)²).
func ValueLoss(v *autograd.Var, oldV, ret []float32, clip float64) *autograd.Var {
	b := v.Value.Len()
	vd := v.Value.Data()
	grad := make([]float64, b)
	var sum float64
	for i := range b {
		x, o, r := float64(vd[i]), float64(oldV[i]), float64(ret[i])
		d1 := x - r
		l1 := d1 * d1
		if clip <= 0 {
			sum += l1
			grad[i] = d1 / float64(b)
			continue
		}
		delta := x - o
		clipped := math.Max(-clip, math.Min(clip, delta))
		d2 := o + clipped - r
		l2 := d2 * d2
		// Inside the clip range the two terms are equal; the clipped one
		// is larger only outside it, where it does not depend on v.
		if l1 >= l2 {
			sum += l1
			grad[i] = d1 / float64(b)
		} else {
			sum += l2
		}
	}
	return autograd.New("ppo_value_loss", tensor.Scalar(float32(0.5*sum/float64(b))), func(g *tensor.Tensor) {
		gv := float64(g.Item())
		gd := v.GradData()
		for i := range gd {
			gd[i] += float32(gv * grad[i])
		}
	}, v)
}
