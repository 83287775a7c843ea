package ppo

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/rl"
	"github.com/bigfunc/bigfunc/rl/env"
	"github.com/bigfunc/bigfunc/tensor"
)

// Config holds PPO's hyperparameters, named as in CleanRL's ppo.py. The
// learning rate is the optimizer's lr.
type Config struct {
	NumEnvs        int     `yaml:"num_envs"`
	NumSteps       int     `yaml:"num_steps"`
	AnnealLR       bool    `yaml:"anneal_lr"`
	Gamma          float64 `yaml:"gamma"`
	GAELambda      float64 `yaml:"gae_lambda"`
	NumMinibatches int     `yaml:"num_minibatches"`
	UpdateEpochs   int     `yaml:"update_epochs"`
	NormAdv        bool    `yaml:"norm_adv"`
	ClipCoef       float64 `yaml:"clip_coef"`
	ClipVLoss      bool    `yaml:"clip_vloss"`
	EntCoef        float64 `yaml:"ent_coef"`
	VfCoef         float64 `yaml:"vf_coef"`
	MaxGradNorm    float64 `yaml:"max_grad_norm"`
	// TargetKL stops an update's epochs early once the approximate KL
	// divergence exceeds it; 0 never stops (CleanRL's None).
	TargetKL float64 `yaml:"target_kl"`
	// NormObs and NormReward normalise observations and rewards by their
	// running statistics, clipped to [−10, 10], as the environment
	// wrappers of CleanRL's ppo_continuous_action.py do; the observation
	// statistics are saved with the model. The defaults are on for
	// continuous actions and off for discrete ones, as in CleanRL.
	NormObs    bool `yaml:"norm_obs"`
	NormReward bool `yaml:"norm_reward"`
}

// DefaultConfig returns CleanRL's defaults: ppo.py's for discrete actions,
// ppo_continuous_action.py's for continuous ones.
func DefaultConfig(continuous bool) Config {
	if continuous {
		return Config{NumEnvs: 1, NumSteps: 2048, AnnealLR: true, Gamma: 0.99, GAELambda: 0.95, NumMinibatches: 32,
			UpdateEpochs: 10, NormAdv: true, ClipCoef: 0.2, ClipVLoss: true, EntCoef: 0, VfCoef: 0.5, MaxGradNorm: 0.5,
			NormObs: true, NormReward: true}
	}
	return Config{NumEnvs: 4, NumSteps: 128, AnnealLR: true, Gamma: 0.99, GAELambda: 0.95, NumMinibatches: 4,
		UpdateEpochs: 4, NormAdv: true, ClipCoef: 0.2, ClipVLoss: true, EntCoef: 0.01, VfCoef: 0.5, MaxGradNorm: 0.5}
}

// DefaultLR is CleanRL's learning rate (Adam, eps 1e-5).
func DefaultLR(continuous bool) float64 {
	if continuous {
		return 3e-4
	}
	return 2.5e-4
}

func (c Config) check() error {
	switch {
	case c.NumEnvs < 1, c.NumSteps < 1, c.NumMinibatches < 1, c.UpdateEpochs < 1:
		return fmt.Errorf("num_envs, num_steps, num_minibatches and update_epochs must be ≥ 1")
	case c.NumEnvs*c.NumSteps%c.NumMinibatches != 0:
		return fmt.Errorf("num_envs·num_steps = %d is not a multiple of num_minibatches = %d", c.NumEnvs*c.NumSteps, c.NumMinibatches)
	case !(c.Gamma >= 0 && c.Gamma <= 1), !(c.GAELambda >= 0 && c.GAELambda <= 1):
		return fmt.Errorf("gamma and gae_lambda must be in [0, 1]")
	case c.ClipCoef < 0, c.MaxGradNorm < 0:
		return fmt.Errorf("clip_coef and max_grad_norm must be ≥ 0")
	}
	return nil
}

