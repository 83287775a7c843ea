package a3c

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/rl"
	"github.com/bigfunc/bigfunc/rl/a2c"
	"github.com/bigfunc/bigfunc/rl/env"
	"github.com/bigfunc/bigfunc/tensor"
)

// Config holds A3C's hyperparameters: package a2c's, per worker, and the
// number of workers.
type Config struct {
	NumWorkers  int     `yaml:"num_workers"`
	NumEnvs     int     `yaml:"num_envs"` // per worker
	NumSteps    int     `yaml:"num_steps"`
	AnnealLR    bool    `yaml:"anneal_lr"`
	Gamma       float64 `yaml:"gamma"`
	GAELambda   float64 `yaml:"gae_lambda"`
	NormAdv     bool    `yaml:"norm_adv"`
	EntCoef     float64 `yaml:"ent_coef"`
	VfCoef      float64 `yaml:"vf_coef"`
	MaxGradNorm float64 `yaml:"max_grad_norm"`
}

// DefaultConfig returns two workers of one environment each, with A2C's
// other defaults.
func DefaultConfig() Config {
	d := a2c.DefaultConfig()
	return Config{NumWorkers: 2, NumEnvs: 1, NumSteps: d.NumSteps, AnnealLR: d.AnnealLR, Gamma: d.Gamma, GAELambda: d.GAELambda,
		NormAdv: d.NormAdv, EntCoef: d.EntCoef, VfCoef: d.VfCoef, MaxGradNorm: d.MaxGradNorm}
}

func (c Config) a2c() a2c.Config {
	return a2c.Config{NumEnvs: c.NumEnvs, NumSteps: c.NumSteps, AnnealLR: c.AnnealLR, Gamma: c.Gamma, GAELambda: c.GAELambda,
		NormAdv: c.NormAdv, EntCoef: c.EntCoef, VfCoef: c.VfCoef, MaxGradNorm: c.MaxGradNorm}
}

// shared is the global model, its optimizer and the bookkeeping, all
// guarded by mu.
type shared struct {
	mu     sync.Mutex
	model  *rl.Model
	params []rl.Named
	opt    optim.Optimizer
	p      *rl.Progress
	steps  int
	total  int
	train  rl.Train
	lr0    float64
}

// Train trains an A3C agent as s describes, reporting progress to log.
func Train(ctx context.Context, s *rl.Spec, log io.Writer) (*rl.Model, *rl.Progress, error) {
	c := DefaultConfig()
	if err := s.DecodeAgent(&c); err != nil {
		return nil, nil, err
	}
	if c.NumWorkers < 1 {
		return nil, nil, fmt.Errorf("%s: agent a3c: num_workers must be ≥ 1", s.Path)
	}
	if err := c.a2c().Check(); err != nil {
		return nil, nil, fmt.Errorf("%s: agent a3c: %w", s.Path, err)
	}
	rng := tensor.NewRNG(s.Train.Seed)
	m, err := rl.NewModel(s, rng)
	if err != nil {
		return nil, nil, err
	}
	name, hp := a2c.DefaultOptimizer()
	g := &shared{model: m, params: m.Params(), p: rl.NewProgress(log, "a3c", s.Env, s.Train.TotalSteps), total: s.Train.TotalSteps, train: s.Train}
	g.opt, err = s.NewOptimizerOr(g.params, name, hp)
	if err != nil {
		return nil, nil, err
	}
	vecs := make([]*env.Vec, c.NumWorkers)
	for w := range vecs {
		vecs[w], err = env.NewVec(s.Env, c.NumEnvs, s.Train.Seed*1000003+uint64(w))
		if err != nil {
			return nil, nil, err
		}
	}
	// Every copy and generator is made before the first worker starts, so
	// that no worker's update races with another's copy of the model.
	locals := make([]*rl.Model, c.NumWorkers)
	rngs := make([]*tensor.RNG, c.NumWorkers)
	for w := range locals {
		locals[w], rngs[w] = m.Clone(), tensor.NewRNG(rng.Uint64())
	}
	g.lr0 = g.opt.LR()
	var wg sync.WaitGroup
	for w := range c.NumWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.work(ctx, locals[w], vecs[w], rngs[w], c.a2c())
		}()
	}
	wg.Wait()
	g.p.Done()
	return m, g.p, ctx.Err()
}

// work is one worker's loop: collect with the local copy, compute and
// clip its gradients, and apply them to the shared model under the lock,
// where only the optimizer step and the copy back remain.
func (g *shared) work(ctx context.Context, local *rl.Model, vec *env.Vec, rng *tensor.RNG, c a2c.Config) {
	ro := rl.NewRollout(vec, c.NumSteps)
	lp := local.Params()
	lvars := rl.Vars(lp)
	for ctx.Err() == nil {
		ro.Finished = ro.Finished[:0]
		var n int
		ro.Collect(local, rng, nil, &n)
		for _, v := range lvars {
			v.ZeroGrad()
		}
		a2c.Loss(local, ro, c, rng).Backward()
		// The shared gradients hold only this worker's, so clipping the
		// local ones is the same and keeps the norm out of the lock.
		if c.MaxGradNorm > 0 {
			optim.ClipGradNorm(lvars, c.MaxGradNorm, 2)
		}

		g.mu.Lock()
		if g.steps >= g.total || g.p.Stop(g.train) {
			g.mu.Unlock()
			return
		}
		if c.AnnealLR {
			g.opt.SetLR(g.lr0 * (1 - float64(g.steps)/float64(g.total)))
		}
		g.opt.ZeroGrad()
		for i, p := range g.params {
			if lp[i].Grad != nil {
				p.AccumulateGrad(lp[i].Grad)
			}
		}
		g.opt.Step()
		g.steps += n
		g.p.Episodes(g.steps, ro.Finished)
		rl.CopyParams(lp, g.params)
		g.mu.Unlock()
	}
}
