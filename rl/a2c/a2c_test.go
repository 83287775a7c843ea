package a2c

import (
	"context"
	"reflect"
	"testing"

	"github.com/bigfunc/bigfunc/rl"
)

func spec(t *testing.T, seed string) *rl.Spec {
	t.Helper()
	s, err := rl.ParseSpec("tiny.yaml", []byte("env: Acrobot-v1\nagent: {name: a2c, num_envs: 2}\n"+
		"architecture: [{linear: 8}, tanh]\ntrain: {total_steps: 300, seed: "+seed+"}\n"))
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
	m1, _, err := Train(context.Background(), spec(t, "1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m2, _, _ := Train(context.Background(), spec(t, "1"), nil)
	m3, _, _ := Train(context.Background(), spec(t, "2"), nil)
	if !reflect.DeepEqual(params(m1), params(m2)) {
		t.Error("the same seed gave different parameters")
	}
	if reflect.DeepEqual(params(m1), params(m3)) {
		t.Error("seeds 1 and 2 gave the same parameters")
	}
}
