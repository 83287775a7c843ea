package rl

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/rl/env"
	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

// Model is a trained agent's networks, with the spec that made them.
//
// A policy-gradient agent (PPO, A2C, A3C) has an Actor that outputs action
// logits (discrete) or means (continuous, with LogStd), and a Critic that
// outputs the state value; DQN has only the Actor, whose outputs are the
// action values Q(s, ·). Saved names are those of CleanRL's PyTorch
// modules: actor.i.*, critic.i.*, actor_mean.i.* and actor_logstd, or
// network.i.* for DQN.
type Model struct {
	Spec   *Spec
	Env    env.Env // an instance, for sizes and action bounds
	Actor  *nn.Sequential
	Critic *nn.Sequential
	LogStd *autograd.Var // [1, action dims], continuous actions only
	// ObsNorm, when not nil, holds the running statistics that normalise
	// observations before the networks see them (PPO's norm_obs). Act
	// normalises with them; Sample, Values and PolicyTerms take
	// observations already normalised, as a Rollout stores them. They
	// are saved with the model as obs_rms.mean, obs_rms.var and
	// obs_rms.count.
	ObsNorm *RunningMeanStd

	actorName string
}

// DefaultArchitecture is the hidden part of CleanRL's networks: two layers
// of 64 with tanh for the policy-gradient agents, 120 and 84 with ReLU for
// DQN.
func DefaultArchitecture(agent string) []spec.LayerSpec {
	if agent == "dqn" {
		return []spec.LayerSpec{{Name: "linear", Params: map[string]any{"out_features": 120}}, {Name: "relu"},
			{Name: "linear", Params: map[string]any{"out_features": 84}}, {Name: "relu"}}
	}
	return []spec.LayerSpec{{Name: "linear", Params: map[string]any{"out_features": 64}}, {Name: "tanh"},
		{Name: "linear", Params: map[string]any{"out_features": 64}}, {Name: "tanh"}}
}

// NewModel builds the networks for s, initialised from rng as CleanRL
// does (orthogonal for the policy-gradient agents, PyTorch's default for
// DQN).
func NewModel(s *Spec, rng *tensor.RNG) (*Model, error) {
	e, err := env.New(s.Env)
	if err != nil {
		return nil, err
	}
	arch := s.Architecture
	if arch == nil {
		arch = DefaultArchitecture(s.Agent)
	}
	m := &Model{Spec: s, Env: e}
	as := e.Actions()
	in := e.ObsSize()
	if s.Agent == "dqn" {
		if !as.Discrete() {
			return nil, fmt.Errorf("%s: dqn needs discrete actions, and %s has continuous ones", s.Path, s.Env)
		}
		m.actorName = "network"
		m.Actor, err = NewNet(in, arch, as.N, false, 1, rng)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Path, err)
		}
		return m, nil
	}
	m.Critic, err = NewNet(in, arch, 1, true, 1, rng)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Path, err)
	}
	if as.Discrete() {
		m.actorName = "actor"
		m.Actor, err = NewNet(in, arch, as.N, true, 0.01, rng)
	} else {
		m.actorName = "actor_mean"
		m.Actor, err = NewNet(in, arch, as.Dim, true, 0.01, rng)
		m.LogStd = autograd.Param(tensor.Zeros(1, as.Dim))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Path, err)
	}
	return m, nil
}

// Params returns every parameter with its PyTorch name.
func (m *Model) Params() []Named {
	var ps []Named
	if m.Critic != nil {
		ps = append(ps, Prefixed("critic", m.Critic)...)
	}
	ps = append(ps, Prefixed(m.actorName, m.Actor)...)
	if m.LogStd != nil {
		ps = append(ps, Named{Name: "actor_logstd", Var: m.LogStd})
	}
	return ps
}

// Clone returns a model with the same architecture and a copy of m's
// parameter values.
func (m *Model) Clone() *Model {
	c, err := NewModel(m.Spec, tensor.NewRNG(0))
	if err != nil {
		panic("rl: Clone: " + err.Error()) // m was built from the same spec
	}
	CopyParams(c.Params(), m.Params())
	return c
}

