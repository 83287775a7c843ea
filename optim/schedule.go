package optim

import (
	"fmt"
	"math"
	"strings"

	"github.com/bigfunc/bigfunc/internal/suggest"
)

// Schedule gives the learning rate of each optimizer step as a function of
// a base rate, with the values of PyTorch's lr_scheduler classes stepped
// once per optimizer step. A schedule keeps no state, so resuming training
// needs only the step number.
//
// Typical use, before each optimizer step t = 0, 1, 2, ...:
//
//	opt.SetLR(s.LR(baseLR, t))
//	opt.Step()
type Schedule interface {
	// LR returns the learning rate in effect for step (PyTorch's
	// last_epoch): LR(base, 0) is the rate of the first optimizer step.
	// It panics if step is negative.
	LR(base float64, step int) float64
}

// scheduleNames lists the names NewSchedule accepts.
var scheduleNames = []string{"step", "exponential", "cosine", "linear_warmup"}

// NewSchedule returns the schedule called name configured from hp, whose
// keys are PyTorch's argument names and whose values are numbers as decoded
// from JSON or YAML (whole numbers for the counts):
//
//	step:          step_size (required), gamma = 0.1        (StepLR)
//	exponential:   gamma (required)                         (ExponentialLR)
//	cosine:        t_max (required), eta_min = 0            (CosineAnnealingLR)
//	linear_warmup: start_factor = 1/3, end_factor = 1,
//	               total_iters = 5                          (LinearLR)
//
// ReduceLROnPlateau depends on the metrics seen so far rather than on the
// step alone, so it is no Schedule: see NewReduceLROnPlateau and
// ParsePlateauConfig. Errors wrap ErrConfig.
func NewSchedule(name string, hp map[string]any) (Schedule, error) {
	switch name {
	case "step":
		gamma, size := 0.1, 0
		r := newReader(name, hp, "step_size", "gamma")
		r.require("step_size")
		r.int("step_size", &size)
		r.float("gamma", &gamma)
		if r.err != nil {
			return nil, r.err
		}
		return schedule(NewStepLR(size, gamma))
	case "exponential":
		var gamma float64
		r := newReader(name, hp, "gamma")
		r.require("gamma")
		r.float("gamma", &gamma)
		if r.err != nil {
			return nil, r.err
		}
		return schedule(NewExponentialLR(gamma))
	case "cosine":
		var tMax int
		var etaMin float64
		r := newReader(name, hp, "t_max", "eta_min")
		r.require("t_max")
		r.int("t_max", &tMax)
		r.float("eta_min", &etaMin)
		if r.err != nil {
			return nil, r.err
		}
		return schedule(NewCosineAnnealingLR(tMax, etaMin))
	case "linear_warmup":
		start, end, total := 1.0/3, 1.0, 5
		r := newReader(name, hp, "start_factor", "end_factor", "total_iters")
		r.float("start_factor", &start)
		r.float("end_factor", &end)
		r.int("total_iters", &total)
		if r.err != nil {
			return nil, r.err
		}
		return schedule(NewLinearLR(start, end, total))
	case "reduce_on_plateau":
		return nil, configErr("", "", "schedule %q depends on the metric, not only on the step: use NewReduceLROnPlateau", name)
	}
	return nil, configErr("", "", "unknown schedule %q%s; allowed: %s (reduce_on_plateau is built with NewReduceLROnPlateau)",
		name, suggest.DidYouMean(name, append(scheduleNames, plateauName)), strings.Join(scheduleNames, ", "))
}

// schedule turns a constructor's result into NewSchedule's, with no
// Schedule beside an error.
func schedule[S Schedule](s S, err error) (Schedule, error) {
	if err != nil {
		return nil, err
	}
	return s, nil
}

func checkStep(name string, step int) {
	if step < 0 {
		panic(fmt.Sprintf("optim: %s: LR at step %d, want step ≥ 0", name, step))
	}
}

// StepLR multiplies the rate by Gamma every StepSize steps, as
// torch.optim.lr_scheduler.StepLR:
//
//	lr(t) = base · gamma^⌊t/step_size⌋
//
// Build it with NewStepLR, which checks the fields.
type StepLR struct {
	StepSize int     // steps between reductions, ≥ 1
	Gamma    float64 // factor applied at each reduction, > 0
}

// NewStepLR returns a StepLR. It rejects stepSize < 1 and gamma ≤ 0.
func NewStepLR(stepSize int, gamma float64) (StepLR, error) {
	err := firstErr(
		check("step", "step_size", float64(stepSize), stepSize >= 1, "step_size ≥ 1"),
		check("step", "gamma", gamma, gamma > 0, "gamma > 0"),
	)
	if err != nil {
		return StepLR{}, err
	}
	return StepLR{StepSize: stepSize, Gamma: gamma}, nil
}

