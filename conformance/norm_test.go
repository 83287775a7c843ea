package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

func init() { checkers["norm.json"] = checkNorm }

// normOps are the layers norm.json covers, the ops of its cases.
var normOps = map[string]bool{
	"max_pool2d": true, "avg_pool2d": true, "adaptive_avg_pool2d": true,
	"batch_norm1d": true, "batch_norm2d": true, "layer_norm": true, "group_norm": true,
}

type normFile struct {
	Cases []struct {
		Name    string                `json:"name"`
		Op      string                `json:"op"`
		Config  map[string]any        `json:"config"`
		Params  map[string]jsonTensor `json:"params"`
		Buffers map[string]jsonTensor `json:"buffers"`
		Steps   []struct {
			Mode    string                `json:"mode"`
			X       jsonTensor            `json:"x"`
			Y       jsonTensor            `json:"y"`
			Dy      jsonTensor            `json:"dy"`
			Dx      jsonTensor            `json:"dx"`
			Grads   map[string]jsonTensor `json:"grads"`
			Buffers map[string]jsonTensor `json:"buffers"`
		} `json:"steps"`
	} `json:"cases"`
}

// checkNorm checks the pooling and normalisation layers against
// norm.json: each case builds its layer from spec options as the spec
// package would, loads PyTorch's parameters and buffers by state_dict
// name, and runs its steps in order through the graph form, comparing the
// output, the input and parameter gradients, and the buffers after each
// step (BatchNorm's running statistics and num_batches_tracked).
//
// Tolerances: outputs 1e-5 relative (+1e-5 absolute, for outputs near 0
// that normalisation computes as differences); gradients 1e-4; running
// statistics 1e-5.
func checkNorm(t *testing.T, path string) int {
	var f normFile
	if !readJSON(t, path, &f) {
		return 0
	}
	n := 0
	for i, c := range f.Cases {
		name := fmt.Sprintf("norm[%d] %s %s %v", i, c.Name, c.Op, c.Config)
		if !normOps[c.Op] || len(c.Steps) == 0 {
			t.Errorf("%s: unknown op or no steps", name)
			continue
		}
		in := c.Steps[0].X.Shape[1:]
		l, err := nn.Build(c.Op, nn.Options(c.Config), in, tensor.NewRNG(0))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !loadNamed(t, name+" params", paramTensors(nn.ParamsOf(l)), c.Params) ||
			!loadNamed(t, name+" buffers", bufferTensors(nn.BuffersOf(l)), c.Buffers) {
			continue
		}
		for j, s := range c.Steps {
			sname := fmt.Sprintf("%s step %d (%s)", name, j, s.Mode)
			mode := nn.Eval
			switch s.Mode {
			case "train":
				mode = nn.Train(tensor.NewRNG(uint64(j)))
			case "eval":
			default:
				t.Errorf("%s: unknown mode", sname)
				continue
			}
			for _, p := range nn.ParamsOf(l) {
				p.ZeroGrad()
			}
			x := autograd.Param(s.X.tensor())
			y := l.Forward(x, mode)
			y.BackwardWith(s.Dy.tensor())
			compareTensor(t, sname+" y", y.Value, s.Y, 1e-5, 1e-5)
			compareTensor(t, sname+" dx", x.Grad, s.Dx, 1e-4, 1e-4)
			params := nn.ParamsOf(l)
			if len(params) != len(s.Grads) {
				t.Errorf("%s: got %d parameter gradients, want %d", sname, len(params), len(s.Grads))
			}
			for _, p := range params {
				compareTensor(t, sname+" grad "+p.Name, p.Grad, s.Grads[p.Name], 1e-4, 1e-4)
			}
			bufs := nn.BuffersOf(l)
			if len(bufs) != len(s.Buffers) {
				t.Errorf("%s: got %d buffers, want %d", sname, len(bufs), len(s.Buffers))
			}
			for _, b := range bufs {
				compareTensor(t, sname+" "+b.Name, b.Value, s.Buffers[b.Name], 1e-6, 1e-5)
			}
		}
		n++
	}
	return n
}

func paramTensors(ps []nn.Param) map[string]*tensor.Tensor {
	m := map[string]*tensor.Tensor{}
	for _, p := range ps {
		m[p.Name] = p.Value
	}
	return m
}

func bufferTensors(bs []nn.Buffer) map[string]*tensor.Tensor {
	m := map[string]*tensor.Tensor{}
	for _, b := range bs {
		m[b.Name] = b.Value
	}
	return m
}

