package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// actCase is one case of activations.json: y = op(x) and the gradients of
// Σ y⊙dy. Weight and DWeight belong to prelu cases only.
type actCase struct {
	Op      string         `json:"op"`
	Params  map[string]any `json:"params"`
	X       *jsonTensor    `json:"x"`
	Weight  *jsonTensor    `json:"weight"`
	Y       *jsonTensor    `json:"y"`
	DY      *jsonTensor    `json:"dy"`
	DX      *jsonTensor    `json:"dx"`
	DWeight *jsonTensor    `json:"dweight"`
}

// Reference values are float32 results of PyTorch's own float32 kernels,
// which differ from exactly rounded results by a few ulps.
const (
	actAbsTol = 1e-6
	actRelTol = 1e-5
)

// checkActivations compares every case of the activations reference file at
// path with bigfunc, building each op through activation.New, and returns
// the number of cases compared. An unknown op or parameter is a failure.
func checkActivations(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("activations: %v", err)
		return 0
	}
	var file struct {
		Cases []actCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Errorf("activations: %s: %v", path, err)
		return 0
	}
	n := 0
	for i, c := range file.Cases {
		if actCheckCase(t, fmt.Sprintf("activations case %d: %s %s", i, c.Op, actFormatParams(c.Params)), c) {
			n++
		}
	}
	return n
}

// actCheckCase runs one case and reports whether it could be compared.
func actCheckCase(t *testing.T, name string, c actCase) (ran bool) {
	t.Helper()
	// A malformed case or a shape bug panics; report it as this case's
	// failure and go on with the others.
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: panic: %v", name, r)
			ran = false
		}
	}()
	for _, f := range []struct {
		key string
		v   *jsonTensor
	}{{"x", c.X}, {"y", c.Y}, {"dy", c.DY}, {"dx", c.DX}} {
		if f.v == nil {
			t.Errorf("%s: missing %q", name, f.key)
			return false
		}
	}
	params := c.Params
	if c.Op == "prelu" {
		// The reference names the slope count "channels"; the registry
		// uses nn.PReLU's num_parameters.
		params = map[string]any{}
		for k, v := range c.Params {
			if k != "channels" {
				t.Errorf("%s: unknown prelu param %q (want channels)", name, k)
				return false
			}
			params["num_parameters"] = v
		}
		if c.Weight == nil || c.DWeight == nil {
			t.Errorf("%s: prelu case without weight and dweight", name)
			return false
		}
	} else if c.Weight != nil || c.DWeight != nil {
		t.Errorf("%s: weight or dweight given for an op without parameters", name)
		return false
	}
	layer, err := activation.New(c.Op, params)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return false
	}
	prelu, _ := layer.(*activation.PReLU)
	if c.Op == "prelu" {
		if prelu == nil {
			t.Errorf("%s: activation.New returned %T, want *activation.PReLU", name, layer)
			return false
		}
		if got, want := prelu.Weight.Value.Len(), len(c.Weight.Data); got != want {
			t.Errorf("%s: weight has %d elements, want %d", name, got, want)
			return false
		}
		prelu.Weight.Value.CopyFrom(c.Weight.tensor())
	}
	// Reference outputs are deterministic, so random layers (rrelu) are
	// compared in evaluation mode, which is also F.rrelu's default.
	x := autograd.Param(c.X.tensor())
	y := layer.Forward(x, nn.Eval)
	compareTensor(t, name+" y", y.Value, *c.Y, actAbsTol, actRelTol)
	y.BackwardWith(c.DY.tensor())
	dx := x.Grad
	if dx == nil {
		dx = tensor.ZerosLike(x.Value)
	}
	compareTensor(t, name+" dx", dx, *c.DX, actAbsTol, actRelTol)
	if prelu != nil {
		dw := prelu.Weight.Grad
		if dw == nil {
			dw = tensor.ZerosLike(prelu.Weight.Value)
		}
		compareTensor(t, name+" dweight", dw, *c.DWeight, actAbsTol, actRelTol)
	}
	return true
}

// actFormatParams formats params with sorted keys, so messages are stable.
func actFormatParams(params map[string]any) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, params[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
