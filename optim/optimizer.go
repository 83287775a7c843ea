package optim

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Optimizer updates a fixed list of parameters from their gradients.
//
// A parameter whose Grad is nil is skipped by Step, and its state (moment
// estimates, step count) is left untouched, as in PyTorch.
type Optimizer interface {
	// Step applies one update to every parameter that has a gradient.
	Step()
	// ZeroGrad sets the gradient of every parameter to zero, keeping the
	// storage (PyTorch's zero_grad(set_to_none=False)).
	ZeroGrad()
	// LR returns the current learning rate.
	LR() float64
	// SetLR changes the learning rate used by the following steps; it is
	// how schedules act. It panics if lr is negative or not finite.
	SetLR(lr float64)
	// Params returns the optimized parameters in the order given at
	// construction.
	Params() []*autograd.Var
	// State returns a copy of the per-parameter state, keyed
	// "<index>.<name>" where index is the position in Params and name is
	// PyTorch's state name ("0.exp_avg", "0.step", ...). A parameter that
	// has not been stepped yet has no keys. Hyperparameters, the learning
	// rate included, are not part of the state.
	State() map[string]*tensor.Tensor
	// LoadState replaces the state with a copy of m, as produced by State of
	// an optimizer of the same kind and configuration over parameters of
	// the same shapes, so that training resumes bit-identically. A
	// parameter with no keys in m starts afresh. On error the state is
	// unchanged.
	LoadState(m map[string]*tensor.Tensor) error
}

var (
	_ Optimizer = (*SGD)(nil)
	_ Optimizer = (*Adam)(nil)
	_ Optimizer = (*AdamW)(nil)
	_ Optimizer = (*RMSprop)(nil)
	_ Optimizer = (*Adagrad)(nil)
)

// ErrConfig is wrapped by every error about a hyperparameter or about an
// optimizer or schedule name.
var ErrConfig = errors.New("optim: invalid configuration")

// ErrState is wrapped by every error from LoadState.
var ErrState = errors.New("optim: invalid state")

// Error describes a rejected configuration or state. It wraps ErrConfig or
// ErrState.
type Error struct {
	// Name is the optimizer or schedule concerned ("adam", "cosine"); empty
	// when the name itself was not recognised.
	Name string
	// Key is the hyperparameter or state key concerned, if any.
	Key string
	// Problem is the one-line description, naming the key.
	Problem string
	// Err is ErrConfig or ErrState.
	Err error
}

// Error returns "optim: <name>: <problem>".
func (e *Error) Error() string {
	if e.Name == "" {
		return "optim: " + e.Problem
	}
	return "optim: " + e.Name + ": " + e.Problem
}

// Unwrap returns ErrConfig or ErrState.
func (e *Error) Unwrap() error { return e.Err }

func configErr(name, key, format string, args ...any) error {
	return &Error{Name: name, Key: key, Problem: fmt.Sprintf(format, args...), Err: ErrConfig}
}

func stateErr(name, key, format string, args ...any) error {
	return &Error{Name: name, Key: key, Problem: fmt.Sprintf(format, args...), Err: ErrState}
}

// check returns a configuration error unless ok. want states the valid
// range, e.g. "lr ≥ 0".
func check(name, key string, v float64, ok bool, want string) error {
	if ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
		return nil
	}
	return configErr(name, key, "%s = %v, want %s", key, v, want)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// base holds what every optimizer shares: its parameters and learning rate.
type base struct {
	name   string
	params []*autograd.Var
	lr     float64
}

func newBase(name string, params []*autograd.Var, lr float64) (base, error) {
	if err := check(name, "lr", lr, lr >= 0, "lr ≥ 0"); err != nil {
		return base{}, err
	}
	if len(params) == 0 {
		return base{}, configErr(name, "", "empty parameter list")
	}
	seen := make(map[*autograd.Var]int, len(params))
	for i, p := range params {
		switch {
		case p == nil || p.Value == nil:
			return base{}, configErr(name, "", "parameter %d is nil", i)
		case !p.IsLeaf():
			return base{}, configErr(name, "", "parameter %d is not a leaf (%s)", i, p.Op())
		}
		if j, dup := seen[p]; dup {
			return base{}, configErr(name, "", "parameter %d is parameter %d again", i, j)
		}
		seen[p] = i
	}
	return base{name: name, params: append([]*autograd.Var(nil), params...), lr: lr}, nil
}

// LR returns the current learning rate.
func (b *base) LR() float64 { return b.lr }

// SetLR changes the learning rate used by the following steps. It panics if
// lr is negative or not finite.
func (b *base) SetLR(lr float64) {
	if !(lr >= 0) || math.IsInf(lr, 1) {
		panic(fmt.Sprintf("optim: %s: SetLR(%v), want a finite lr ≥ 0", b.name, lr))
	}
	b.lr = lr
}

