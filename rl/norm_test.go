package rl

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/bigfunc/bigfunc/rl/env"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestRunningMeanStd checks the merged statistics against the mean and
// variance of all the data at once, with the prior (mean 0, variance 1,
// weight 1e-4) as a pseudo-sample, and that the order of batches does not
// matter.
func TestRunningMeanStd(t *testing.T) {
	rng := tensor.NewRNG(4)
	const n, w = 50, 2
	x := make([]float64, n*w)
	for i := range x {
		x[i] = 3 + 2*rng.Normal() + float64(i%w)
	}
	a := NewRunningMeanStd(w)
	a.Update(x, n)
	b := NewRunningMeanStd(w)
	b.Update(x[:20*w], 20)
	b.Update(x[20*w:], n-20)
	for j := range w {
		const c0 = 1e-4
		var sum float64
		for i := range n {
			sum += x[i*w+j]
		}
		mean := sum / (n + c0)
		ss := c0 * (1 + mean*mean) // the prior: variance 1 about 0
		for i := range n {
			d := x[i*w+j] - mean
			ss += d * d
		}
		vr := ss / (n + c0)
		for _, r := range []*RunningMeanStd{a, b} {
			if math.Abs(r.Mean[j]-mean) > 1e-9 || math.Abs(r.Var[j]-vr) > 1e-9 {
				t.Errorf("column %d: mean, var = %v, %v, want %v, %v", j, r.Mean[j], r.Var[j], mean, vr)
			}
		}
	}
	if a.Count != n+1e-4 {
		t.Errorf("count = %v, want %v", a.Count, n+1e-4)
	}
	out := make([]float32, 2)
	a.Normalize(out, []float32{float32(a.Mean[0]), 1e6}, 1)
	if math.Abs(float64(out[0])) > 1e-6 || out[1] != 10 {
		t.Errorf("Normalize(mean, 1e6) = %v, want [0 10]", out)
	}
}

// TestRewardNorm follows one copy's discounted return by hand: rewards of
// 100 with γ = 0.5 give returns 100, 150, and a termination restarts it;
// rewards are clipped to 10 (the first one is).
func TestRewardNorm(t *testing.T) {
	r := NewRewardNorm(1, 0.5)
	want := NewRunningMeanStd(1)
	for i, c := range []struct {
		term bool
		ret  float64
	}{{false, 100}, {false, 150}, {true, 100}, {false, 150}} {
		rw := []float32{100}
		r.Apply(rw, []bool{c.term})
		want.Update([]float64{c.ret}, 1)
		if w := min(10, 100/math.Sqrt(want.Var[0]+1e-8)); math.Abs(float64(rw[0])-w) > 1e-4 {
			t.Errorf("step %d: reward %v, want %v", i, rw[0], w)
		}
	}
}

// TestModelSavesObsNorm checks that a model with observation statistics
// acts the same after a save and load, and differently without them.
func TestModelSavesObsNorm(t *testing.T) {
	s, err := ParseSpec("s.yaml", []byte("env: Pendulum-v1\nagent: ppo\ntrain: {total_steps: 10}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := NewModel(s, tensor.NewRNG(3))
	m.ObsNorm = NewRunningMeanStd(3)
	m.ObsNorm.Update([]float64{5, 6, 7, 9, 8, 1}, 2)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m2, err := LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	if m2.ObsNorm == nil {
		t.Fatal("loaded model has no observation statistics")
	}
	obs := []float32{0.5, -0.5, 1}
	a1, a2 := m.Act(obs, 1, nil, true), m2.Act(obs, 1, nil, true)
	if math.Abs(float64(a1[0]-a2[0])) > 1e-6 {
		t.Errorf("loaded model acts %v, saved one %v", a2, a1)
	}
	m.ObsNorm = nil
	if a3 := m.Act(obs, 1, nil, true); a3[0] == a1[0] {
		t.Errorf("the statistics change nothing: %v", a3)
	}
}

// TestProgressSolved checks when a run counts as solved: the mean of the
// last 20 episodes at the threshold, not before 20 episodes, and Stop
// only for a run told to stop.
func TestProgressSolved(t *testing.T) {
	p := NewProgress(nil, "ppo", "CartPole-v1", 1000)
	eps := func(r float64, n int) []env.Episode {
		out := make([]env.Episode, n)
		for i := range out {
			out[i].Return = r
		}
		return out
	}
	p.Episodes(100, eps(500, 19))
	if p.Solved != nil {
		t.Fatal("solved after 19 episodes")
	}
	p.Episodes(200, eps(400, 1)) // mean of 20: (19·500 + 400)/20 = 495
	if p.Solved == nil || p.Solved.Step != 200 {
		t.Fatalf("Solved = %+v, want step 200", p.Solved)
	}
	p.Episodes(300, eps(0, 20))
	if p.Solved.Step != 200 {
		t.Errorf("Solved moved to step %d", p.Solved.Step)
	}
	if p.Stop(Train{}) || !p.Stop(Train{StopWhenSolved: true}) {
		t.Error("Stop ignores StopWhenSolved")
	}
	q := NewProgress(nil, "ppo", "Pendulum-v1", 1000)
	q.Episodes(100, eps(0, 30))
	if q.Solved != nil {
		t.Error("Pendulum-v1, which has no threshold, counted as solved")
	}
}
