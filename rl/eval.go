package rl

import (
	"math"

	"github.com/bigfunc/bigfunc/tensor"
)

// Evaluate runs episodes full episodes of m's environment from initial
// states drawn with seed, choosing actions greedily (the most likely
// action, the mean, or the highest value) or, with sample set, drawing
// them from the policy, and returns each episode's return.
func Evaluate(m *Model, episodes int, seed uint64, sample bool) []float64 {
	rng := tensor.NewRNG(seed)
	e := m.Env
	out := make([]float64, episodes)
	for i := range episodes {
		obs := e.Reset(rng)
		for step := 1; ; step++ {
			a := m.Act(obs, 1, rng, !sample)
			var r float64
			var term bool
			obs, r, term = e.Step(a)
			out[i] += r
			if term || step >= e.MaxSteps() {
				break
			}
		}
	}
	return out
}

// MeanStd returns the mean and the population standard deviation of xs.
func MeanStd(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)))
}
