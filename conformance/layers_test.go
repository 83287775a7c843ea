package conformance

import (
	"fmt"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

type layersFile struct {
	Linear []struct {
		Op                     string
		X, Weight, Bias, Y, Dy jsonTensor
		Dx, Dweight, Dbias     jsonTensor
	} `json:"linear"`
	MLP []struct {
		Architecture []any                 `json:"architecture"`
		Loss         string                `json:"loss"`
		Params       map[string]jsonTensor `json:"params"`
		X            jsonTensor            `json:"x"`
		Target       jsonTensor            `json:"target"`
		Y            jsonTensor            `json:"y"`
		Value        float64               `json:"value"`
		Grads        map[string]jsonTensor `json:"grads"`
	} `json:"mlp"`
}

// checkLayers checks the Linear layer and whole MLPs (forward, loss, and
// the gradient of every parameter) against layers.json.
func checkLayers(t *testing.T, path string) int {
	var f layersFile
	if !readJSON(t, path, &f) {
		return 0
	}
	n := 0
	for i, c := range f.Linear {
		name := fmt.Sprintf("layers linear[%d]", i)
		if c.Op != "linear" {
			t.Errorf("%s: unknown op %q", name, c.Op)
			continue
		}
		w, b := autograd.Param(c.Weight.tensor()), autograd.Param(c.Bias.tensor())
		l := &nn.Linear{In: c.Weight.Shape[1], Out: c.Weight.Shape[0], Weight: w, Bias: b}
		x := autograd.Param(c.X.tensor())
		y := l.Forward(x, nn.Eval)
		y.BackwardWith(c.Dy.tensor())
		compareTensor(t, name+" y", y.Value, c.Y, 1e-6, 1e-5)
		compareTensor(t, name+" dx", x.Grad, c.Dx, 1e-6, 1e-5)
		compareTensor(t, name+" dweight", w.Grad, c.Dweight, 1e-6, 1e-5)
		compareTensor(t, name+" dbias", b.Grad, c.Dbias, 1e-6, 1e-5)
		n++
	}
	for i, c := range f.MLP {
		name := fmt.Sprintf("layers mlp[%d] %v %s", i, c.Architecture, c.Loss)
		layers, err := spec.ParseArchitecture(c.Architecture)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		net, _, err := spec.BuildArchitecture(c.X.Shape[1:], layers, tensor.NewRNG(0))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		params := net.Params()
		if len(params) != len(c.Params) {
			t.Errorf("%s: got %d parameters, want %d", name, len(params), len(c.Params))
			continue
		}
		ok := true
		for _, p := range params {
			want, found := c.Params[p.Name]
			if !found || !equalInts(p.Value.Shape(), want.Shape) {
				t.Errorf("%s: parameter %s %v has no match in the reference (%v)", name, p.Name, p.Value.Shape(), want.Shape)
				ok = false
				continue
			}
			p.Value.CopyFrom(want.tensor())
		}
		if !ok {
			continue
		}
		lf, err := loss.New(c.Loss, nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		y := net.Forward(autograd.Const(c.X.tensor()), nn.Eval)
		var target loss.Target
		if lf.Classification() {
			target = loss.Target{Classes: c.Target.ints()}
		} else {
			target = loss.Target{Values: c.Target.tensor()}
		}
		l := lf.Compute(y, target)
		l.Backward()
		compareTensor(t, name+" y", y.Value, c.Y, 1e-5, 1e-4)
		if got := float64(l.Value.Item()); !within(got, c.Value, 1e-5, 1e-4) {
			t.Errorf("%s loss: got %.9g, want %.9g", name, got, c.Value)
		}
		for _, p := range params {
			compareTensor(t, name+" grad "+p.Name, p.Grad, c.Grads[p.Name], 1e-5, 1e-4)
		}
		n++
	}
	return n
}
