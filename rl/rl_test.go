package rl

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/tensor"
)

func near(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-6 }

// TestGAEByHand checks GAE on cases small enough to work out on paper.
func TestGAEByHand(t *testing.T) {
	r := []float32{1, 2, 3}
	zero := []float32{0, 0, 0}
	// λ = 1, values 0, no episode end: discounted returns with γ = 0.5,
	// R₂ = 3, R₁ = 2 + 0.5·3 = 3.5, R₀ = 1 + 0.5·3.5 = 2.75.
	adv, ret := GAE(r, zero, zero, []float32{0}, []float32{0}, 1, 0.5, 1)
	for i, w := range []float32{2.75, 3.5, 3} {
		if !near(adv[i], w) || !near(ret[i], w) {
			t.Errorf("λ=1: adv[%d], ret[%d] = %v, %v, want %v", i, i, adv[i], ret[i], w)
		}
	}
	// A new episode starts at step 2 (dones[2] = 1), and the rollout
	// bootstraps from V = 4 after step 2: R₂ = 3 + 0.5·4 = 5, R₁ = 2 (no
	// bootstrap across the episode end), R₀ = 1 + 0.5·2 = 2.
	_, ret = GAE(r, zero, []float32{0, 0, 1}, []float32{4}, []float32{0}, 1, 0.5, 1)
	for i, w := range []float32{2, 2, 5} {
		if !near(ret[i], w) {
			t.Errorf("episode end: ret[%d] = %v, want %v", i, ret[i], w)
		}
	}
	// λ = 0 gives the one-step TD errors δₜ = rₜ + γV(t+1) − V(t) with
	// V = (1, 1, 1) and V after = 1, γ = 0.5: δ = (0.5, 1.5, 2.5).
	ones := []float32{1, 1, 1}
	adv, _ = GAE(r, ones, zero, []float32{1}, []float32{0}, 1, 0.5, 0)
	for i, w := range []float32{0.5, 1.5, 2.5} {
		if !near(adv[i], w) {
			t.Errorf("λ=0: adv[%d] = %v, want %v", i, adv[i], w)
		}
	}
	// Two environments interleaved: each is its own one-step problem.
	adv, _ = GAE([]float32{1, 10}, []float32{0, 0}, []float32{0, 0}, []float32{2, 20}, []float32{0, 1}, 2, 0.5, 0.9)
	if !near(adv[0], 2) || !near(adv[1], 10) {
		t.Errorf("two envs: adv = %v, want [2 10]", adv)
	}
}

func TestOrthogonal(t *testing.T) {
	for _, shape := range [][2]int{{3, 5}, {5, 3}, {4, 4}} {
		w := tensor.Zeros(shape[0], shape[1])
		Orthogonal(w, tensor.NewRNG(1), 2)
		// The smaller side's vectors are orthogonal with norm gain.
		a := w
		if shape[0] > shape[1] {
			a = w.Transpose()
		}
		g := tensor.MatMulT(a, a, false, true)
		for i := range g.Dim(0) {
			for j := range g.Dim(1) {
				want := 0.0
				if i == j {
					want = 4
				}
				if math.Abs(float64(g.At(i, j))-want) > 1e-4 {
					t.Fatalf("%v: (WWᵀ)[%d][%d] = %v, want %v", shape, i, j, g.At(i, j), want)
				}
			}
		}
	}
}

func TestCategorical(t *testing.T) {
	logits := tensor.FromSlice([]float32{1, 2, 3, 0, 0, 0}, 2, 3)
	lp, ent := Categorical(autograd.Const(logits), []int{2, 0})
	z := math.Log(math.Exp(1) + math.Exp(2) + math.Exp(3))
	if got, want := float64(lp.Value.At(0)), 3-z; math.Abs(got-want) > 1e-6 {
		t.Errorf("logp[0] = %v, want %v", got, want)
	}
	if got, want := float64(ent.Value.At(1)), math.Log(3); math.Abs(got-want) > 1e-6 {
		t.Errorf("entropy of the uniform row = %v, want log 3 = %v", got, want)
	}
	err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
		lp, ent := Categorical(in[0], []int{1, 2})
		return autograd.Add(lp, ent)
	}, []*tensor.Tensor{logits}, gradtest.Options{})
	if err != nil {
		t.Error(err)
	}
}