// Params returns the optimized parameters in construction order.
func (b *base) Params() []*autograd.Var { return append([]*autograd.Var(nil), b.params...) }

// ZeroGrad sets every parameter's gradient to zero in place.
func (b *base) ZeroGrad() {
	for _, p := range b.params {
		p.ZeroGrad()
	}
}

// grad returns the value and gradient storage of parameter i, or nil
// gradient storage when it has no gradient.
func (b *base) grad(i int) (value, grad []float32) {
	p := b.params[i]
	if p.Grad == nil {
		return nil, nil
	}
	value, grad = p.Value.Data(), p.Grad.Data()
	if len(grad) != len(value) {
		panic(fmt.Sprintf("optim: %s: gradient of parameter %d has shape %v, want %v", b.name, i, p.Grad.Shape(), p.Value.Shape()))
	}
	return value, grad
}

// slots is an optimizer's per-parameter state: a step count per parameter
// (when the optimizer keeps one) and named buffers of each parameter's size.
// Parameter i has state once bufs[0][i] is non-nil; all its buffers are
// created together.
type slots struct {
	hasStep bool
	// steps are float32 like PyTorch's step tensors, so that bias
	// corrections agree beyond 2^24 steps too and State exports them
	// exactly.
	steps []float32
	names []string
	bufs  [][][]float32
}

func newSlots(n int, hasStep bool, names ...string) slots {
	s := slots{hasStep: hasStep, names: names, bufs: make([][][]float32, len(names))}
	if hasStep {
		s.steps = make([]float32, n)
	}
	for k := range s.bufs {
		s.bufs[k] = make([][]float32, n)
	}
	return s
}

// ensure creates zeroed buffers of length n for parameter i if it has none
// yet and reports whether it did.
func (s *slots) ensure(i, n int) bool {
	if len(s.names) == 0 || s.bufs[0][i] != nil {
		return false
	}
	for k := range s.bufs {
		s.bufs[k][i] = make([]float32, n)
	}
	return true
}

func stateKey(i int, name string) string { return strconv.Itoa(i) + "." + name }

func (s *slots) export(params []*autograd.Var) map[string]*tensor.Tensor {
	m := make(map[string]*tensor.Tensor)
	if len(s.names) == 0 {
		return m
	}
	for i, p := range params {
		if s.bufs[0][i] == nil {
			continue
		}
		if s.hasStep {
			m[stateKey(i, "step")] = tensor.Scalar(s.steps[i])
		}
		for k, name := range s.names {
			m[stateKey(i, name)] = tensor.FromSlice(s.bufs[k][i], p.Value.Shape()...)
		}
	}
	return m
}

// load replaces the state with a copy of m after checking all of it.
func (s *slots) load(name string, params []*autograd.Var, m map[string]*tensor.Tensor) error {
	n := len(params)
	next := newSlots(n, s.hasStep, s.names...)
	count := make([]int, n)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		t := m[key]
		idx, field, _ := strings.Cut(key, ".")
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 || i >= n || strconv.Itoa(i) != idx {
			return stateErr(name, key, "unknown state key %q, want <index>.<name> with index < %d", key, n)
		}
		if t == nil {
			return stateErr(name, key, "state key %q has a nil tensor", key)
		}
		if field == "step" && s.hasStep {
			if t.Len() != 1 {
				return stateErr(name, key, "%s has shape %v, want a single value", key, t.Shape())
			}
			v := t.Data()[0]
			if !(v >= 0) || v != float32(math.Trunc(float64(v))) || math.IsInf(float64(v), 1) {
				return stateErr(name, key, "%s = %v, want a whole number ≥ 0", key, v)
			}
			next.steps[i] = v
			count[i]++
			continue
		}
		k := indexOf(s.names, field)
		if k < 0 && len(s.fields()) == 0 {
			return stateErr(name, key, "unknown state key %q (no state is kept in this configuration)", key)
		}
		if k < 0 {
			return stateErr(name, key, "unknown state key %q (names: %s)", key, strings.Join(s.fields(), ", "))
		}
		if !tensor.SameShape(t, params[i].Value) {
			return stateErr(name, key, "%s has shape %v, want %v", key, t.Shape(), params[i].Value.Shape())
		}
		next.bufs[k][i] = append([]float32(nil), t.Data()...)
		count[i]++
	}
	want := len(s.fields())
	for i, c := range count {
		if c != 0 && c != want {
			return stateErr(name, "", "state of parameter %d has %d of its %d keys (%s)", i, c, want, strings.Join(s.fields(), ", "))
		}
	}
	*s = next
	return nil
}

// fields lists the state names a stepped parameter has.
func (s *slots) fields() []string {
	if s.hasStep {
		return append([]string{"step"}, s.names...)
	}
	return s.names
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}
