package conformance

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/optim"
)

type optimizersFile struct {
	Cases []struct {
		Optimizer  string         `json:"optimizer"`
		Params     map[string]any `json:"params"`
		P0         jsonTensor     `json:"p0"`
		Grads      []jsonTensor   `json:"grads"`
		Trajectory []jsonTensor   `json:"trajectory"`
	} `json:"cases"`
	Schedules []struct {
		Schedule string         `json:"schedule"`
		Params   map[string]any `json:"params"`
		BaseLR   float64        `json:"base_lr"`
		LRs      []float64      `json:"lrs"`
	} `json:"schedules"`
}

// checkOptimizers replays every optimizer case of optimizers.json (one
// parameter, a fixed gradient sequence, the parameter after each step) and
// every learning-rate schedule, and returns the number of cases checked.
// Optimizers, schedules and hyperparameters go through optim.New and
// optim.NewSchedule, so an unknown one fails instead of being skipped.
func checkOptimizers(t *testing.T, path string) int {
	var f optimizersFile
	if !readJSON(t, path, &f) {
		return 0
	}
	n := 0
	for i, c := range f.Cases {
		name := fmt.Sprintf("optimizers case %d (%s %s)", i, c.Optimizer, optimizerParams(c.Params))
		n++
		if len(c.Grads) == 0 || len(c.Grads) != len(c.Trajectory) {
			t.Errorf("%s: %d gradients for %d trajectory points, want equal and > 0", name, len(c.Grads), len(c.Trajectory))
			continue
		}
		p := autograd.Param(c.P0.tensor())
		opt, err := optim.New(c.Optimizer, []*autograd.Var{p}, c.Params)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for s, g := range c.Grads {
			opt.ZeroGrad()
			p.Grad = g.tensor()
			opt.Step()
			if !compareTensor(t, fmt.Sprintf("%s step %d", name, s+1), p.Value, c.Trajectory[s], 1e-5, 1e-5) {
				break
			}
		}
	}
	for i, c := range f.Schedules {
		name := fmt.Sprintf("optimizers schedule %d (%s %s, base_lr %v)", i, c.Schedule, optimizerParams(c.Params), c.BaseLR)
		n++
		s, err := optim.NewSchedule(c.Schedule, c.Params)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(c.LRs) == 0 {
			t.Errorf("%s: no learning rates", name)
		}
		for step, want := range c.LRs {
			if got := s.LR(c.BaseLR, step); !within(got, want, 1e-6, 1e-5) {
				t.Errorf("%s: step %d: got lr %.9g, want %.9g", name, step, got, want)
			}
		}
	}
	return n
}

// optimizerParams formats hyperparameters in key order, to name a case.
func optimizerParams(hp map[string]any) string {
	keys := make([]string, 0, len(hp))
	for k := range hp {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, hp[k])
	}
	return "{" + strings.Join(parts, " ") + "}"
}
