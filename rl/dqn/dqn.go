package dqn

import (
	"context"
	"fmt"
	"io"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/rl"
	"github.com/bigfunc/bigfunc/rl/env"
	"github.com/bigfunc/bigfunc/tensor"
)

// Config holds DQN's hyperparameters, named as in CleanRL's dqn.py (the
// learning rate is the optimizer's lr), plus double_dqn, loss and
// max_grad_norm.
type Config struct {
	NumEnvs                int     `yaml:"num_envs"`
	BufferSize             int     `yaml:"buffer_size"`
	Gamma                  float64 `yaml:"gamma"`
	Tau                    float64 `yaml:"tau"`
	TargetNetworkFrequency int     `yaml:"target_network_frequency"`
	BatchSize              int     `yaml:"batch_size"`
	StartE                 float64 `yaml:"start_e"`
	EndE                   float64 `yaml:"end_e"`
	ExplorationFraction    float64 `yaml:"exploration_fraction"`
	LearningStarts         int     `yaml:"learning_starts"`
	TrainFrequency         int     `yaml:"train_frequency"`
	DoubleDQN              bool    `yaml:"double_dqn"`
	Loss                   string  `yaml:"loss"`          // huber or mse
	MaxGradNorm            float64 `yaml:"max_grad_norm"` // 0: no clipping
}

// DefaultConfig returns CleanRL's defaults (with the mean squared TD error).
func DefaultConfig() Config {
	return Config{NumEnvs: 1, BufferSize: 10000, Gamma: 0.99, Tau: 1, TargetNetworkFrequency: 500, BatchSize: 128,
		StartE: 1, EndE: 0.05, ExplorationFraction: 0.5, LearningStarts: 10000, TrainFrequency: 10, Loss: "mse"}
}

// DefaultLR is CleanRL's learning rate (Adam with PyTorch's eps).
const DefaultLR = 2.5e-4

func (c Config) check() error {
	switch {
	case c.NumEnvs < 1, c.BufferSize < 1, c.BatchSize < 1, c.TrainFrequency < 1, c.TargetNetworkFrequency < 1:
		return fmt.Errorf("num_envs, buffer_size, batch_size, train_frequency and target_network_frequency must be ≥ 1")
	case c.Loss != "huber" && c.Loss != "mse":
		return fmt.Errorf("loss = %q, want huber or mse", c.Loss)
	case !(c.Tau > 0 && c.Tau <= 1):
		return fmt.Errorf("tau must be in (0, 1]")
	}
	return nil
}

// buffer is a ring of transitions.
type buffer struct {
	obs, next, act, rew, done []float32
	k, size, pos, n           int
}

func newBuffer(size, k int) *buffer {
	return &buffer{obs: make([]float32, size*k), next: make([]float32, size*k), act: make([]float32, size),
		rew: make([]float32, size), done: make([]float32, size), k: k, size: size}
}

func (b *buffer) add(obs, next []float32, act, rew float32, done bool) {
	i := b.pos
	copy(b.obs[i*b.k:], obs)
	copy(b.next[i*b.k:], next)
	b.act[i], b.rew[i], b.done[i] = act, rew, 0
	if done {
		b.done[i] = 1
	}
	b.pos = (b.pos + 1) % b.size
	b.n = min(b.n+1, b.size)
}

// epsilon is CleanRL's linear_schedule.
func epsilon(c Config, total, step int) float64 {
	dur := c.ExplorationFraction * float64(total)
	slope := (c.EndE - c.StartE) / dur
	return max(slope*float64(step)+c.StartE, c.EndE)
}

