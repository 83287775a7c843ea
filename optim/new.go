package optim

import (
	hparam "github.com/bigfunc/bigfunc/internal/param"
	"math"
	"reflect"
	"sort"
	"strings"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/suggest"
)

// optimizerNames lists the names New accepts.
var optimizerNames = []string{"sgd", "adam", "adamw", "rmsprop", "adagrad", "lbfgs"}

// New returns the optimizer called name over params, configured from hp,
// which maps PyTorch's hyperparameter names to values as decoded from JSON
// or YAML: numbers (float64, int, ...), bools, and for "betas" a list of two
// numbers. Keys left out take PyTorch's defaults; "lr" is required for sgd,
// as in PyTorch. The accepted keys are
//
//	sgd:     lr, momentum, dampening, weight_decay, nesterov, maximize
//	adam:    lr, betas, eps, weight_decay, amsgrad, maximize
//	adamw:   lr, betas, eps, weight_decay, amsgrad, maximize
//	rmsprop: lr, alpha, eps, weight_decay, momentum, centered, maximize
//	adagrad: lr, lr_decay, weight_decay, initial_accumulator_value, eps,
//	         maximize
//	lbfgs:   lr, max_iter, max_eval, tolerance_grad, tolerance_change,
//	         history_size, line_search_fn (strong_wolfe, or null for none)
//
// lbfgs returns an LBFGS, a ClosureOptimizer: it steps with StepClosure.
//
// An unknown name or key, a value of the wrong type and a value out of
// range are errors wrapping ErrConfig.
func New(name string, params []*autograd.Var, hp map[string]any) (Optimizer, error) {
	switch name {
	case "sgd":
		var c SGDConfig
		r := newReader(name, hp, "lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")
		r.require("lr")
		r.float("lr", &c.LR)
		r.float("momentum", &c.Momentum)
		r.float("dampening", &c.Dampening)
		r.float("weight_decay", &c.WeightDecay)
		r.bool("nesterov", &c.Nesterov)
		r.bool("maximize", &c.Maximize)
		if r.err != nil {
			return nil, r.err
		}
		return NewSGD(params, c)
	case "adam", "adamw":
		c := DefaultAdamConfig()
		if name == "adamw" {
			c = DefaultAdamWConfig()
		}
		r := newReader(name, hp, "lr", "betas", "eps", "weight_decay", "amsgrad", "maximize")
		r.float("lr", &c.LR)
		r.pair("betas", &c.Betas)
		r.float("eps", &c.Eps)
		r.float("weight_decay", &c.WeightDecay)
		r.bool("amsgrad", &c.AMSGrad)
		r.bool("maximize", &c.Maximize)
		if r.err != nil {
			return nil, r.err
		}
		if name == "adamw" {
			return NewAdamW(params, c)
		}
		return NewAdam(params, c)
	case "rmsprop":
		c := DefaultRMSpropConfig()
		r := newReader(name, hp, "lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize")
		r.float("lr", &c.LR)
		r.float("alpha", &c.Alpha)
		r.float("eps", &c.Eps)
		r.float("weight_decay", &c.WeightDecay)
		r.float("momentum", &c.Momentum)
		r.bool("centered", &c.Centered)
		r.bool("maximize", &c.Maximize)
		if r.err != nil {
			return nil, r.err
		}
		return NewRMSprop(params, c)
	case "adagrad":
		c := DefaultAdagradConfig()
		r := newReader(name, hp, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize")
		r.float("lr", &c.LR)
		r.float("lr_decay", &c.LRDecay)
		r.float("weight_decay", &c.WeightDecay)
		r.float("initial_accumulator_value", &c.InitialAccumulatorValue)
		r.float("eps", &c.Eps)
		r.bool("maximize", &c.Maximize)
		if r.err != nil {
			return nil, r.err
		}
		return NewAdagrad(params, c)
	case "lbfgs":
		c := DefaultLBFGSConfig()
		r := newReader(name, hp, "lr", "max_iter", "max_eval", "tolerance_grad", "tolerance_change", "history_size", "line_search_fn")
		r.float("lr", &c.LR)
		r.int("max_iter", &c.MaxIter)
		r.int("max_eval", &c.MaxEval)
		r.float("tolerance_grad", &c.ToleranceGrad)
		r.float("tolerance_change", &c.ToleranceChange)
		r.int("history_size", &c.HistorySize)
		if v, ok := hp["line_search_fn"]; !ok || v != nil {
			r.string("line_search_fn", &c.LineSearch)
		}
		if r.err != nil {
			return nil, r.err
		}
		if _, ok := hp["max_eval"]; ok && c.MaxEval < 1 {
			return nil, configErr(name, "max_eval", "max_eval = %d, want max_eval ≥ 1", c.MaxEval)
		}
		return NewLBFGS(params, c)
	}
	return nil, configErr("", "", "unknown optimizer %q%s; allowed: %s", name, suggest.DidYouMean(name, optimizerNames), strings.Join(optimizerNames, ", "))
}

// reader decodes a hyperparameter map, keeping the first error so that
// callers can read every key and check once.
type reader struct {
	name string
	hp   map[string]any
	err  error
}

// newReader returns a reader for hp that has already failed if hp holds a
// key outside allowed.
func newReader(name string, hp map[string]any, allowed ...string) *reader {
	r := &reader{name: name, hp: hp}
	var unknown []string
	for k := range hp {
		if indexOf(allowed, k) < 0 {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		r.err = configErr(name, unknown[0], "unknown hyperparameter %q (allowed: %s)", unknown[0], strings.Join(allowed, ", "))
	}
	return r
}

// require fails unless key is present.
func (r *reader) require(key string) {
	if _, ok := r.hp[key]; !ok && r.err == nil {
		r.err = configErr(r.name, key, "%s is required", key)
	}
}

// lookup returns the value of key when it is present and no error has
// occurred yet.
func (r *reader) lookup(key string) (any, bool) {
	if r.err != nil {
		return nil, false
	}
	v, ok := r.hp[key]
	return v, ok
}

func (r *reader) typeErr(key string, v any, want string) {
	r.err = configErr(r.name, key, "%s is %T (%v), want %s", key, v, v, want)
}

func (r *reader) float(key string, dst *float64) {
	v, ok := r.lookup(key)
	if !ok {
		return
	}
	f, ok := hparam.Number(v)
	if !ok {
		r.typeErr(key, v, "a number")
		return
	}
	*dst = f
}

func (r *reader) int(key string, dst *int) {
	v, ok := r.lookup(key)
	if !ok {
		return
	}
	f, ok := hparam.Number(v)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		r.typeErr(key, v, "a whole number")
		return
	}
	*dst = int(f)
}

func (r *reader) bool(key string, dst *bool) {
	v, ok := r.lookup(key)
	if !ok {
		return
	}
	b, ok := v.(bool)
	if !ok {
		r.typeErr(key, v, "a bool")
		return
	}
	*dst = b
}

func (r *reader) string(key string, dst *string) {
	v, ok := r.lookup(key)
	if !ok {
		return
	}
	s, ok := v.(string)
	if !ok {
		r.typeErr(key, v, "a string")
		return
	}
	*dst = s
}

func (r *reader) pair(key string, dst *[2]float64) {
	v, ok := r.lookup(key)
	if !ok {
		return
	}
	rv := reflect.ValueOf(v)
	if v == nil || (rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array) || rv.Len() != 2 {
		r.typeErr(key, v, "a list of two numbers")
		return
	}
	var out [2]float64
	for i := range out {
		f, ok := hparam.Number(rv.Index(i).Interface())
		if !ok {
			r.typeErr(key, v, "a list of two numbers")
			return
		}
		out[i] = f
	}
	*dst = out
}
