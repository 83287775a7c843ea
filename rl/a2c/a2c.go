package a2c

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

// Config holds A2C's hyperparameters, with the names of CleanRL's PPO
// (their meaning is the same) and Stable-Baselines3's A2C defaults.
type Config struct {
	NumEnvs     int     `yaml:"num_envs"`
	NumSteps    int     `yaml:"num_steps"`
	AnnealLR    bool    `yaml:"anneal_lr"`
	Gamma       float64 `yaml:"gamma"`
	GAELambda   float64 `yaml:"gae_lambda"`
	NormAdv     bool    `yaml:"norm_adv"`
	EntCoef     float64 `yaml:"ent_coef"`
	VfCoef      float64 `yaml:"vf_coef"`
	MaxGradNorm float64 `yaml:"max_grad_norm"`
}

// DefaultConfig returns Stable-Baselines3's A2C defaults with 4
// environments.
func DefaultConfig() Config {
	return Config{NumEnvs: 4, NumSteps: 5, Gamma: 0.99, GAELambda: 1, EntCoef: 0, VfCoef: 0.5, MaxGradNorm: 0.5}
}

// DefaultOptimizer is Stable-Baselines3's: RMSprop with lr 7e-4, alpha 0.99
// and eps 1e-5.
func DefaultOptimizer() (string, map[string]any) {
	return "rmsprop", map[string]any{"lr": 7e-4, "alpha": 0.99, "eps": 1e-5}
}

// Check reports a hyperparameter out of range.
func (c Config) Check() error {
	switch {
	case c.NumEnvs < 1, c.NumSteps < 1:
		return fmt.Errorf("num_envs and num_steps must be ≥ 1")
	case !(c.Gamma >= 0 && c.Gamma <= 1), !(c.GAELambda >= 0 && c.GAELambda <= 1):
		return fmt.Errorf("gamma and gae_lambda must be in [0, 1]")
	case c.MaxGradNorm < 0:
		return fmt.Errorf("max_grad_norm must be ≥ 0")
	}
	return nil
}

// Loss returns the actor-critic loss of a rollout collected with m; rng
// draws the randomness of training-mode layers such as dropout.
func Loss(m *rl.Model, ro *rl.Rollout, c Config, rng *tensor.RNG) *autograd.Var {
	adv, ret := rl.GAE(ro.Rewards, ro.Values, ro.Dones, ro.NextValue, ro.NextDone, ro.N, c.Gamma, c.GAELambda)
	if c.NormAdv {
		rl.Normalize(adv)
	}
	b := ro.T * ro.N
	logp, ent, v := m.PolicyTerms(ro.Obs, ro.Actions, b, nn.Train(rng))
	pg := autograd.Neg(autograd.Mean(autograd.Mul(logp, autograd.Const(tensor.FromSlice(adv, b)))))
	vl := loss.MSE(v, tensor.FromSlice(ret, b), loss.Mean)
	return autograd.Add(autograd.Sub(pg, autograd.Scale(autograd.Mean(ent), float32(c.EntCoef))), autograd.Scale(vl, float32(c.VfCoef)))
}

// Train trains an A2C agent as s describes, reporting progress to log.
func Train(ctx context.Context, s *rl.Spec, log io.Writer) (*rl.Model, *rl.Progress, error) {
	c := DefaultConfig()
	if err := s.DecodeAgent(&c); err != nil {
		return nil, nil, err
	}
	if err := c.Check(); err != nil {
		return nil, nil, fmt.Errorf("%s: agent a2c: %w", s.Path, err)
	}
	rng := tensor.NewRNG(s.Train.Seed)
	m, err := rl.NewModel(s, rng)
	if err != nil {
		return nil, nil, err
	}
	name, hp := DefaultOptimizer()
	opt, err := s.NewOptimizerOr(m.Params(), name, hp)
	if err != nil {
		return nil, nil, err
	}
	vec, err := env.NewVec(s.Env, c.NumEnvs, s.Train.Seed)
	if err != nil {
		return nil, nil, err
	}
	p := rl.NewProgress(log, "a2c", s.Env, s.Train.TotalSteps)
	ro := rl.NewRollout(vec, c.NumSteps)
	steps := 0
	lr0 := opt.LR()
	for steps < s.Train.TotalSteps && !p.Stop(s.Train) {
		if err := ctx.Err(); err != nil {
			p.Done()
			return m, p, err
		}
		if c.AnnealLR {
			opt.SetLR(lr0 * (1 - float64(steps)/float64(s.Train.TotalSteps)))
		}
		ro.Collect(m, rng, p, &steps)
		l := Loss(m, ro, c, rng)
		opt.ZeroGrad()
		l.Backward()
		if c.MaxGradNorm > 0 {
			optim.ClipGradNorm(opt.Params(), c.MaxGradNorm, 2)
		}
		opt.Step()
	}
	p.Done()
	return m, p, nil
}
