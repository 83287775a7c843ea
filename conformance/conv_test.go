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

func init() { checkers["conv.json"] = checkConv }

// convCase is one case of conv.json: a layer given by its spec op and
// options, its parameters, an input and an output gradient, with
// PyTorch's output and the gradients of Σ y⊙dy.
type convCase struct {
	Op      string         `json:"op"`
	Config  map[string]any `json:"config"`
	X       jsonTensor     `json:"x"`
	Weight  jsonTensor     `json:"weight"`
	Bias    *jsonTensor    `json:"bias"`
	Y       jsonTensor     `json:"y"`
	DY      jsonTensor     `json:"dy"`
	DX      jsonTensor     `json:"dx"`
	DWeight jsonTensor     `json:"dweight"`
	DBias   *jsonTensor    `json:"dbias"`
}

// The outputs are sums of at most a few hundred products of numbers near
// 1, so float32 results agree with PyTorch's to a few ulps of the largest
// term: 1e-5 relative with as much again absolute for sums that cancel.
// Gradients sum over the batch and the image as well, hence 1e-4.
const (
	convAbsTol, convRelTol         = 1e-5, 1e-5
	convGradAbsTol, convGradRelTol = 1e-4, 1e-4
)

// checkConv builds each case's layer through nn.Build from its spec
// options, so that option parsing is checked too, loads PyTorch's
// parameters into it, and compares the output and all gradients, in
// evaluation and in training mode (a convolution computes the same in
// both).
func checkConv(t *testing.T, path string) int {
	var f struct {
		Cases    []convCase    `json:"cases"`
		Networks []convNetwork `json:"networks"`
	}
	if !readJSON(t, path, &f) {
		return 0
	}
	n := 0
	for i, c := range f.Cases {
		name := fmt.Sprintf("conv[%d] %s %v", i, c.Op, c.Config)
		switch c.Op {
		case "conv2d", "conv1d", "conv_transpose2d":
		default:
			t.Errorf("%s: unknown op %q", name, c.Op)
			continue
		}
		if len(c.X.Shape) < 2 {
			t.Errorf("%s: input shape %v has no batch dimension", name, c.X.Shape)
			continue
		}
		ok := true
		for _, mode := range []nn.Mode{nn.Eval, nn.Train(tensor.NewRNG(1))} {
			ok = checkConvCase(t, name, c, mode) && ok
		}
		if ok {
			n++
		}
	}
	for i, c := range f.Networks {
		if checkConvNetwork(t, fmt.Sprintf("conv network[%d] %v", i, c.Architecture), c) {
			n++
		}
	}
	return n
}

func checkConvCase(t *testing.T, name string, c convCase, mode nn.Mode) bool {
	t.Helper()
	if mode.Train {
		name += " (train)"
	}
	l, err := nn.Build(c.Op, nn.Options(c.Config), c.X.Shape[1:], tensor.NewRNG(0))
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return false
	}
	params := nn.ParamsOf(l)
	want := []jsonTensor{c.Weight}
	if c.Bias != nil {
		want = append(want, *c.Bias)
	}
	if len(params) != len(want) {
		t.Errorf("%s: got %d parameters, want %d", name, len(params), len(want))
		return false
	}
	for i, p := range params {
		if !equalInts(p.Value.Shape(), want[i].Shape) {
			t.Errorf("%s: %s has shape %v, want %v", name, p.Name, p.Value.Shape(), want[i].Shape)
			return false
		}
		copy(p.Value.Data(), want[i].tensor().Data())
	}
	if out, err := l.OutShape(c.X.Shape[1:]); err != nil || !equalInts(out, c.Y.Shape[1:]) {
		t.Errorf("%s: OutShape(%v) = %v, %v; want %v", name, c.X.Shape[1:], out, err, c.Y.Shape[1:])
		return false
	}
	x := autograd.Param(c.X.tensor())
	y := l.Forward(x, mode)
	y.BackwardWith(c.DY.tensor())
	ok := compareTensor(t, name+" y", y.Value, c.Y, convAbsTol, convRelTol)
	ok = compareTensor(t, name+" dx", x.Grad, c.DX, convGradAbsTol, convGradRelTol) && ok
	ok = compareTensor(t, name+" dweight", params[0].Grad, c.DWeight, convGradAbsTol, convGradRelTol) && ok
	if c.Bias != nil {
		if c.DBias == nil {
			t.Errorf("%s: the case has a bias but no dbias", name)
			return false
		}
		ok = compareTensor(t, name+" dbias", params[1].Grad, *c.DBias, convGradAbsTol, convGradRelTol) && ok
	}
	return ok
}

