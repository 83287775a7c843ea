package rl

import (
	"math"

	"github.com/bigfunc/bigfunc/tensor"
)

// RunningMeanStd is the running mean and variance of vectors of width
// len(Mean), Gymnasium's RunningMeanStd: it starts at mean 0, variance 1
// and a count of 1e-4, and merges each batch by Chan's parallel formula
// with the batch's population variance.
type RunningMeanStd struct {
	Mean, Var []float64
	Count     float64
}

// NewRunningMeanStd returns the statistics of width w before any data.
func NewRunningMeanStd(w int) *RunningMeanStd {
	r := &RunningMeanStd{Mean: make([]float64, w), Var: make([]float64, w), Count: 1e-4}
	for i := range r.Var {
		r.Var[i] = 1
	}
	return r
}

// Update merges n rows of x (width len(Mean)) into the statistics.
func (r *RunningMeanStd) Update(x []float64, n int) {
	w := len(r.Mean)
	for j := range w {
		var mean float64
		for i := range n {
			mean += x[i*w+j]
		}
		mean /= float64(n)
		var v float64
		for i := range n {
			d := x[i*w+j] - mean
			v += d * d
		}
		v /= float64(n)
		delta := mean - r.Mean[j]
		tot := r.Count + float64(n)
		m2 := r.Var[j]*r.Count + v*float64(n) + delta*delta*r.Count*float64(n)/tot
		r.Mean[j] += delta * float64(n) / tot
		r.Var[j] = m2 / tot
	}
	r.Count += float64(n)
}

// normEps and normClip are Gymnasium's NormalizeObservation epsilon and
// CleanRL's clip of the normalised observations and rewards.
const (
	normEps  = 1e-8
	normClip = 10
)

// Normalize writes (x − mean)/√(var + 1e-8), clipped to [−10, 10], of the
// n rows of x into dst: CleanRL's NormalizeObservation followed by its
// clipping TransformObservation.
func (r *RunningMeanStd) Normalize(dst, x []float32, n int) {
	w := len(r.Mean)
	for i := range n {
		for j := range w {
			v := (float64(x[i*w+j]) - r.Mean[j]) / math.Sqrt(r.Var[j]+normEps)
			dst[i*w+j] = float32(max(-normClip, min(normClip, v)))
		}
	}
}

// Tensors returns the statistics as tensors named prefix.mean, prefix.var
// and prefix.count, for saving with a model.
func (r *RunningMeanStd) Tensors(prefix string) map[string]*tensor.Tensor {
	w := len(r.Mean)
	mean, vr := tensor.Zeros(w), tensor.Zeros(w)
	for j := range w {
		mean.Data()[j] = float32(r.Mean[j])
		vr.Data()[j] = float32(r.Var[j])
	}
	return map[string]*tensor.Tensor{prefix + ".mean": mean, prefix + ".var": vr, prefix + ".count": tensor.FromSlice([]float32{float32(r.Count)}, 1)}
}

// RewardNorm is CleanRL's reward normalisation for continuous PPO
// (Gymnasium's NormalizeReward, then clipping to [−10, 10]): each reward
// is divided by the running standard deviation of the discounted return
// of its environment copy. As in Gymnasium, a terminating step drops the
// return so far before adding its own reward, and truncation keeps it.
type RewardNorm struct {
	Gamma   float64
	rms     *RunningMeanStd
	returns []float64
}

// NewRewardNorm returns the normaliser for n environment copies.
func NewRewardNorm(n int, gamma float64) *RewardNorm {
	return &RewardNorm{Gamma: gamma, rms: NewRunningMeanStd(1), returns: make([]float64, n)}
}

// Apply updates the statistics with one step's rewards of every copy and
// replaces them with the normalised, clipped ones.
func (r *RewardNorm) Apply(rewards []float32, terminated []bool) {
	for i, rw := range rewards {
		keep := r.Gamma
		if terminated[i] {
			keep = 0 // Gymnasium's returns·γ·(1 − terminated) + reward
		}
		r.returns[i] = r.returns[i]*keep + float64(rw)
	}
	r.rms.Update(r.returns, len(r.returns))
	sd := math.Sqrt(r.rms.Var[0] + normEps)
	for i, rw := range rewards {
		rewards[i] = float32(max(-normClip, min(normClip, float64(rw)/sd)))
	}
}