// loadNamed copies want into got by name; both must hold the same names
// with the same shapes.
func loadNamed(t *testing.T, what string, got map[string]*tensor.Tensor, want map[string]jsonTensor) bool {
	t.Helper()
	names := func(m map[string]*tensor.Tensor) string {
		s := make([]string, 0, len(m))
		for k := range m {
			s = append(s, k)
		}
		sort.Strings(s)
		return strings.Join(s, ", ")
	}
	if len(got) != len(want) {
		t.Errorf("%s: bigfunc has [%s], PyTorch has %d", what, names(got), len(want))
		return false
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok || !equalInts(g.Shape(), w.Shape) {
			t.Errorf("%s: PyTorch's %s %v has no match in [%s]", what, k, w.Shape, names(got))
			return false
		}
		g.CopyFrom(w.tensor())
	}
	return true
}

// bnFixture is conformance/norm/pytorch_bn.json, written by
// conformance/norm/bnstate.py together with pytorch_bn.safetensors.
type bnFixture struct {
	Architecture []any      `json:"architecture"`
	InputShape   []int      `json:"input_shape"`
	X            jsonTensor `json:"x"`
	Y            jsonTensor `json:"y"`
}

func readBNFixture(t *testing.T) (bnFixture, *safetensors.File) {
	t.Helper()
	var fx bnFixture
	if !readJSON(t, filepath.Join("norm", "pytorch_bn.json"), &fx) {
		t.FailNow()
	}
	f, err := safetensors.Load(filepath.Join("norm", "pytorch_bn.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	return fx, f
}

// bnNet builds the fixture's architecture from its spec form.
func bnNet(t *testing.T, fx bnFixture) *nn.Sequential {
	t.Helper()
	layers, err := spec.ParseArchitecture(fx.Architecture)
	if err != nil {
		t.Fatal(err)
	}
	net, _, err := spec.BuildArchitecture(fx.InputShape, layers, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// TestPyTorchBatchNormStateLoads loads a state_dict PyTorch saved after
// training-mode batches, buffers and the I64 num_batches_tracked
// included, and checks bigfunc's eval-mode output against PyTorch's.
func TestPyTorchBatchNormStateLoads(t *testing.T) {
	fx, f := readBNFixture(t)
	if !f.Int64["0.num_batches_tracked"] || f.Tensors["0.num_batches_tracked"].Item() != 4 {
		t.Fatalf("fixture: 0.num_batches_tracked = %v (I64 %v), want 4 as I64", f.Tensors["0.num_batches_tracked"], f.Int64["0.num_batches_tracked"])
	}
	net := bnNet(t, fx)
	if err := train.LoadWeights(net, f, "pytorch_bn.safetensors"); err != nil {
		t.Fatal(err)
	}
	bn := net.Layers[0].(*nn.BatchNorm)
	if got := bn.NumBatchesTracked.Item(); got != 4 {
		t.Errorf("num_batches_tracked after loading = %v, want 4", got)
	}
	if got, want := bn.RunningVar.Data(), f.Tensors["0.running_var"].Data(); got[0] != want[0] || got[0] == 1 {
		t.Errorf("running_var after loading = %v, want PyTorch's %v", got, want)
	}
	y := net.Forward(autograd.Const(fx.X.tensor()), nn.Eval)
	compareTensor(t, "eval output", y.Value, fx.Y, 1e-5, 1e-5)
}

// TestBatchNormModelLoadsInPyTorch saves a network built in Go, with
// BatchNorm buffers moved by training-mode batches, through train.Model:
// its tensors must be exactly those PyTorch's state_dict of the same
// network has (names, shapes, dtypes: what load_state_dict(strict=True)
// requires), it must load back into bigfunc with the same eval outputs,
// and, where PyTorch is installed, PyTorch must load it with strict=True
// and compute the same eval outputs.
func TestBatchNormModelLoadsInPyTorch(t *testing.T) {
	fx, ref := readBNFixture(t)
	rng := tensor.NewRNG(2)
	net := nn.NewSequential(
		nn.NewBatchNorm2d(3), &activation.ReLULayer{}, nn.NewMaxPool2d(2), nn.NewGroupNorm(3, 3, true),
		nn.NewAdaptiveAvgPool2d(2, 2), nn.Flatten{}, nn.NewLinear(12, 5, true, rng),
		nn.NewBatchNorm1d(5), nn.NewLayerNorm([]int{5}, true), nn.NewLinear(5, 2, true, rng))
	net.Layers[7].(*nn.BatchNorm).Cumulative = true
	for _, p := range net.Params() {
		for i := range p.Value.Data() {
			p.Value.Data()[i] += float32(rng.Normal() * 0.3)
		}
	}
	for step := range 3 {
		x := tensor.Randn(rng, 4+step, 3, 6, 6)
		net.Forward(autograd.Const(x), nn.Train(rng))
	}
	m, err := train.FromNet(net, []int{3, 6, 6}, "mse", nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bn.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != len(ref.Tensors) {
		t.Errorf("saved %v, PyTorch's state_dict has %v", f.Order, ref.Order)
	}
	for name, want := range ref.Tensors {
		got, ok := f.Tensors[name]
		if !ok || !tensor.SameShape(got, want) || f.Int64[name] != ref.Int64[name] {
			t.Errorf("tensor %q: saved %v (I64 %v), PyTorch has %v (I64 %v)", name, got, f.Int64[name], want.Shape(), ref.Int64[name])
		}
	}
	if got := f.Tensors["0.num_batches_tracked"].Item(); got != 3 {
		t.Errorf("saved 0.num_batches_tracked = %v, want 3", got)
	}

	x := fx.X.tensor()
	want := net.Forward(autograd.Const(x), nn.Eval).Value
	back, err := train.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	got := back.Net.Forward(autograd.Const(x), nn.Eval).Value
	for i, v := range want.Data() {
		if got.Data()[i] != v {
			t.Fatalf("loaded back: y[%d] = %v, want %v", i, got.Data()[i], v)
		}
	}

	if testing.Short() {
		t.Skip("-short: the strict load in PyTorch, which takes seconds to start, is not checked")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import torch").Run(); err != nil {
		t.Skip("PyTorch is not installed: the strict load in PyTorch is not checked")
	}
	xPath := filepath.Join(t.TempDir(), "x.json")
	xb, _ := json.Marshal(jsonTensor{Shape: x.Shape(), Data: float64s(x.Data())})
	if err := os.WriteFile(xPath, xb, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("/usr/bin/python3", filepath.Join("norm", "bnstate.py"), "eval", path, xPath).Output()
	if err != nil {
		t.Fatalf("PyTorch could not load the model: %v\n%s", err, exitStderr(err))
	}
	var py jsonTensor
	if err := json.Unmarshal(out, &py); err != nil {
		t.Fatalf("PyTorch's output %q: %v", out, err)
	}
	compareTensor(t, "PyTorch's eval output of the bigfunc model", want, py, 1e-5, 1e-5)
}

func float64s(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func exitStderr(err error) string {
	if e, ok := err.(*exec.ExitError); ok {
		return string(e.Stderr)
	}
	return ""
}

// TestNormSpecKeys builds the spec keys of the model file's contract, in
// the form a YAML decoder gives them, and checks the shapes they infer.
func TestNormSpecKeys(t *testing.T) {
	arch := []any{
		map[string]any{"batch_norm2d": map[string]any{"eps": 1e-5, "momentum": 0.1}},
		map[string]any{"group_norm": map[string]any{"num_groups": 2}},
		map[string]any{"dropout2d": 0.1},
		map[string]any{"max_pool2d": map[string]any{"kernel_size": 2}},
		map[string]any{"avg_pool2d": map[string]any{"kernel_size": 2}},
		map[string]any{"adaptive_avg_pool2d": map[string]any{"output_size": 1}},
		"flatten",
		map[string]any{"batch_norm1d": map[string]any{}},
		map[string]any{"layer_norm": map[string]any{}},
	}
	layers, err := spec.ParseArchitecture(arch)
	if err != nil {
		t.Fatal(err)
	}
	net, out, err := spec.BuildArchitecture([]int{4, 9, 8}, layers, tensor.NewRNG(0))
	if err != nil {
		t.Fatal(err)
	}
	shapes, _ := net.Shapes([]int{4, 9, 8})
	if got, want := fmt.Sprint(shapes), "[[4 9 8] [4 9 8] [4 9 8] [4 9 8] [4 4 4] [4 2 2] [4 1 1] [4] [4] [4]]"; got != want || fmt.Sprint(out) != "[4]" {
		t.Errorf("shapes %s, want %s", got, want)
	}
	var names []string
	for _, p := range net.Params() {
		names = append(names, p.Name)
	}
	for _, b := range net.Buffers() {
		names = append(names, b.Name)
	}
	want := "0.weight 0.bias 1.weight 1.bias 7.weight 7.bias 8.weight 8.bias 0.running_mean 0.running_var 0.num_batches_tracked 7.running_mean 7.running_var 7.num_batches_tracked"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("state_dict names %s, want %s", got, want)
	}
}
