package rl

import (
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Categorical returns, for each row of logits [B, n] (unnormalised log
// probabilities), the log probability of actions[row] and the entropy of
// the distribution, both of shape [B]:
//
//	logp = log_softmax(logits)[a]
//	H    = −Σ softmax(logits)·log_softmax(logits)
func Categorical(logits *autograd.Var, actions []int) (logp, entropy *autograd.Var) {
	n := logits.Value.Dim(1)
	lp := autograd.LogSoftmax(logits, 1)
	logp = autograd.SumAxis(autograd.Mul(lp, autograd.Const(tensor.OneHot(actions, n))), 1)
	entropy = autograd.Neg(autograd.SumAxis(autograd.Mul(autograd.Exp(lp), lp), 1))
	return logp, entropy
}

// SampleCategorical draws one action per row of logits [B, n] from the
// softmax distribution; with greedy set it takes the most likely action.
func SampleCategorical(logits *tensor.Tensor, rng *tensor.RNG, greedy bool) []int {
	b, n := logits.Dim(0), logits.Dim(1)
	d := logits.Data()
	out := make([]int, b)
	p := make([]float64, n)
	for i := range b {
		row := d[i*n : (i+1)*n]
		best := 0
		mx := float64(row[0])
		for j, v := range row {
			if float64(v) > mx {
				mx, best = float64(v), j
			}
		}
		if greedy {
			out[i] = best
			continue
		}
		var sum float64
		for j, v := range row {
			p[j] = math.Exp(float64(v) - mx)
			sum += p[j]
		}
		u := rng.Float64() * sum
		out[i] = n - 1
		for j := range n {
			u -= p[j]
			if u < 0 {
				out[i] = j
				break
			}
		}
	}
	return out
}

// Gaussian returns, for each row of mean [B, d] with the log standard
// deviations logstd [1, d] shared by all rows, the log density of
// actions [B, d] and the entropy, both of shape [B], summed over the d
// independent dimensions (a diagonal Gaussian):
//
//	logp = Σ −(a−μ)²/(2σ²) − log σ − ½log 2π
//	H    = Σ ½ + ½log 2π + log σ
func Gaussian(mean, logstd *autograd.Var, actions *tensor.Tensor) (logp, entropy *autograd.Var) {
	b := mean.Value.Dim(0)
	half := float32(0.5 * math.Log(2*math.Pi))
	std := autograd.Exp(logstd)
	z := autograd.Div(autograd.Sub(autograd.Const(actions), mean), std)
	lp := autograd.Sub(autograd.Scale(autograd.Square(z), -0.5), logstd)
	logp = autograd.AddScalar(autograd.SumAxis(lp, 1), -half*float32(actions.Dim(1)))
	ent := autograd.SumAxis(autograd.AddScalar(logstd, 0.5+half), 1) // [1]
	entropy = autograd.Mul(ent, autograd.Const(tensor.Ones(b)))
	return logp, entropy
}

// SampleGaussian draws actions [B, d] from N(mean, exp(logstd)²); with
// greedy set it returns the mean.
func SampleGaussian(mean, logstd *tensor.Tensor, rng *tensor.RNG, greedy bool) *tensor.Tensor {
	b, d := mean.Dim(0), mean.Dim(1)
	out := tensor.Zeros(b, d)
	md, ls, od := mean.Data(), logstd.Data(), out.Data()
	for i := range b {
		for j := range d {
			v := float64(md[i*d+j])
			if !greedy {
				v += math.Exp(float64(ls[j])) * rng.Normal()
			}
			od[i*d+j] = float32(v)
		}
	}
	return out
}
