package optim

import (
	"math"
)

// PlateauConfig holds the hyperparameters of ReduceLROnPlateau under
// PyTorch's names. Its zero value is not PyTorch's default: start from
// DefaultPlateauConfig.
type PlateauConfig struct {
	Mode          string  // "min": lower metrics are better; "max": higher are
	Factor        float64 // multiplies the rate at each reduction, in [0, 1)
	Patience      int     // steps without improvement tolerated, ≥ 0
	Threshold     float64 // least change that counts as an improvement, ≥ 0
	ThresholdMode string  // "rel": Threshold is relative to the best; "abs": absolute
	Cooldown      int     // steps after a reduction during which none is counted bad, ≥ 0
	MinLR         float64 // floor of the rate, ≥ 0
	Eps           float64 // reductions smaller than this are not applied, ≥ 0
}

// DefaultPlateauConfig returns torch.optim.lr_scheduler.ReduceLROnPlateau's
// defaults: mode "min", factor 0.1, patience 10, threshold 1e-4 relative,
// no cooldown, min_lr 0, eps 1e-8.
func DefaultPlateauConfig() PlateauConfig {
	return PlateauConfig{Mode: "min", Factor: 0.1, Patience: 10, Threshold: 1e-4, ThresholdMode: "rel", Eps: 1e-8}
}

// ParsePlateauConfig returns DefaultPlateauConfig overridden by hp, whose
// keys are PyTorch's argument names: mode, factor, patience, threshold,
// threshold_mode, cooldown, min_lr and eps. It checks the values as
// NewReduceLROnPlateau does; errors wrap ErrConfig.
func ParsePlateauConfig(hp map[string]any) (PlateauConfig, error) {
	c := DefaultPlateauConfig()
	r := newReader(plateauName, hp, "mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps")
	r.string("mode", &c.Mode)
	r.float("factor", &c.Factor)
	r.int("patience", &c.Patience)
	r.float("threshold", &c.Threshold)
	r.string("threshold_mode", &c.ThresholdMode)
	r.int("cooldown", &c.Cooldown)
	r.float("min_lr", &c.MinLR)
	r.float("eps", &c.Eps)
	if r.err == nil {
		r.err = c.check()
	}
	if r.err != nil {
		return PlateauConfig{}, r.err
	}
	return c, nil
}

const plateauName = "reduce_on_plateau"

func (c PlateauConfig) check() error {
	const name = plateauName
	if c.Mode != "min" && c.Mode != "max" {
		return configErr(name, "mode", "mode = %q, want \"min\" or \"max\"", c.Mode)
	}
	if c.ThresholdMode != "rel" && c.ThresholdMode != "abs" {
		return configErr(name, "threshold_mode", "threshold_mode = %q, want \"rel\" or \"abs\"", c.ThresholdMode)
	}
	return firstErr(
		check(name, "factor", c.Factor, c.Factor >= 0 && c.Factor < 1, "0 ≤ factor < 1"),
		check(name, "patience", float64(c.Patience), c.Patience >= 0, "patience ≥ 0"),
		check(name, "threshold", c.Threshold, c.Threshold >= 0, "threshold ≥ 0"),
		check(name, "cooldown", float64(c.Cooldown), c.Cooldown >= 0, "cooldown ≥ 0"),
		check(name, "min_lr", c.MinLR, c.MinLR >= 0, "min_lr ≥ 0"),
		check(name, "eps", c.Eps, c.Eps >= 0, "eps ≥ 0"),
	)
}

// ReduceLROnPlateau lowers an optimizer's learning rate when a metric stops
// improving, as torch.optim.lr_scheduler.ReduceLROnPlateau. At each Step:
//
//	if metric is better than best (see below): best = metric, bad = 0
//	else: bad = bad + 1
//	if cooldown_counter > 0: cooldown_counter −= 1, bad = 0
//	if bad > patience:
//	    new = max(lr·factor, min_lr); if lr − new > eps: lr = new
//	    cooldown_counter = cooldown, bad = 0
//
// "Better" is metric < best·(1 − threshold) in mode min/rel, metric <
// best − threshold in min/abs, metric > best·(1 + threshold) in max/rel and
// metric > best + threshold in max/abs; best starts at +∞ (min) or −∞
// (max), and a NaN metric is never better.
type ReduceLROnPlateau struct {
	opt Optimizer
	c   PlateauConfig
	s   PlateauState
}

// PlateauState is the progress of a ReduceLROnPlateau, for checkpoints.
type PlateauState struct {
	Best            float64 // best metric so far (±Inf before the first Step)
	BadEpochs       int     // consecutive steps without improvement
	CooldownCounter int     // steps of cooldown left
	LastEpoch       int     // number of Steps taken
}

// NewReduceLROnPlateau returns a ReduceLROnPlateau acting on opt. It rejects
// an unknown mode or threshold mode, a factor outside [0, 1) and negative
// counts, thresholds, min_lr or eps.
func NewReduceLROnPlateau(opt Optimizer, c PlateauConfig) (*ReduceLROnPlateau, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	r := &ReduceLROnPlateau{opt: opt, c: c}
	r.s.Best = r.worst()
	return r, nil
}

func (r *ReduceLROnPlateau) worst() float64 {
	if r.c.Mode == "min" {
		return math.Inf(1)
	}
	return math.Inf(-1)
}

func (r *ReduceLROnPlateau) better(a, best float64) bool {
	switch {
	case r.c.Mode == "min" && r.c.ThresholdMode == "rel":
		return a < best*(1-r.c.Threshold)
	case r.c.Mode == "min":
		return a < best-r.c.Threshold
	case r.c.ThresholdMode == "rel":
		return a > best*(r.c.Threshold+1)
	default:
		return a > best+r.c.Threshold
	}
}

// Step records one value of the metric and lowers the optimizer's learning
// rate if it has not improved for more than Patience steps. It reports
// whether the rate was lowered.
func (r *ReduceLROnPlateau) Step(metric float64) bool {
	s := &r.s
	s.LastEpoch++
	if r.better(metric, s.Best) {
		s.Best = metric
		s.BadEpochs = 0
	} else {
		s.BadEpochs++
	}
	if s.CooldownCounter > 0 {
		s.CooldownCounter--
		s.BadEpochs = 0
	}
	if s.BadEpochs <= r.c.Patience {
		return false
	}
	s.CooldownCounter = r.c.Cooldown
	s.BadEpochs = 0
	old := r.opt.LR()
	lr := math.Max(old*r.c.Factor, r.c.MinLR)
	if old-lr > r.c.Eps {
		r.opt.SetLR(lr)
		return true
	}
	return false
}

// Config returns the hyperparameters.
func (r *ReduceLROnPlateau) Config() PlateauConfig { return r.c }

// State returns the progress so far.
func (r *ReduceLROnPlateau) State() PlateauState { return r.s }

// SetState restores progress saved by State.
func (r *ReduceLROnPlateau) SetState(s PlateauState) { r.s = s }