func TestGaussian(t *testing.T) {
	mean := tensor.FromSlice([]float32{0.5, -1, 0.2, 0.3}, 2, 2)
	logstd := tensor.FromSlice([]float32{-0.5, 0.1}, 1, 2)
	act := tensor.FromSlice([]float32{0.1, -0.4, 0.9, 0.2}, 2, 2)
	lp, ent := Gaussian(autograd.Const(mean), autograd.Const(logstd), act)
	var want float64
	for j, a := range []float64{0.1, -0.4} {
		mu, s := []float64{0.5, -1}[j], math.Exp([]float64{-0.5, 0.1}[j])
		want += -(a-mu)*(a-mu)/(2*s*s) - math.Log(s*math.Sqrt(2*math.Pi))
	}
	if math.Abs(float64(lp.Value.At(0))-want) > 1e-5 {
		t.Errorf("logp[0] = %v, want %v", lp.Value.At(0), want)
	}
	if w := 1 + math.Log(2*math.Pi) + (-0.5 + 0.1); math.Abs(float64(ent.Value.At(1))-w) > 1e-5 {
		t.Errorf("entropy = %v, want %v", ent.Value.At(1), w)
	}
	err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
		lp, ent := Gaussian(in[0], in[1], act)
		return autograd.Add(lp, ent)
	}, []*tensor.Tensor{mean, logstd}, gradtest.Options{})
	if err != nil {
		t.Error(err)
	}
}

func TestSpecErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"env: CartPole-v1\nagent: ppo\ntrain: {total_steps: 10}\nfoo: 1\n", "s.yaml:4:1: unknown key \"foo\""},
		{"env: CartPole-v2\nagent: ppo\ntrain: {total_steps: 10}\n", "s.yaml:1:6: env: unknown environment \"CartPole-v2\" (did you mean"},
		{"env: CartPole-v1\nagent: {name: ppx}\ntrain: {total_steps: 10}\n", "agent: unknown name \"ppx\" (did you mean \"ppo\"?)"},
		{"env: CartPole-v1\nagent: ppo\ntrain: {total_steps: -1}\n", "s.yaml:3:22: train.total_steps: want a positive integer"},
		{"env: CartPole-v1\nagent: ppo\n", "missing train"},
		{"env: CartPole-v1\nagent: ppo\ntrain: {total_steps: 10, stop_when_solved: maybe}\n", "s.yaml:3:44: train.stop_when_solved: want true or false"},
	} {
		_, err := ParseSpec("s.yaml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error containing %q", c.src, err, c.want)
		}
	}
	s, err := ParseSpec("s.yaml", []byte("env: CartPole-v1\nagent:\n  name: ppo\n  num_env: 2\ntrain: {total_steps: 10}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		NumEnvs int `yaml:"num_envs"`
	}
	if err := s.DecodeAgent(&cfg); err == nil || !strings.Contains(err.Error(), "s.yaml:4:3: agent ppo: unknown hyperparameter \"num_env\" (did you mean \"num_envs\"?)") {
		t.Errorf("DecodeAgent: got %v", err)
	}
}

func TestModelSaveLoad(t *testing.T) {
	for _, c := range []struct {
		src   string
		names []string
	}{
		{"env: CartPole-v1\nagent: ppo\ntrain: {total_steps: 10}\n", []string{"critic.0.weight", "critic.4.bias", "actor.4.weight"}},
		{"env: Pendulum-v1\nagent: ppo\ntrain: {total_steps: 10}\n", []string{"actor_mean.2.weight", "actor_logstd"}},
		{"env: Acrobot-v1\nagent: dqn\ntrain: {total_steps: 10}\n", []string{"network.0.weight", "network.4.bias"}},
	} {
		s, err := ParseSpec("s.yaml", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewModel(s, tensor.NewRNG(3))
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, p := range m.Params() {
			have[p.Name] = true
		}
		for _, n := range c.names {
			if !have[n] {
				t.Errorf("%s: no parameter %s", s.Env, n)
			}
		}
		path := filepath.Join(t.TempDir(), "m.safetensors")
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		m2, err := LoadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		obs := m.Env.Reset(tensor.NewRNG(1))
		a1 := m.Act(obs, 1, tensor.NewRNG(5), true)
		a2 := m2.Act(obs, 1, tensor.NewRNG(5), true)
		if a1[0] != a2[0] {
			t.Errorf("%s: loaded model acts %v, saved one %v", s.Env, a2, a1)
		}
		for i, p := range m2.Params() {
			if !tensor.SameShape(p.Value, m.Params()[i].Value) {
				t.Errorf("%s: shape mismatch", p.Name)
			}
		}
	}
	if _, err := LoadModel(filepath.Join(t.TempDir(), "missing.safetensors")); err == nil {
		t.Error("LoadModel of a missing file: no error")
	}
}
