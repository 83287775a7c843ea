package rl

import "math"

// GAE computes generalised advantage estimates and returns for a rollout
// of T steps of N environments (CleanRL's convention, arrays [T, N]
// row-major):
//
//	dones[t]   1 if the observation at step t starts a new episode
//	values[t]  the critic's value of that observation
//	rewards[t] the reward received after acting at step t
//	nextValue, nextDone  the value and done flag of the observation after
//	           the last step
//
//	δₜ = rₜ + γ·V(t+1)·(1 − done(t+1)) − V(t)
//	Aₜ = δₜ + γλ·(1 − done(t+1))·Aₜ₊₁
//	returnsₜ = Aₜ + V(t)
//
// λ = 1 gives discounted returns minus values; λ = 0 the one-step TD error.
func GAE(rewards, values, dones []float32, nextValue, nextDone []float32, n int, gamma, lambda float64) (adv, returns []float32) {
	t := len(rewards) / n
	adv = make([]float32, len(rewards))
	returns = make([]float32, len(rewards))
	last := make([]float64, n)
	for s := t - 1; s >= 0; s-- {
		for e := range n {
			var nv, nonterm float64
			if s == t-1 {
				nv, nonterm = float64(nextValue[e]), 1-float64(nextDone[e])
			} else {
				nv, nonterm = float64(values[(s+1)*n+e]), 1-float64(dones[(s+1)*n+e])
			}
			i := s*n + e
			delta := float64(rewards[i]) + gamma*nv*nonterm - float64(values[i])
			last[e] = delta + gamma*lambda*nonterm*last[e]
			adv[i] = float32(last[e])
			returns[i] = float32(last[e] + float64(values[i]))
		}
	}
	return adv, returns
}

// Normalize shifts and scales x in place to mean 0 and standard deviation
// 1 (PyTorch's unbiased std, plus 1e-8 as CleanRL adds).
func Normalize(x []float32) {
	if len(x) < 2 {
		return
	}
	var mean float64
	for _, v := range x {
		mean += float64(v)
	}
	mean /= float64(len(x))
	var ss float64
	for _, v := range x {
		d := float64(v) - mean
		ss += d * d
	}
	std := math.Sqrt(ss / float64(len(x)-1))
	for i, v := range x {
		x[i] = float32((float64(v) - mean) / (std + 1e-8))
	}
}
