package dqn

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/bigfunc/bigfunc/rl"
)

func spec(t *testing.T, extra string) *rl.Spec {
	t.Helper()
	src := "env: CartPole-v1\nagent: {name: dqn, learning_starts: 100, train_frequency: 4, batch_size: 16, target_network_frequency: 50" + extra + "}\n" +
		"architecture: [{linear: 16}, relu]\ntrain: {total_steps: 600, seed: 4}\n"
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

func TestDeterministic(t *testing.T) {
	for _, extra := range []string{"", ", double_dqn: true, loss: mse"} {
		m1, p1, err := Train(context.Background(), spec(t, extra), nil)
		if err != nil {
			t.Fatal(err)
		}
		m2, p2, _ := Train(context.Background(), spec(t, extra), nil)
		if !reflect.DeepEqual(params(m1), params(m2)) || !reflect.DeepEqual(p1.Curve, p2.Curve) {
			t.Errorf("%q: the same seed gave different results", extra)
		}
	}
}

func TestEpsilonSchedule(t *testing.T) {
	c := DefaultConfig()
	// ε falls linearly from 1 to 0.05 over half of 1000 steps, then stays.
	for _, x := range []struct {
		step int
		want float64
	}{{0, 1}, {250, 0.525}, {500, 0.05}, {900, 0.05}} {
		if got := epsilon(c, 1000, x.step); math.Abs(got-x.want) > 1e-12 {
			t.Errorf("epsilon(%d) = %v, want %v", x.step, got, x.want)
		}
	}
}

func TestBadConfig(t *testing.T) {
	if _, _, err := Train(context.Background(), spec(t, ", loss: l1"), nil); err == nil {
		t.Error("loss: l1 accepted")
	}
}