// LR returns base · Gamma^⌊step/StepSize⌋.
func (s StepLR) LR(base float64, step int) float64 {
	checkStep("step", step)
	return base * math.Pow(s.Gamma, float64(step/s.StepSize))
}

// ExponentialLR multiplies the rate by Gamma every step, as
// torch.optim.lr_scheduler.ExponentialLR:
//
//	lr(t) = base · gamma^t
//
// Build it with NewExponentialLR, which checks the field.
type ExponentialLR struct {
	Gamma float64 // factor applied each step, > 0
}

// NewExponentialLR returns an ExponentialLR. It rejects gamma ≤ 0.
func NewExponentialLR(gamma float64) (ExponentialLR, error) {
	if err := check("exponential", "gamma", gamma, gamma > 0, "gamma > 0"); err != nil {
		return ExponentialLR{}, err
	}
	return ExponentialLR{Gamma: gamma}, nil
}

// LR returns base · Gamma^step.
func (s ExponentialLR) LR(base float64, step int) float64 {
	checkStep("exponential", step)
	return base * math.Pow(s.Gamma, float64(step))
}

// CosineAnnealingLR follows half a cosine from the base rate down to EtaMin
// over TMax steps, as torch.optim.lr_scheduler.CosineAnnealingLR:
//
//	lr(t) = eta_min + (base − eta_min)·(1 + cos(π·t/t_max))/2
//
// PyTorch computes it recursively, but the recursion reproduces this closed
// form at every step, also past t_max, where the rate climbs back up along
// the cosine with period 2·t_max. Build it with NewCosineAnnealingLR, which
// checks the fields.
type CosineAnnealingLR struct {
	TMax   int     // steps of the descent, ≥ 1
	EtaMin float64 // final rate, ≥ 0
}

// NewCosineAnnealingLR returns a CosineAnnealingLR. It rejects tMax < 1
// and a negative etaMin.
func NewCosineAnnealingLR(tMax int, etaMin float64) (CosineAnnealingLR, error) {
	err := firstErr(
		check("cosine", "t_max", float64(tMax), tMax >= 1, "t_max ≥ 1"),
		check("cosine", "eta_min", etaMin, etaMin >= 0, "eta_min ≥ 0"),
	)
	if err != nil {
		return CosineAnnealingLR{}, err
	}
	return CosineAnnealingLR{TMax: tMax, EtaMin: etaMin}, nil
}

// LR returns EtaMin + (base − EtaMin)·(1 + cos(π·step/TMax))/2.
func (s CosineAnnealingLR) LR(base float64, step int) float64 {
	checkStep("cosine", step)
	return s.EtaMin + (base-s.EtaMin)*(1+math.Cos(math.Pi*float64(step)/float64(s.TMax)))/2
}

// LinearLR scales the base rate by a factor that moves linearly from
// StartFactor to EndFactor over TotalIters steps and then stays, as
// torch.optim.lr_scheduler.LinearLR; with the defaults it is a linear
// warm-up:
//
//	lr(t) = base · (start + (end − start)·min(t, total_iters)/total_iters)
//
// Build it with NewLinearLR, which checks the fields.
type LinearLR struct {
	StartFactor float64 // factor at step 0, in (0, 1]
	EndFactor   float64 // factor from step TotalIters on, in [0, 1]
	TotalIters  int     // length of the ramp, ≥ 1
}

// NewLinearLR returns a LinearLR. It rejects the factors PyTorch rejects (a
// start factor outside (0, 1], an end factor outside [0, 1]) and
// totalIters < 1.
func NewLinearLR(startFactor, endFactor float64, totalIters int) (LinearLR, error) {
	const name = "linear_warmup"
	err := firstErr(
		check(name, "start_factor", startFactor, startFactor > 0 && startFactor <= 1, "0 < start_factor ≤ 1"),
		check(name, "end_factor", endFactor, endFactor >= 0 && endFactor <= 1, "0 ≤ end_factor ≤ 1"),
		check(name, "total_iters", float64(totalIters), totalIters >= 1, "total_iters ≥ 1"),
	)
	if err != nil {
		return LinearLR{}, err
	}
	return LinearLR{StartFactor: startFactor, EndFactor: endFactor, TotalIters: totalIters}, nil
}

// LR returns base · (StartFactor + (EndFactor − StartFactor)·min(step,
// TotalIters)/TotalIters).
func (s LinearLR) LR(base float64, step int) float64 {
	checkStep("linear_warmup", step)
	return base * (s.StartFactor + (s.EndFactor-s.StartFactor)*float64(min(step, s.TotalIters))/float64(s.TotalIters))
}
