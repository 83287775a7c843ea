package optim

import (
	"errors"
	"math"
	"testing"
)

func TestScheduleValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		hp   map[string]any
		base float64
		want []float64
	}{
		{"step", map[string]any{"step_size": 3, "gamma": 0.5}, 0.1,
			[]float64{0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125}},
		{"step", map[string]any{"step_size": 2.0}, 1,
			[]float64{1, 1, 0.1, 0.1, 0.01}},
		{"exponential", map[string]any{"gamma": 0.9}, 0.1,
			[]float64{0.1, 0.09, 0.081, 0.0729, 0.06561}},
		// Past t_max the rate climbs back: step 15 is halfway, step 20 back
		// at the base.
		{"cosine", map[string]any{"t_max": 10, "eta_min": 0.001}, 0.1,
			[]float64{0.1, 0.09757729755661011, 0.0905463412215599, 0.07959536998847742, 0.0657963412215599, 0.0505,
				0.03520365877844011, 0.02140463001152259, 0.010453658778440109, 0.0034227024433899004, 0.001,
				0.0034227024433899004, 0.010453658778440109, 0.02140463001152259, 0.03520365877844011, 0.0505,
				0.0657963412215599, 0.07959536998847742, 0.0905463412215599, 0.09757729755661011, 0.1}},
		{"cosine", map[string]any{"t_max": 2}, 1, []float64{1, 0.5, 0, 0.5, 1}},
		{"linear_warmup", map[string]any{"start_factor": 0.1, "total_iters": 4}, 0.1,
			[]float64{0.01, 0.0325, 0.055, 0.0775, 0.1, 0.1, 0.1}},
		{"linear_warmup", nil, 0.3, []float64{0.1, 0.14, 0.18, 0.22, 0.26, 0.3, 0.3}},
		{"linear_warmup", map[string]any{"start_factor": 1, "end_factor": 0.5, "total_iters": 2}, 1,
			[]float64{1, 0.75, 0.5, 0.5}},
	} {
		s, err := NewSchedule(tc.name, tc.hp)
		if err != nil {
			t.Errorf("NewSchedule(%q, %v): %v", tc.name, tc.hp, err)
			continue
		}
		for step, want := range tc.want {
			if got := s.LR(tc.base, step); math.Abs(got-want) > 1e-15 {
				t.Errorf("%s%v: step %d: got %.17g, want %.17g", tc.name, tc.hp, step, got, want)
			}
		}
	}
}

