package env

import (
	"fmt"

	"github.com/bigfunc/bigfunc/tensor"
)

// Vec steps N copies of an environment together, as Gymnasium's vector
// environments do, with the time limit applied and automatic reset: when an
// episode ends, Step returns the first observation of the next one in its
// place and keeps the last one in FinalObs.
//
// Copy i draws its initial states from its own generator, seeded from the
// Vec's seed and i, so the same seed always gives the same episodes.
type Vec struct {
	Envs []Env
	rngs []*tensor.RNG
	obs  []float32
	// steps, ret count each copy's current episode.
	steps []int
	ret   []float64
}

// Episode is a finished episode: which copy ran it, its return and length.
type Episode struct {
	Env    int
	Return float64
	Length int
}

// VecStep is what Vec.Step returns. Its slices are reused by the next Step.
type VecStep struct {
	// Obs holds N observations, row-major: the next one of each copy, or the
	// first of a new episode where one ended.
	Obs []float32
	// Reward, Terminated and Truncated have one entry per copy.
	Reward                []float64
	Terminated, Truncated []bool
	// FinalObs[i] is the last observation of copy i's episode when it just
	// ended, nil otherwise.
	FinalObs [][]float32
	// Episodes lists the episodes that ended at this step.
	Episodes []Episode
}

// NewVec returns n copies of the environment name, reset from seed.
func NewVec(name string, n int, seed uint64) (*Vec, error) {
	if n <= 0 {
		return nil, fmt.Errorf("num_envs = %d, want ≥ 1", n)
	}
	v := &Vec{steps: make([]int, n), ret: make([]float64, n)}
	for i := range n {
		e, err := New(name)
		if err != nil {
			return nil, err
		}
		v.Envs = append(v.Envs, e)
		v.rngs = append(v.rngs, tensor.NewRNG(seed*0x9e3779b97f4a7c15+uint64(i)+1))
	}
	v.obs = make([]float32, 0, n*v.Envs[0].ObsSize())
	for i, e := range v.Envs {
		v.obs = append(v.obs, e.Reset(v.rngs[i])...)
	}
	return v, nil
}

// N returns the number of copies.
func (v *Vec) N() int { return len(v.Envs) }

// Obs returns the current observations, N rows.
func (v *Vec) Obs() []float32 { return v.obs }

// Step applies actions (N rows of ActionSpace().Size() values) and returns
// the outcome. s, if not nil, is reused.
func (v *Vec) Step(actions []float32, s *VecStep) *VecStep {
	n := v.N()
	if s == nil {
		s = &VecStep{}
	}
	s.Reward = resize(s.Reward, n)
	s.Terminated = resize(s.Terminated, n)
	s.Truncated = resize(s.Truncated, n)
	s.FinalObs = resize(s.FinalObs, n)
	s.Episodes = s.Episodes[:0]
	k := v.Envs[0].ObsSize()
	as := v.Envs[0].Actions().Size()
	for i, e := range v.Envs {
		obs, r, term := e.Step(actions[i*as : (i+1)*as])
		v.steps[i]++
		v.ret[i] += r
		trunc := v.steps[i] >= e.MaxSteps()
		s.Reward[i], s.Terminated[i], s.Truncated[i], s.FinalObs[i] = r, term, trunc, nil
		if term || trunc {
			s.FinalObs[i] = obs
			s.Episodes = append(s.Episodes, Episode{Env: i, Return: v.ret[i], Length: v.steps[i]})
			v.steps[i], v.ret[i] = 0, 0
			obs = e.Reset(v.rngs[i])
		}
		copy(v.obs[i*k:(i+1)*k], obs)
	}
	s.Obs = v.obs
	return s
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