// Train trains a PPO agent as s describes, reporting progress to log (nil
// for none). It stops early, returning ctx's error with the model so far,
// when ctx is cancelled.
func Train(ctx context.Context, s *rl.Spec, log io.Writer) (*rl.Model, *rl.Progress, error) {
	e, err := env.New(s.Env)
	if err != nil {
		return nil, nil, err
	}
	continuous := !e.Actions().Discrete()
	c := DefaultConfig(continuous)
	if err := s.DecodeAgent(&c); err != nil {
		return nil, nil, err
	}
	if err := c.check(); err != nil {
		return nil, nil, fmt.Errorf("%s: agent ppo: %w", s.Path, err)
	}
	rng := tensor.NewRNG(s.Train.Seed)
	m, err := rl.NewModel(s, rng)
	if err != nil {
		return nil, nil, err
	}
	params := m.Params()
	opt, err := s.NewOptimizer(params, DefaultLR(continuous), 1e-5)
	if err != nil {
		return nil, nil, err
	}
	vec, err := env.NewVec(s.Env, c.NumEnvs, s.Train.Seed)
	if err != nil {
		return nil, nil, err
	}
	p := rl.NewProgress(log, "ppo", s.Env, s.Train.TotalSteps)
	batch := c.NumEnvs * c.NumSteps
	iters := max(1, s.Train.TotalSteps/batch)
	ro := rl.NewRollout(vec, c.NumSteps)
	if c.NormObs {
		m.ObsNorm = rl.NewRunningMeanStd(e.ObsSize())
	}
	if c.NormReward {
		ro.RewardNorm = rl.NewRewardNorm(c.NumEnvs, c.Gamma)
	}
	lr0 := opt.LR()
	steps := 0
	for it := 1; it <= iters; it++ {
		if err := ctx.Err(); err != nil {
			p.Done()
			return m, p, err
		}
		if c.AnnealLR {
			opt.SetLR((1 - float64(it-1)/float64(iters)) * lr0)
		}
		ro.Collect(m, rng, p, &steps)
		if p.Stop(s.Train) {
			break
		}
		Update(m, opt, ro, c, rng)
	}
	p.Done()
	return m, p, nil
}

// Update runs PPO's update epochs over one rollout.
func Update(m *rl.Model, opt optim.Optimizer, ro *rl.Rollout, c Config, rng *tensor.RNG) {
	adv, ret := rl.GAE(ro.Rewards, ro.Values, ro.Dones, ro.NextValue, ro.NextDone, ro.N, c.Gamma, c.GAELambda)
	batch := ro.T * ro.N
	mb := batch / c.NumMinibatches
	k := m.Env.ObsSize()
	as := m.Env.Actions().Size()
	vars := opt.Params()
	obs := make([]float32, mb*k)
	acts := make([]float32, mb*as)
	oldLogp, oldV, mAdv, mRet := make([]float32, mb), make([]float32, mb), make([]float32, mb), make([]float32, mb)
	vclip := 0.0
	if c.ClipVLoss {
		vclip = c.ClipCoef
	}
	for range c.UpdateEpochs {
		perm := rng.Perm(batch)
		var kl float64
		for start := 0; start < batch; start += mb {
			for j, i := range perm[start : start+mb] {
				copy(obs[j*k:(j+1)*k], ro.Obs[i*k:(i+1)*k])
				copy(acts[j*as:(j+1)*as], ro.Actions[i*as:(i+1)*as])
				oldLogp[j], oldV[j], mAdv[j], mRet[j] = ro.LogProbs[i], ro.Values[i], adv[i], ret[i]
			}
			if c.NormAdv {
				rl.Normalize(mAdv)
			}
			logp, ent, v := m.PolicyTerms(obs, acts, mb, nn.Train(rng))
			pg := ClippedSurrogate(logp, oldLogp, mAdv, c.ClipCoef)
			vl := ValueLoss(v, oldV, mRet, vclip)
			loss := autograd.Add(autograd.Sub(pg, autograd.Scale(autograd.Mean(ent), float32(c.EntCoef))), autograd.Scale(vl, float32(c.VfCoef)))
			opt.ZeroGrad()
			loss.Backward()
			if c.MaxGradNorm > 0 {
				optim.ClipGradNorm(vars, c.MaxGradNorm, 2)
			}
			opt.Step()
			kl = approxKL(logp.Value.Data(), oldLogp)
		}
		if c.TargetKL > 0 && kl > c.TargetKL {
			break
		}
	}
}

// approxKL is CleanRL's k3 estimator of KL(old ‖ new): mean((r − 1) − log r).
func approxKL(logp, oldLogp []float32) float64 {
	var s float64
	for i := range logp {
		lr := float64(logp[i]) - float64(oldLogp[i])
		s += math.Exp(lr) - 1 - lr
	}
	return s / float64(len(logp))
}
