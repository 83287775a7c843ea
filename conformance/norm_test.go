package conformance

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
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
