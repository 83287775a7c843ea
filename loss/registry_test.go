package loss

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

func TestNames(t *testing.T) {
	want := []string{"mse", "l1", "huber", "smooth_l1", "bce", "bce_with_logits", "cross_entropy", "nll"}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	Names()[0] = "changed"
	if got := Names()[0]; got != "mse" {
		t.Errorf("Names()[0] after a caller's write = %q, want %q", got, "mse")
	}
	for _, name := range want {
		l, err := New(name, nil)
		if err != nil {
			t.Errorf("New(%q, nil): %v", name, err)
			continue
		}
		wantClass := name == "cross_entropy" || name == "nll"
		if l.Name() != name || l.Classification() != wantClass {
			t.Errorf("New(%q): Name %q Classification %v, want %q %v", name, l.Name(), l.Classification(), name, wantClass)
		}
	}
}

// TestNewMatchesFunctions checks that every parameter reaches the loss.
func TestNewMatchesFunctions(t *testing.T) {
	pred := tensor.FromSlice([]float32{0.2, -1.5, 3, 0.7, -0.1, 2.5}, 2, 3)
	target := tensor.FromSlice([]float32{0, 1, 1, 0.5, 0, 1}, 2, 3)
	classes := []int{2, 0}
	cases := []struct {
		name   string
		params map[string]any
		direct func(x *autograd.Var) *autograd.Var
	}{
		{"mse", map[string]any{"reduction": "sum"}, func(x *autograd.Var) *autograd.Var { return MSE(x, target, Sum) }},
		{"l1", nil, func(x *autograd.Var) *autograd.Var { return L1(x, target, Mean) }},
		{"huber", map[string]any{"delta": 0.5}, func(x *autograd.Var) *autograd.Var { return Huber(x, target, 0.5, Mean) }},
		{"huber", map[string]any{"delta": 2, "reduction": "none"}, func(x *autograd.Var) *autograd.Var { return Huber(x, target, 2, None) }},
		{"huber", nil, func(x *autograd.Var) *autograd.Var { return Huber(x, target, 1, Mean) }},
		{"smooth_l1", map[string]any{"beta": json.Number("0.25")}, func(x *autograd.Var) *autograd.Var { return SmoothL1(x, target, 0.25, Mean) }},
		{"smooth_l1", map[string]any{"beta": 0}, func(x *autograd.Var) *autograd.Var { return L1(x, target, Mean) }},
		{"smooth_l1", nil, func(x *autograd.Var) *autograd.Var { return SmoothL1(x, target, 1, Mean) }},
		{"bce_with_logits", map[string]any{"reduction": "mean"}, func(x *autograd.Var) *autograd.Var { return BCEWithLogits(x, target, Mean) }},
		{"cross_entropy", map[string]any{"label_smoothing": 0.1, "reduction": "sum"}, func(x *autograd.Var) *autograd.Var {
			return CrossEntropy(x, classes, 0.1, Sum)
		}},
		{"cross_entropy", map[string]any{"label_smoothing": 1}, func(x *autograd.Var) *autograd.Var { return CrossEntropy(x, classes, 1, Mean) }},
		{"nll", map[string]any{"reduction": "none"}, func(x *autograd.Var) *autograd.Var { return NLL(x, classes, None) }},
	}
	for _, c := range cases {
		l, err := New(c.name, c.params)
		if err != nil {
			t.Errorf("New(%q, %v): %v", c.name, c.params, err)
			continue
		}
		tgt := Target{Values: target}
		if l.Classification() {
			tgt = Target{Classes: classes}
		}
		gotValue, gotGrad := run(pred, func(x *autograd.Var) *autograd.Var { return l.Compute(x, tgt) })
		wantValue, wantGrad := run(pred, c.direct)
		if !slices.Equal(gotValue, wantValue) || !slices.Equal(gotGrad, wantGrad) {
			t.Errorf("%v: got %v grad %v, want %v grad %v", l, gotValue, gotGrad, wantValue, wantGrad)
		}
	}
	probs := tensor.FromSlice([]float32{0.2, 0.5, 0.9}, 3)
	l, err := New("bce", map[string]any{"reduction": "sum"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := run(probs, func(x *autograd.Var) *autograd.Var { return l.Compute(x, Target{Values: vec(0, 1, 1)}) })
	want, _ := run(probs, func(x *autograd.Var) *autograd.Var { return BCE(x, vec(0, 1, 1), Sum) })
	if got[0] != want[0] {
		t.Errorf("bce(reduction=sum): got %v, want %v", got[0], want[0])
	}
}

func TestString(t *testing.T) {
	cases := []struct {
		name   string
		params map[string]any
		want   string
	}{
		{"mse", nil, "mse(reduction=mean)"},
		{"huber", map[string]any{"delta": 1.5, "reduction": "sum"}, "huber(delta=1.5, reduction=sum)"},
		{"cross_entropy", nil, "cross_entropy(label_smoothing=0, reduction=mean)"},
	}
	for _, c := range cases {
		l, err := New(c.name, c.params)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.(interface{ String() string }).String(); got != c.want {
			t.Errorf("New(%q, %v).String() = %q, want %q", c.name, c.params, got, c.want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	cases := []struct {
		name   string
		params map[string]any
		want   []string // substrings of the error
		reject []string // substrings the error must not have
	}{
		{"crossentropy", nil, []string{`unknown loss "crossentropy"`, `did you mean "cross_entropy"?`, "mse, l1, huber, smooth_l1, bce, bce_with_logits, cross_entropy, nll"}, nil},
		{"MSE", nil, []string{`did you mean "mse"?`}, nil},
		{"BCEWithLogits", nil, []string{`did you mean "bce_with_logits"?`}, nil},
		{"hinge", nil, []string{`unknown loss "hinge"`, "; allowed: mse"}, []string{"did you mean"}},
		{"", nil, []string{`unknown loss ""`}, nil},
		{"mse", map[string]any{"delta": 1.0}, []string{`loss mse: unknown parameter "delta"`, "allowed: reduction"}, []string{"did you mean"}},
		{"smooth_l1", map[string]any{"betta": 1.0}, []string{`unknown parameter "betta"`, `did you mean "beta"?`, "allowed: beta, reduction"}, nil},
		{"cross_entropy", map[string]any{"ignore_index": 1.5}, []string{"ignore_index must be an integer, got 1.5"}, nil},
		{"cross_entropy", map[string]any{"ignore": -100}, []string{`unknown parameter "ignore"`, "allowed: ignore_index, label_smoothing, reduction"}, nil},
		{"cross_entropy", map[string]any{"weight": []any{1.0, 2.0}}, []string{`unknown parameter "weight"`}, nil},
		{"huber", map[string]any{"delta": 0.0}, []string{"loss huber: delta must be a number > 0, got 0"}, nil},
		{"huber", map[string]any{"delta": -1}, []string{"delta must be a number > 0, got -1"}, nil},
		{"huber", map[string]any{"delta": "1"}, []string{`delta must be a number > 0, got "1"`}, nil},
		{"huber", map[string]any{"delta": math.NaN()}, []string{"delta must be a number > 0"}, nil},
		{"smooth_l1", map[string]any{"beta": -0.5}, []string{"beta must be a number >= 0, got -0.5"}, nil},
		{"smooth_l1", map[string]any{"beta": true}, []string{"beta must be a number >= 0, got true"}, nil},
		{"cross_entropy", map[string]any{"label_smoothing": 1.5}, []string{"label_smoothing must be a number in [0, 1], got 1.5"}, nil},
		{"cross_entropy", map[string]any{"label_smoothing": -0.1}, []string{"label_smoothing must be a number in [0, 1]"}, nil},
		{"mse", map[string]any{"reduction": "avg"}, []string{`loss mse: reduction must be "mean", "sum" or "none", got "avg"`}, nil},
		{"nll", map[string]any{"reduction": 1}, []string{"reduction must be", "got 1"}, nil},
		{"l1", map[string]any{"reduction": "Mean"}, []string{"reduction must be"}, nil},
	}
	for _, c := range cases {
		l, err := New(c.name, c.params)
		if err == nil {
			t.Errorf("New(%q, %v) = %v, want an error", c.name, c.params, l)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("New(%q, %v) error %q, want it to contain %q", c.name, c.params, err, w)
			}
		}
		for _, w := range c.reject {
			if strings.Contains(err.Error(), w) {
				t.Errorf("New(%q, %v) error %q, want it without %q", c.name, c.params, err, w)
			}
		}
	}
}

func TestComputeWrongTargetKind(t *testing.T) {
	ce, _ := New("cross_entropy", nil)
	mse, _ := New("mse", nil)
	x := autograd.Param(tensor.Zeros(2, 2))
	if v := panicValue(func() { ce.Compute(x, Target{Values: tensor.Zeros(2)}) }); v == nil || !strings.Contains(v.(error).Error(), "class indices") {
		t.Errorf("cross_entropy with a tensor target panicked with %v, want an error about class indices", v)
	}
	if v := panicValue(func() { mse.Compute(x, Target{Classes: []int{0, 1}}) }); v == nil || !strings.Contains(v.(error).Error(), "tensor target") {
		t.Errorf("mse with class indices panicked with %v, want an error about a tensor target", v)
	}
}