// Train trains a DQN agent as s describes, reporting progress to log.
func Train(ctx context.Context, s *rl.Spec, log io.Writer) (*rl.Model, *rl.Progress, error) {
	c := DefaultConfig()
	if err := s.DecodeAgent(&c); err != nil {
		return nil, nil, err
	}
	if err := c.check(); err != nil {
		return nil, nil, fmt.Errorf("%s: agent dqn: %w", s.Path, err)
	}
	rng := tensor.NewRNG(s.Train.Seed)
	q, err := rl.NewModel(s, rng)
	if err != nil {
		return nil, nil, err
	}
	target := q.Clone()
	params := q.Params()
	opt, err := s.NewOptimizer(params, DefaultLR, 1e-8)
	if err != nil {
		return nil, nil, err
	}
	vec, err := env.NewVec(s.Env, c.NumEnvs, s.Train.Seed)
	if err != nil {
		return nil, nil, err
	}
	k, nAct, n := q.Env.ObsSize(), q.Env.Actions().N, c.NumEnvs
	buf := newBuffer(c.BufferSize, k)
	p := rl.NewProgress(log, "dqn", s.Env, s.Train.TotalSteps)
	obs := make([]float32, n*k)
	acts := make([]float32, n)
	var st *env.VecStep
	steps := 0
	for gs := 0; steps < s.Train.TotalSteps && !p.Stop(s.Train); gs++ {
		if gs%256 == 0 {
			if err := ctx.Err(); err != nil {
				p.Done()
				return q, p, err
			}
		}
		copy(obs, vec.Obs())
		eps := epsilon(c, s.Train.TotalSteps, gs)
		if rng.Float64() < eps {
			for i := range acts {
				acts[i] = float32(rng.Intn(nAct))
			}
		} else {
			copy(acts, q.Act(obs, n, rng, true))
		}
		st = vec.Step(acts, st)
		steps += n
		for i := range n {
			next := st.Obs[i*k : (i+1)*k]
			if st.FinalObs[i] != nil {
				next = st.FinalObs[i]
			}
			buf.add(obs[i*k:(i+1)*k], next, acts[i], float32(st.Reward[i]), st.Terminated[i])
		}
		p.Episodes(steps, st.Episodes)
		if gs > c.LearningStarts && gs%c.TrainFrequency == 0 {
			update(q, target, opt, buf, c, rng)
		}
		if gs%c.TargetNetworkFrequency == 0 {
			soften(target.Params(), params, c.Tau)
		}
	}
	p.Done()
	return q, p, nil
}

// update takes one gradient step on a batch drawn from buf.
func update(q, target *rl.Model, opt optim.Optimizer, buf *buffer, c Config, rng *tensor.RNG) {
	b, k := c.BatchSize, buf.k
	nAct := q.Env.Actions().N
	obs, next := make([]float32, b*k), make([]float32, b*k)
	acts := make([]int, b)
	idx := make([]int, b)
	for j := range idx {
		i := rng.Intn(buf.n)
		idx[j] = i
		copy(obs[j*k:(j+1)*k], buf.obs[i*k:(i+1)*k])
		copy(next[j*k:(j+1)*k], buf.next[i*k:(i+1)*k])
		acts[j] = int(buf.act[i])
	}
	tq := target.Actor.Forward(rl.Rows(next, b, k), nn.Eval).Value
	var choice []int
	if c.DoubleDQN {
		choice = tensor.ArgMax(q.Actor.Forward(rl.Rows(next, b, k), nn.Eval).Value, 1)
	} else {
		choice = tensor.ArgMax(tq, 1)
	}
	y := tensor.Zeros(b)
	yd, td := y.Data(), tq.Data()
	for j, i := range idx {
		yd[j] = buf.rew[i] + float32(c.Gamma)*td[j*nAct+choice[j]]*(1-buf.done[i])
	}
	qv := q.Actor.Forward(rl.Rows(obs, b, k), nn.Train(rng))
	pred := autograd.SumAxis(autograd.Mul(qv, autograd.Const(tensor.OneHot(acts, nAct))), 1)
	var l *autograd.Var
	if c.Loss == "mse" {
		l = loss.MSE(pred, y, loss.Mean)
	} else {
		l = loss.Huber(pred, y, 1, loss.Mean)
	}
	opt.ZeroGrad()
	l.Backward()
	if c.MaxGradNorm > 0 {
		optim.ClipGradNorm(opt.Params(), c.MaxGradNorm, 2)
	}
	opt.Step()
}

// soften moves the target parameters towards the online ones:
// θ′ ← τ·θ + (1 − τ)·θ′ (a copy for τ = 1).
func soften(dst, src []rl.Named, tau float64) {
	for i := range dst {
		d, s := dst[i].Value.Data(), src[i].Value.Data()
		for j := range d {
			d[j] = float32(tau*float64(s[j]) + (1-tau)*float64(d[j]))
		}
	}
}
