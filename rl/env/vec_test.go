package env

import (
	"reflect"
	"testing"
)

// run steps a Vec with a fixed action pattern and records everything it
// returns.
func runVec(t *testing.T, name string, seed uint64) ([]float32, []Episode) {
	t.Helper()
	v, err := NewVec(name, 3, seed)
	if err != nil {
		t.Fatal(err)
	}
	as := v.Envs[0].Actions()
	var obs []float32
	var eps []Episode
	var s *VecStep
	acts := make([]float32, v.N()*as.Size())
	for step := range 700 {
		for i := range acts {
			if as.Discrete() {
				acts[i] = float32((step*7 + i*3) % as.N)
			} else {
				acts[i] = float32((step*7+i*3)%5) - 2
			}
		}
		s = v.Step(acts, s)
		obs = append(obs, s.Obs...)
		eps = append(eps, s.Episodes...)
		for i := range v.N() {
			if (s.Terminated[i] || s.Truncated[i]) != (s.FinalObs[i] != nil) {
				t.Fatalf("%s: step %d copy %d: FinalObs set %v, done %v", name, step, i, s.FinalObs[i] != nil, s.Terminated[i] || s.Truncated[i])
			}
		}
	}
	return obs, eps
}

func TestVecDeterministicAndAutoreset(t *testing.T) {
	for _, name := range Names() {
		o1, e1 := runVec(t, name, 5)
		o2, e2 := runVec(t, name, 5)
		if !reflect.DeepEqual(o1, o2) || !reflect.DeepEqual(e1, e2) {
			t.Errorf("%s: the same seed gave different episodes", name)
		}
		o3, _ := runVec(t, name, 6)
		if reflect.DeepEqual(o1, o3) {
			t.Errorf("%s: seeds 5 and 6 gave the same observations", name)
		}
		if len(e1) == 0 {
			t.Errorf("%s: no episode ended in 700 steps", name)
		}
		e, _ := New(name)
		for _, ep := range e1 {
			if ep.Length > e.MaxSteps() || ep.Length <= 0 {
				t.Errorf("%s: episode of length %d, limit %d", name, ep.Length, e.MaxSteps())
			}
		}
	}
}
