package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/loss"
)

// lossFile is the layout of losses.json.
type lossFile struct {
	Cases []lossCase `json:"cases"`
}

// lossCase is one loss evaluation: the loss by name with PyTorch's keyword
// arguments, its inputs, and PyTorch's value and input gradient.
type lossCase struct {
	Loss   string         `json:"loss"`
	Params map[string]any `json:"params"`
	Input  jsonTensor     `json:"input"`
	Target jsonTensor     `json:"target"`
	Value  float64        `json:"value"`
	Dinput jsonTensor     `json:"dinput"`
}

// checkLosses checks every case of losses.json: each loss is built by name
// through loss.New, so that every hyperparameter in the file reaches it and
// one that bigfunc does not know fails the case rather than being ignored.
// It returns the number of cases evaluated.
func checkLosses(t *testing.T, path string) int {
	t.Helper()
	var f lossFile
	if !readJSON(t, path, &f) {
		return 0
	}
	n := 0
	for i, c := range f.Cases {
		params, _ := json.Marshal(c.Params)
		name := fmt.Sprintf("losses case %d %s %s", i, c.Loss, params)
		if lossCheckCase(t, name, c) {
			n++
		}
	}
	return n
}

// lossCheckCase evaluates one case, reporting every mismatch. It returns
// false if the case could not be evaluated at all.
func lossCheckCase(t *testing.T, name string, c lossCase) (ok bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: panicked: %v", name, r)
			ok = false
		}
	}()
	lf, err := loss.New(c.Loss, c.Params)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return false
	}
	var target loss.Target
	if lf.Classification() {
		for j, v := range c.Target.Data {
			if v != math.Trunc(v) {
				t.Errorf("%s: target element %d = %v is not a class index", name, j, v)
				return false
			}
		}
		target = loss.Target{Classes: c.Target.ints()}
	} else {
		target = loss.Target{Values: c.Target.tensor()}
	}
	input := autograd.Param(c.Input.tensor())
	out := lf.Compute(input, target)
	if out.Value.Len() != 1 {
		t.Errorf("%s: got a value of shape %v, want a scalar", name, out.Value.Shape())
		return false
	}
	if got := float64(out.Value.Item()); !within(got, c.Value, 1e-6, 1e-5) {
		t.Errorf("%s: value: got %.9g, want %.9g", name, got, c.Value)
	}
	out.Backward()
	compareTensor(t, name+" dinput", input.Grad, c.Dinput, 1e-6, 1e-5)
	return true
}
