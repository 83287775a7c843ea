package optim

import (
	"errors"
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
)

func newSGD(t *testing.T, lr float64) *SGD {
	t.Helper()
	opt, err := NewSGD([]*autograd.Var{param(1)}, SGDConfig{LR: lr})
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

// The expected rates follow ReduceLROnPlateau.step of PyTorch 1.13 by hand;
// the comments give best, num_bad_epochs and cooldown_counter after each
// step.
func TestReduceLROnPlateau(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name    string
		hp      map[string]any
		lr      float64
		metrics []float64
		lrs     []float64 // rate after each Step
		reduced []int     // Steps (from 1) that lowered the rate
	}{
		{
			// best 10; bad 1, 2 (9.5 and 9.2 are not below 10·0.9); bad 3 >
			// 2: reduce, cooldown 1; 8 is better and the cooldown ends; bad
			// 1, 2, 3: reduce; the bad step 9 is forgiven by the cooldown;
			// bad 1, 2, 3: reduce.
			name:    "min rel with cooldown",
			hp:      map[string]any{"patience": 2, "factor": 0.5, "threshold": 0.1, "cooldown": 1},
			lr:      1,
			metrics: []float64{10, 9.5, 9.2, 9.1, 8, 8, 8, 8, 8, 8, 8, 8},
			lrs:     []float64{1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125},
			reduced: []int{4, 8, 12},
		},
		{
			// best 1; 1.4 is not above 1 + 0.5: reduce to 0.5; best 2; 1.9:
			// reduce to max(0.25, 0.3) = 0.3; 1.9 again: max(0.15, 0.3) =
			// 0.3 is no change.
			name:    "max abs with min_lr",
			hp:      map[string]any{"mode": "max", "threshold_mode": "abs", "threshold": 0.5, "patience": 0, "factor": 0.5, "min_lr": 0.3},
			lr:      1,
			metrics: []float64{1, 1.4, 2, 1.9, 1.9},
			lrs:     []float64{1, 0.5, 0.5, 0.3, 0.3},
			reduced: []int{2, 4},
		},
		{
			name:    "NaN is never better",
			hp:      map[string]any{"patience": 0},
			lr:      1,
			metrics: []float64{1, nan},
			lrs:     []float64{1, 0.1},
			reduced: []int{2},
		},
		{
			// 1e-9 − 1e-10 is below eps: the reduction is skipped.
			name:    "eps",
			hp:      map[string]any{"patience": 0},
			lr:      1e-9,
			metrics: []float64{1, 1, 1},
			lrs:     []float64{1e-9, 1e-9, 1e-9},
		},
		{
			// min/abs: 0.95 is not below 1 − 0.1, so patience 1 runs out at
			// the third step.
			name:    "min abs",
			hp:      map[string]any{"threshold_mode": "abs", "threshold": 0.1, "patience": 1},
			lr:      0.5,
			metrics: []float64{1, 0.95, 0.95, 0.5},
			lrs:     []float64{0.5, 0.5, 0.05, 0.05},
			reduced: []int{3},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := newSGD(t, tc.lr)
			c, err := ParsePlateauConfig(tc.hp)
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewReduceLROnPlateau(opt, c)
			if err != nil {
				t.Fatal(err)
			}
			var reduced []int
			for i, m := range tc.metrics {
				if r.Step(m) {
					reduced = append(reduced, i+1)
				}
				if got, want := opt.LR(), tc.lrs[i]; math.Abs(got-want) > 1e-15 {
					t.Errorf("step %d (metric %v): got lr %v, want %v", i+1, m, got, want)
				}
			}
			if !equalIntSlices(reduced, tc.reduced) {
				t.Errorf("reduced at steps %v, want %v", reduced, tc.reduced)
			}
			if got := r.State().LastEpoch; got != len(tc.metrics) {
				t.Errorf("LastEpoch: got %d, want %d", got, len(tc.metrics))
			}
		})
	}
}

