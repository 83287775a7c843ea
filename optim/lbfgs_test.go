package optim

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// quadratic returns a closure for ½xᵀAx − bᵀx with A = diag(1…n) plus a
// coupling, whose minimiser solves Ax = b.
func quadratic(x *autograd.Var, a [][]float64, b []float64) func() float64 {
	return func() float64 {
		xd := x.Value.Data()
		g := x.GradData()
		var f float64
		for i := range xd {
			var ax float64
			for j := range xd {
				ax += a[i][j] * float64(xd[j])
			}
			f += 0.5*float64(xd[i])*ax - b[i]*float64(xd[i])
			g[i] = float32(ax - b[i])
		}
		return f
	}
}

func TestLBFGSMinimizesQuadratic(t *testing.T) {
	a := [][]float64{{4, 1, 0}, {1, 3, 0.5}, {0, 0.5, 2}}
	b := []float64{1, -2, 3}
	// The solution of Ax = b by Cramer's rule.
	det := func(m [][]float64) float64 {
		return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	}
	want := make([]float64, 3)
	for k := range want {
		m := [][]float64{append([]float64(nil), a[0]...), append([]float64(nil), a[1]...), append([]float64(nil), a[2]...)}
		for i := range m {
			m[i][k] = b[i]
		}
		want[k] = det(m) / det(a)
	}
	for _, ls := range []string{"", "strong_wolfe"} {
		x := autograd.Param(tensor.Zeros(3))
		c := DefaultLBFGSConfig()
		c.LineSearch = ls
		o, err := NewLBFGS([]*autograd.Var{x}, c)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			o.StepClosure(quadratic(x, a, b))
		}
		for i, v := range x.Value.Data() {
			if math.Abs(float64(v)-want[i]) > 1e-5 {
				t.Errorf("line search %q: x = %v, want %v", ls, x.Value.Data(), want)
				break
			}
		}
	}
}

// TestLBFGSStateResumes: stepping, saving the state into a fresh optimizer
// and stepping on gives the same parameters as stepping on.
func TestLBFGSStateResumes(t *testing.T) {
	a := [][]float64{{3, 1}, {1, 20}}
	b := []float64{1, 1}
	run := func(split bool) []float32 {
		x := autograd.Param(tensor.FromSlice([]float32{2, -1}, 2))
		c := DefaultLBFGSConfig()
		c.MaxIter, c.HistorySize, c.LineSearch = 2, 2, "strong_wolfe"
		o, _ := NewLBFGS([]*autograd.Var{x}, c)
		o.StepClosure(quadratic(x, a, b))
		if split {
			o2, _ := NewLBFGS([]*autograd.Var{x}, c)
			if err := o2.LoadState(o.State()); err != nil {
				t.Fatal(err)
			}
			o = o2
		}
		o.StepClosure(quadratic(x, a, b))
		return x.Value.Data()
	}
	if got, want := run(true), run(false); got[0] != want[0] || got[1] != want[1] {
		t.Errorf("resumed: %v, uninterrupted: %v", got, want)
	}
	o, _ := NewLBFGS([]*autograd.Var{autograd.Param(tensor.Zeros(2))}, DefaultLBFGSConfig())
	if err := o.LoadState(map[string]*tensor.Tensor{"0.momentum": tensor.Zeros(2)}); !errors.Is(err, ErrState) {
		t.Errorf("LoadState with an unknown key: %v", err)
	}
}

func TestLBFGSConfig(t *testing.T) {
	x := []*autograd.Var{autograd.Param(tensor.Zeros(2))}
	o, err := New("lbfgs", x, map[string]any{"max_iter": 4, "line_search_fn": nil, "history_size": 3})
	if err != nil {
		t.Fatal(err)
	}
	if c := o.(*LBFGS).Config(); c.MaxIter != 4 || c.MaxEval != 5 || c.HistorySize != 3 || c.LineSearch != "" {
		t.Errorf("config %+v", c)
	}
	for _, c := range []struct {
		hp   map[string]any
		want string
	}{
		{map[string]any{"line_search_fn": "wolfe"}, `line_search_fn = "wolfe", want strong_wolfe`},
		{map[string]any{"max_iter": 0}, "max_iter = 0"},
		{map[string]any{"max_eval": 0}, "max_eval = 0"},
		{map[string]any{"history_size": 2.5}, "history_size is float64 (2.5), want a whole number"},
		{map[string]any{"momentum": 0.9}, `unknown hyperparameter "momentum"`},
	} {
		if _, err := New("lbfgs", x, c.hp); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(lbfgs, %v): got %v, want %q", c.hp, err, c.want)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "StepClosure") {
			t.Errorf("Step: recovered %v, want a panic naming StepClosure", r)
		}
	}()
	o.Step()
}
