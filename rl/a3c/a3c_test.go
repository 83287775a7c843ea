package a3c

import (
	"context"
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/rl"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestWorkersShareTheModel runs a tiny A3C with three workers; under
// go test -race it also checks that they share the model without a data
// race.
func TestWorkersShareTheModel(t *testing.T) {
	s, err := rl.ParseSpec("tiny.yaml", []byte("env: CartPole-v1\nagent: {name: a3c, num_workers: 3}\n"+
		"architecture: [{linear: 8}, tanh]\ntrain: {total_steps: 600, seed: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, p, err := Train(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Step < 600 {
		t.Errorf("trained %d steps, want ≥ 600", p.Step)
	}
	init, _ := rl.NewModel(s, tensor.NewRNG(1))
	changed := false
	for i, q := range m.Params() {
		for j, v := range q.Value.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s has %v", q.Name, v)
			}
			changed = changed || v != init.Params()[i].Value.Data()[j]
		}
	}
	if !changed {
		t.Error("the shared parameters never changed")
	}
}