func equalIntSlices(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPlateauMaxRelNegative pins a PyTorch quirk: in max/rel mode the
// threshold scales a negative best downwards, so a slightly worse negative
// metric counts as an improvement.
func TestPlateauMaxRelNegative(t *testing.T) {
	c := DefaultPlateauConfig()
	c.Mode, c.Threshold = "max", 0.1
	r, err := NewReduceLROnPlateau(newSGD(t, 1), c)
	if err != nil {
		t.Fatal(err)
	}
	r.Step(-1)
	r.Step(-1.05) // −1.05 > −1·1.1
	if got, want := r.State(), (PlateauState{Best: -1.05, LastEpoch: 2}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestPlateauState(t *testing.T) {
	c := DefaultPlateauConfig()
	c.Patience = 1
	opt := newSGD(t, 1)
	r, err := NewReduceLROnPlateau(opt, c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.State(), (PlateauState{Best: math.Inf(1)}); got != want {
		t.Errorf("initial state: got %+v, want %+v", got, want)
	}
	r.Step(1)
	r.Step(2)
	saved := r.State()
	if want := (PlateauState{Best: 1, BadEpochs: 1, LastEpoch: 2}); saved != want {
		t.Errorf("state: got %+v, want %+v", saved, want)
	}
	// A fresh scheduler restored from the saved state reduces at the same
	// step as the original.
	r2, err := NewReduceLROnPlateau(newSGD(t, 1), c)
	if err != nil {
		t.Fatal(err)
	}
	r2.SetState(saved)
	if got1, got2 := r.Step(3), r2.Step(3); !got1 || !got2 {
		t.Errorf("after restoring: reduced = %v and %v, want true for both", got1, got2)
	}
	if got := r.Config(); got != c {
		t.Errorf("Config: got %+v, want %+v", got, c)
	}
}

func TestPlateauConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		hp   map[string]any
		want string
	}{
		{map[string]any{"mode": "avg"}, `optim: reduce_on_plateau: mode = "avg", want "min" or "max"`},
		{map[string]any{"threshold_mode": "pct"}, `optim: reduce_on_plateau: threshold_mode = "pct", want "rel" or "abs"`},
		{map[string]any{"factor": 1}, "optim: reduce_on_plateau: factor = 1, want 0 ≤ factor < 1"},
		{map[string]any{"factor": -0.5}, "optim: reduce_on_plateau: factor = -0.5, want 0 ≤ factor < 1"},
		{map[string]any{"patience": -1}, "optim: reduce_on_plateau: patience = -1, want patience ≥ 0"},
		{map[string]any{"threshold": -1e-4}, "optim: reduce_on_plateau: threshold = -0.0001, want threshold ≥ 0"},
		{map[string]any{"cooldown": -2}, "optim: reduce_on_plateau: cooldown = -2, want cooldown ≥ 0"},
		{map[string]any{"min_lr": -1}, "optim: reduce_on_plateau: min_lr = -1, want min_lr ≥ 0"},
		{map[string]any{"eps": -1}, "optim: reduce_on_plateau: eps = -1, want eps ≥ 0"},
		{map[string]any{"mode": 1}, "optim: reduce_on_plateau: mode is int (1), want a string"},
		{map[string]any{"patience": 2.5}, "optim: reduce_on_plateau: patience is float64 (2.5), want a whole number"},
		{map[string]any{"verbose": true}, `optim: reduce_on_plateau: unknown hyperparameter "verbose" (allowed: mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps)`},
	} {
		_, err := ParsePlateauConfig(tc.hp)
		if err == nil {
			t.Errorf("ParsePlateauConfig(%v): got no error, want %q", tc.hp, tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("ParsePlateauConfig(%v):\ngot  %q\nwant %q", tc.hp, err, tc.want)
		}
		if !errors.Is(err, ErrConfig) {
			t.Errorf("%q does not wrap ErrConfig", err)
		}
	}
	// The constructor checks too.
	c := DefaultPlateauConfig()
	c.Factor = 2
	if _, err := NewReduceLROnPlateau(newSGD(t, 1), c); err == nil {
		t.Errorf("NewReduceLROnPlateau with factor 2: got no error")
	}
	if _, err := NewReduceLROnPlateau(newSGD(t, 1), PlateauConfig{}); err == nil {
		t.Errorf("NewReduceLROnPlateau with the zero config: got no error")
	}
}