// convNetwork is a small convolutional network of conv.json, given as a
// spec architecture list, with PyTorch's parameters (by state_dict name),
// output, cross-entropy loss, its gradient dy and every parameter's
// gradient.
type convNetwork struct {
	Architecture []any                 `json:"architecture"`
	Loss         string                `json:"loss"`
	X            jsonTensor            `json:"x"`
	Target       jsonTensor            `json:"target"`
	Params       map[string]jsonTensor `json:"params"`
	Y            jsonTensor            `json:"y"`
	DY           jsonTensor            `json:"dy"`
	Value        float64               `json:"value"`
	Grads        map[string]jsonTensor `json:"grads"`
}

// checkConvNetwork builds the network from its spec, loads PyTorch's
// parameters by name and compares the output, the loss and every
// gradient, first through the graph and then through the fused kernels
// that training runs, driven by PyTorch's dy.
func checkConvNetwork(t *testing.T, name string, c convNetwork) bool {
	t.Helper()
	layers, err := spec.ParseArchitecture(c.Architecture)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return false
	}
	in := c.X.Shape[1:]
	net, _, err := spec.BuildArchitecture(in, layers, tensor.NewRNG(0))
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return false
	}
	params := net.Params()
	if len(params) != len(c.Params) {
		t.Errorf("%s: got %d parameters, want %d", name, len(params), len(c.Params))
		return false
	}
	for _, p := range params {
		want, found := c.Params[p.Name]
		if !found || !equalInts(p.Value.Shape(), want.Shape) {
			t.Errorf("%s: parameter %s %v has no match in the reference", name, p.Name, p.Value.Shape())
			return false
		}
		p.Value.CopyFrom(want.tensor())
	}
	lf, err := loss.New(c.Loss, nil)
	if err != nil || !lf.Classification() {
		t.Errorf("%s: loss %q: %v", name, c.Loss, err)
		return false
	}
	y := net.Forward(autograd.Const(c.X.tensor()), nn.Train(tensor.NewRNG(1)))
	l := lf.Compute(y, loss.Target{Classes: c.Target.ints()})
	l.Backward()
	ok := compareTensor(t, name+" y", y.Value, c.Y, convAbsTol, convRelTol)
	if got := float64(l.Value.Item()); !within(got, c.Value, convAbsTol, convRelTol) {
		t.Errorf("%s loss: got %.9g, want %.9g", name, got, c.Value)
		ok = false
	}
	for _, p := range params {
		ok = compareTensor(t, name+" grad "+p.Name, p.Grad, c.Grads[p.Name], convGradAbsTol, convGradRelTol) && ok
		p.ZeroGrad()
	}

	// The fused kernels, on buffers for more rows than used, with no
	// input gradient asked of the first layer.
	rows := c.X.Shape[0]
	k := nn.Fuse(net, in, rows+2)
	if k == nil {
		t.Errorf("%s: no fused kernel", name)
		return false
	}
	out := make([]float32, (rows+2)*nn.Size(c.Y.Shape[1:]))
	out = out[:rows*nn.Size(c.Y.Shape[1:])]
	k.Forward(out, c.X.tensor().Data(), rows, nn.Train(tensor.NewRNG(1)))
	k.Backward(nil, c.DY.tensor().Data(), c.X.tensor().Data(), out, rows)
	ok = compareTensor(t, name+" fused y", tensor.New(out, c.Y.Shape...), c.Y, convAbsTol, convRelTol) && ok
	for _, p := range params {
		ok = compareTensor(t, name+" fused grad "+p.Name, p.Grad, c.Grads[p.Name], convGradAbsTol, convGradRelTol) && ok
	}
	return ok
}