// Act chooses actions for n observations (rows of obs) and returns them as
// n rows of Env.Actions().Size() values. A DQN model takes the action of
// highest value; a policy samples from its distribution, or takes the most
// likely action (the mean) when greedy is set.
func (m *Model) Act(obs []float32, n int, rng *tensor.RNG, greedy bool) []float32 {
	if m.ObsNorm != nil {
		x := make([]float32, n*m.Env.ObsSize())
		m.ObsNorm.Normalize(x, obs, n)
		obs = x
	}
	out := m.Actor.Forward(Rows(obs, n, m.Env.ObsSize()), nn.Eval).Value
	as := m.Env.Actions()
	if as.Discrete() {
		acts := SampleCategorical(out, rng, greedy || m.Critic == nil)
		f := make([]float32, n)
		for i, a := range acts {
			f[i] = float32(a)
		}
		return f
	}
	a := SampleGaussian(out, m.LogStd.Value, rng, greedy).Data()
	for i, v := range a {
		a[i] = float32(math.Max(as.Low, math.Min(as.High, float64(v))))
	}
	return a
}

// obsRMS prefixes the saved observation statistics, as the attribute
// obs_rms of Gymnasium's NormalizeObservation.
const obsRMS = "obs_rms"

// Metadata keys of a saved model.
const (
	MetaSpec  = "rl_spec"
	MetaEnv   = "env"
	MetaAgent = "agent"
)

// Save writes the parameters to path as safetensors, with the spec's text
// in the metadata so that LoadModel can rebuild the networks.
func (m *Model) Save(path string) error {
	f := &safetensors.File{Tensors: map[string]*tensor.Tensor{}, Metadata: map[string]string{
		MetaSpec: string(m.Spec.Source), MetaEnv: m.Spec.Env, MetaAgent: m.Spec.Agent,
	}}
	for _, p := range m.Params() {
		f.Tensors[p.Name] = p.Value
	}
	if m.ObsNorm != nil {
		for name, t := range m.ObsNorm.Tensors(obsRMS) {
			f.Tensors[name] = t
		}
	}
	return safetensors.Save(path, f)
}

// LoadModel reads a model saved by Save.
func LoadModel(path string) (*Model, error) {
	f, err := safetensors.Load(path)
	if err != nil {
		return nil, err
	}
	src, ok := f.Metadata[MetaSpec]
	if !ok {
		return nil, fmt.Errorf("%s: not a reinforcement-learning model (no %q in the metadata)", path, MetaSpec)
	}
	s, err := ParseSpec(path+" (embedded spec)", []byte(src))
	if err != nil {
		return nil, err
	}
	m, err := NewModel(s, tensor.NewRNG(0))
	if err != nil {
		return nil, err
	}
	ps := m.Params()
	nt := len(ps)
	if mean, ok := f.Tensors[obsRMS+".mean"]; ok {
		vr, cnt := f.Tensors[obsRMS+".var"], f.Tensors[obsRMS+".count"]
		k := m.Env.ObsSize()
		if mean.Len() != k || vr == nil || vr.Len() != k || cnt == nil || cnt.Len() != 1 {
			return nil, fmt.Errorf("%s: %s.mean, .var and .count want %d, %d and 1 values", path, obsRMS, k, k)
		}
		m.ObsNorm = NewRunningMeanStd(k)
		for j := range k {
			m.ObsNorm.Mean[j], m.ObsNorm.Var[j] = float64(mean.Data()[j]), float64(vr.Data()[j])
		}
		m.ObsNorm.Count = float64(cnt.Data()[0])
		nt += 3
	}
	for _, p := range ps {
		t, ok := f.Tensors[p.Name]
		if !ok {
			return nil, fmt.Errorf("%s: missing tensor %q", path, p.Name)
		}
		if !tensor.SameShape(t, p.Value) {
			return nil, fmt.Errorf("%s: tensor %q has shape %v, want %v", path, p.Name, t.Shape(), p.Value.Shape())
		}
		p.Value.CopyFrom(t)
	}
	if len(f.Tensors) != nt {
		var extra []string
		for name := range f.Tensors {
			found := m.ObsNorm != nil && strings.HasPrefix(name, obsRMS+".")
			for _, p := range ps {
				found = found || p.Name == name
			}
			if !found {
				extra = append(extra, name)
			}
		}
		sort.Strings(extra)
		return nil, fmt.Errorf("%s: unexpected tensors %v", path, extra)
	}
	return m, nil
}
