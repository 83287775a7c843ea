package rl

import (
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/rl/env"
	"github.com/bigfunc/bigfunc/tensor"
)

// Rollout is T steps of N environments collected with a policy: the arrays
// are [T, N, ...] row-major, in CleanRL's layout (Dones[t] flags the
// observation at t as the first of an episode).
type Rollout struct {
	T, N                           int
	Obs, Actions, LogProbs, Values []float32
	Rewards, Dones                 []float32
	NextValue, NextDone            []float32
	// Finished collects the episodes that ended during Collect when it is
	// given no Progress.
	Finished []env.Episode
	// RewardNorm, when not nil, normalises the stored rewards (the
	// returns reported as episodes stay the environment's own).
	RewardNorm *RewardNorm
	// cur is the current observations as the networks see them:
	// normalised with the model's ObsNorm, when it has one.
	cur              []float32
	obsSize, actSize int
	vec              *env.Vec
	step             *env.VecStep
	done             []float32
}

// NewRollout returns a Rollout of t steps over vec.
func NewRollout(vec *env.Vec, t int) *Rollout {
	n := vec.N()
	e := vec.Envs[0]
	k, a := e.ObsSize(), e.Actions().Size()
	return &Rollout{T: t, N: n, obsSize: k, actSize: a, vec: vec,
		Obs: make([]float32, t*n*k), Actions: make([]float32, t*n*a), LogProbs: make([]float32, t*n),
		Values: make([]float32, t*n), Rewards: make([]float32, t*n), Dones: make([]float32, t*n),
		NextValue: make([]float32, n), NextDone: make([]float32, n), done: make([]float32, n)}
}

// observe sets the current observations from the environments' raw
// ones, updating m's observation statistics first (as Gymnasium's
// NormalizeObservation does at every step and reset) when it has them.
func (r *Rollout) observe(m *Model, raw []float32) {
	if m.ObsNorm == nil {
		r.cur = raw
		return
	}
	x := make([]float64, len(raw))
	for i, v := range raw {
		x[i] = float64(v)
	}
	m.ObsNorm.Update(x, r.N)
	if len(r.cur) != len(raw) || &r.cur[0] == &raw[0] {
		r.cur = make([]float32, len(raw))
	}
	m.ObsNorm.Normalize(r.cur, raw, r.N)
}

// Collect runs m's policy for T steps, filling r, and reports finished
// episodes to p with the global step count starting at *steps, which it
// advances. With m.ObsNorm set, it updates the statistics with every new
// observation and stores the normalised ones.
func (r *Rollout) Collect(m *Model, rng *tensor.RNG, p *Progress, steps *int) {
	n, k, as := r.N, r.obsSize, r.actSize
	if r.cur == nil {
		r.observe(m, r.vec.Obs())
	}
	for t := range r.T {
		obs := r.cur
		copy(r.Obs[t*n*k:], obs)
		copy(r.Dones[t*n:], r.done)
		acts, logp, vals := m.Sample(obs, n, rng)
		copy(r.Actions[t*n*as:], acts)
		copy(r.LogProbs[t*n:], logp)
		copy(r.Values[t*n:], vals)
		r.step = r.vec.Step(acts, r.step)
		*steps += n
		for i := range n {
			r.Rewards[t*n+i] = float32(r.step.Reward[i])
			r.done[i] = 0
			if r.step.Terminated[i] || r.step.Truncated[i] {
				r.done[i] = 1
			}
		}
		if r.RewardNorm != nil {
			r.RewardNorm.Apply(r.Rewards[t*n:(t+1)*n], r.step.Terminated)
		}
		r.observe(m, r.step.Obs)
		if p != nil {
			p.Episodes(*steps, r.step.Episodes)
		} else {
			r.Finished = append(r.Finished, r.step.Episodes...)
		}
	}
	copy(r.NextValue, m.Values(r.cur, n))
	copy(r.NextDone, r.done)
}

// Sample draws actions for n observations from the policy and returns them
// with their log probabilities and the critic's values.
func (m *Model) Sample(obs []float32, n int, rng *tensor.RNG) (actions, logp, values []float32) {
	x := Rows(obs, n, m.Env.ObsSize())
	out := m.Actor.Forward(x, nn.Eval).Value
	values = m.Critic.Forward(x, nn.Eval).Value.Data()
	logp = make([]float32, n)
	if m.Env.Actions().Discrete() {
		a := SampleCategorical(out, rng, false)
		actions = make([]float32, n)
		c := out.Dim(1)
		d := out.Data()
		for i, ai := range a {
			actions[i] = float32(ai)
			row := d[i*c : (i+1)*c]
			mx := float64(row[0])
			for _, v := range row {
				mx = math.Max(mx, float64(v))
			}
			var s float64
			for _, v := range row {
				s += math.Exp(float64(v) - mx)
			}
			logp[i] = float32(float64(row[ai]) - mx - math.Log(s))
		}
		return actions, logp, values
	}
	at := SampleGaussian(out, m.LogStd.Value, rng, false)
	lp, _ := Gaussian(autograd.Const(out), autograd.Const(m.LogStd.Value), at)
	return at.Data(), lp.Value.Data(), values
}

// Values returns the critic's values of n observations.
func (m *Model) Values(obs []float32, n int) []float32 {
	return m.Critic.Forward(Rows(obs, n, m.Env.ObsSize()), nn.Eval).Value.Data()
}

// PolicyTerms returns the log probabilities and entropies of actions (rows
// of Env.Actions().Size()) under the current policy, and the values, all
// of shape [B], as Vars for a loss. mode is the networks' mode, training
// mode for a gradient step.
func (m *Model) PolicyTerms(obs, actions []float32, b int, mode nn.Mode) (logp, entropy, values *autograd.Var) {
	x := Rows(obs, b, m.Env.ObsSize())
	out := m.Actor.Forward(x, mode)
	values = autograd.Reshape(m.Critic.Forward(x, mode), b)
	if m.Env.Actions().Discrete() {
		a := make([]int, b)
		for i := range a {
			a[i] = int(actions[i])
		}
		logp, entropy = Categorical(out, a)
		return logp, entropy, values
	}
	d := m.Env.Actions().Dim
	logp, entropy = Gaussian(out, m.LogStd, tensor.FromSlice(actions[:b*d], b, d))
	return logp, entropy, values
}
