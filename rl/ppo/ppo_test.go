package ppo

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/rl"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestClippedSurrogateGradient checks the fused gradient by central
// differences, at ratios inside the clip range, beyond it on the side
// where the clip binds, and beyond it on the side where it does not.
func TestClippedSurrogateGradient(t *testing.T) {
	old := []float32{-1, -1, -1, -1, -1, -1}
	adv := []float32{1, -2, 1, -1, 1, -1}
	// log r = logp − old: r ≈ 1.05 (inside), 1.5 with A < 0 (unclipped
	// term larger: gradient flows), 1.5 with A > 0 (clipped: no gradient),
	// 0.5 with A < 0 (clipped), 0.5 with A > 0 (unclipped), 0.95 inside.
	logp := tensor.FromSlice([]float32{-1 + 0.0488, -1 + 0.405, -1 + 0.405, -1 - 0.693, -1 - 0.693, -1 - 0.0513}, 6)
	f := func(in []*autograd.Var) *autograd.Var { return ClippedSurrogate(in[0], old, adv, 0.2) }
	if err := gradtest.Check(f, []*tensor.Tensor{logp}, gradtest.Options{Eps: 1e-3, AbsTol: 1e-3, RelTol: 1e-2}); err != nil {
		t.Error(err)
	}
	// The clipped entries have no gradient at all.
	v := autograd.Param(logp.Clone())
	ClippedSurrogate(v, old, adv, 0.2).Backward()
	g := v.Grad.Data()
	if g[2] != 0 || g[3] != 0 {
		t.Errorf("gradient where the clip binds = %v, %v, want 0", g[2], g[3])
	}
	// And the value is the mean of the chosen terms, worked out directly.
	var want float64
	for i := range adv {
		r := math.Exp(float64(logp.Data()[i] - old[i]))
		a := float64(adv[i])
		want += math.Max(-a*r, -a*math.Max(0.8, math.Min(1.2, r)))
	}
	if got := float64(ClippedSurrogate(autograd.Const(logp), old, adv, 0.2).Value.Item()); math.Abs(got-want/6) > 1e-6 {
		t.Errorf("value = %v, want %v", got, want/6)
	}
}

func TestValueLossGradient(t *testing.T) {
	oldV := []float32{0, 0, 0, 0}
	ret := []float32{1, -1, 0.05, 2}
	v := tensor.FromSlice([]float32{0.1, 0.5, -0.5, 0.3}, 4)
	for _, clip := range []float64{0, 0.2} {
		f := func(in []*autograd.Var) *autograd.Var { return ValueLoss(in[0], oldV, ret, clip) }
		if err := gradtest.Check(f, []*tensor.Tensor{v}, gradtest.Options{Eps: 1e-3, AbsTol: 1e-3}); err != nil {
			t.Errorf("clip %v: %v", clip, err)
		}
	}
}

func tinySpec(t *testing.T, seed uint64, env string) *rl.Spec {
	t.Helper()
	src := "env: " + env + "\nagent: {name: ppo, num_envs: 2, num_steps: 32, num_minibatches: 2, update_epochs: 2}\n" +
		"architecture: [{linear: 8}, tanh]\ntrain: {total_steps: 256, seed: " + string(rune('0'+seed)) + "}\n"
	s, err := rl.ParseSpec("tiny.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func params(m *rl.Model) [][]float32 {
	var out [][]float32
	for _, p := range m.Params() {
		out = append(out, append([]float32(nil), p.Value.Data()...))
	}
	return out
}

// TestDeterministic trains twice with one seed and once with another.
func TestDeterministic(t *testing.T) {
	for _, e := range []string{"CartPole-v1", "Pendulum-v1"} {
		m1, p1, err := Train(context.Background(), tinySpec(t, 1, e), nil)
		if err != nil {
			t.Fatal(err)
		}
		m2, p2, _ := Train(context.Background(), tinySpec(t, 1, e), nil)
		m3, _, _ := Train(context.Background(), tinySpec(t, 2, e), nil)
		if !reflect.DeepEqual(params(m1), params(m2)) || !reflect.DeepEqual(p1.Curve, p2.Curve) {
			t.Errorf("%s: the same seed gave different results", e)
		}
		if reflect.DeepEqual(params(m1), params(m3)) {
			t.Errorf("%s: seeds 1 and 2 gave the same parameters", e)
		}
	}
}