// TestScheduleMatchesRecursion checks the closed forms against PyTorch's
// recursive (chainable) get_lr, transcribed from lr_scheduler.py, over many
// steps.
func TestScheduleMatchesRecursion(t *testing.T) {
	const base, steps = 0.1, 200
	pyMod := func(a, m int) int { return ((a % m) + m) % m }
	for _, tc := range []struct {
		s    Schedule
		next func(lr float64, t int) float64 // lr of step t ≥ 1 from that of t−1
	}{
		{StepLR{StepSize: 7, Gamma: 0.7}, func(lr float64, t int) float64 {
			if t%7 != 0 {
				return lr
			}
			return lr * 0.7
		}},
		{ExponentialLR{Gamma: 0.97}, func(lr float64, t int) float64 { return lr * 0.97 }},
		{CosineAnnealingLR{TMax: 13, EtaMin: 0.002}, func(lr float64, t int) float64 {
			const tMax, etaMin = 13, 0.002
			if pyMod(t-1-tMax, 2*tMax) == 0 {
				return lr + (base-etaMin)*(1-math.Cos(math.Pi/tMax))/2
			}
			return (1+math.Cos(math.Pi*float64(t)/tMax))/(1+math.Cos(math.Pi*float64(t-1)/tMax))*(lr-etaMin) + etaMin
		}},
		{LinearLR{StartFactor: 0.25, EndFactor: 0.9, TotalIters: 17}, func(lr float64, t int) float64 {
			const start, end, total = 0.25, 0.9, 17
			if t > total {
				return lr
			}
			return lr * (1 + (end-start)/(total*start+float64(t-1)*(end-start)))
		}},
	} {
		lr := tc.s.LR(base, 0)
		for step := 1; step < steps; step++ {
			lr = tc.next(lr, step)
			if got := tc.s.LR(base, step); math.Abs(got-lr) > 1e-12*base {
				t.Errorf("%T: step %d: got %.17g, want %.17g", tc.s, step, got, lr)
				break
			}
		}
	}
	// The recursions start from the rate at step 0.
	for _, tc := range []struct {
		s    Schedule
		want float64
	}{
		{StepLR{StepSize: 7, Gamma: 0.7}, base},
		{ExponentialLR{Gamma: 0.97}, base},
		{CosineAnnealingLR{TMax: 13, EtaMin: 0.002}, base},
		{LinearLR{StartFactor: 0.25, EndFactor: 0.9, TotalIters: 17}, base * 0.25},
	} {
		if got := tc.s.LR(base, 0); got != tc.want {
			t.Errorf("%T: step 0: got %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestNewScheduleErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		hp   map[string]any
		want string
	}{
		{"warmup", nil, `optim: unknown schedule "warmup"; allowed: step, exponential, cosine, linear_warmup (reduce_on_plateau is built with NewReduceLROnPlateau)`},
		{"reduce_on_plateau", map[string]any{"patience": 3}, `optim: schedule "reduce_on_plateau" depends on the metric, not only on the step: use NewReduceLROnPlateau`},
		{"step", map[string]any{"gamma": 0.5}, "optim: step: step_size is required"},
		{"step", map[string]any{"step_size": 2.5}, "optim: step: step_size is float64 (2.5), want a whole number"},
		{"step", map[string]any{"step_size": 0}, "optim: step: step_size = 0, want step_size ≥ 1"},
		{"step", map[string]any{"step_size": 1, "gamma": -0.5}, "optim: step: gamma = -0.5, want gamma > 0"},
		{"step", map[string]any{"step_size": 1, "t_max": 3}, `optim: step: unknown hyperparameter "t_max" (allowed: step_size, gamma)`},
		{"exponential", nil, "optim: exponential: gamma is required"},
		{"exponential", map[string]any{"gamma": 0}, "optim: exponential: gamma = 0, want gamma > 0"},
		{"exponential", map[string]any{"gamma": "0.9"}, "optim: exponential: gamma is string (0.9), want a number"},
		{"cosine", map[string]any{"eta_min": 0.1}, "optim: cosine: t_max is required"},
		{"cosine", map[string]any{"t_max": -1}, "optim: cosine: t_max = -1, want t_max ≥ 1"},
		{"cosine", map[string]any{"t_max": 10, "eta_min": -0.1}, "optim: cosine: eta_min = -0.1, want eta_min ≥ 0"},
		{"linear_warmup", map[string]any{"start_factor": 0}, "optim: linear_warmup: start_factor = 0, want 0 < start_factor ≤ 1"},
		{"linear_warmup", map[string]any{"start_factor": 1.5}, "optim: linear_warmup: start_factor = 1.5, want 0 < start_factor ≤ 1"},
		{"linear_warmup", map[string]any{"end_factor": 2}, "optim: linear_warmup: end_factor = 2, want 0 ≤ end_factor ≤ 1"},
		{"linear_warmup", map[string]any{"total_iters": 0}, "optim: linear_warmup: total_iters = 0, want total_iters ≥ 1"},
		{"linear_warmup", map[string]any{"warmup_steps": 10}, `optim: linear_warmup: unknown hyperparameter "warmup_steps" (allowed: start_factor, end_factor, total_iters)`},
	} {
		s, err := NewSchedule(tc.name, tc.hp)
		if err == nil {
			t.Errorf("NewSchedule(%q, %v): got %v, want error %q", tc.name, tc.hp, s, tc.want)
			continue
		}
		if s != nil {
			t.Errorf("NewSchedule(%q, %v): got schedule %v beside the error", tc.name, tc.hp, s)
		}
		if err.Error() != tc.want {
			t.Errorf("NewSchedule(%q, %v):\ngot  %q\nwant %q", tc.name, tc.hp, err, tc.want)
		}
		if !errors.Is(err, ErrConfig) {
			t.Errorf("%q does not wrap ErrConfig", err)
		}
	}
}

func TestScheduleNegativeStepPanics(t *testing.T) {
	for _, s := range []Schedule{StepLR{1, 0.1}, ExponentialLR{0.9}, CosineAnnealingLR{10, 0}, LinearLR{0.5, 1, 3}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%T.LR(1, -1) did not panic", s)
				}
			}()
			s.LR(1, -1)
		}()
	}
}
