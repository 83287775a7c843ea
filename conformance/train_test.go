package conformance

import (
	"context"
	"fmt"
	"testing"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

func init() { checkers["train.json"] = checkTrain }

// trainFile holds full-batch training trajectories made by
// conformance/train/gentrain.py.
type trainFile struct {
	Cases []struct {
		Architecture []any                 `json:"architecture"`
		InputShape   []int                 `json:"input_shape"`
		X            jsonTensor            `json:"x"`
		Labels       []int                 `json:"labels"`
		Optimizer    map[string]any        `json:"optimizer"`
		Steps        int                   `json:"steps"`
		Init         map[string]jsonTensor `json:"init"`
		Losses       []float64             `json:"losses"`
		Final        map[string]jsonTensor `json:"final"`
		Eval         jsonTensor            `json:"eval"`
	} `json:"cases"`
}

// Trajectories compound rounding over steps; 1e-4 is the bound the
// project promises for them.
const trajTol = 1e-4

// checkTrain builds each case's network from its architecture list as a
// spec would, loads PyTorch's initial weights and buffers, trains it full
// batch through train.Trainer, and compares every step's loss, the final
// parameters and buffers, and the evaluation-mode outputs of Predict.
func checkTrain(t *testing.T, path string) int {
	var f trainFile
	if !readJSON(t, path, &f) {
		return 0
	}
	n := 0
	for i, c := range f.Cases {
		name := fmt.Sprintf("train[%d] %v", i, c.Architecture)
		if err := trainCase(t, name, c.Architecture, c.InputShape, c.X, c.Labels, c.Optimizer, c.Steps, c.Init, c.Losses, c.Final, c.Eval); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		n++
	}
	return n
}

func trainCase(t *testing.T, name string, arch []any, in []int, x jsonTensor, labels []int, opt map[string]any, steps int,
	init map[string]jsonTensor, losses []float64, final map[string]jsonTensor, eval jsonTensor) error {
	t.Helper()
	layers, err := spec.ParseArchitecture(arch)
	if err != nil {
		return err
	}
	net, _, err := spec.BuildArchitecture(in, layers, tensor.NewRNG(0))
	if err != nil {
		return err
	}
	m, err := train.FromNet(net, in, "cross_entropy", nil)
	if err != nil {
		return err
	}
	file := &safetensors.File{Tensors: map[string]*tensor.Tensor{}}
	for k, v := range init {
		file.Tensors[k] = v.tensor()
	}
	if err := train.LoadWeights(net, file, name); err != nil {
		return err
	}
	hp := map[string]any{}
	for k, v := range opt {
		if k != "name" {
			hp[k] = v
		}
	}
	o, err := optim.New(opt["name"].(string), nn.Vars(m.Params()), hp)
	if err != nil {
		return err
	}
	rows := x.Shape[0]
	ds := &data.Dataset{X: x.tensor().Reshape(rows, nn.Size(in)), Labels: labels, Shape: in}
	var got []float64
	cfg := train.Config{Epochs: steps, OnStep: func(s train.StepInfo) error {
		got = append(got, s.Loss)
		return nil
	}}
	tr, err := train.NewTrainer(m, o, ds, nil, cfg, 0)
	if err != nil {
		return err
	}
	if _, err := tr.Run(context.Background()); err != nil {
		return err
	}
	for s, want := range losses {
		if s >= len(got) || !within(got[s], want, trajTol, trajTol) {
			return fmt.Errorf("step %d: loss %v, PyTorch %v (all: %v vs %v)", s+1, got, want, got, losses)
		}
	}
	have := map[string]*tensor.Tensor{}
	for _, p := range m.Params() {
		have[p.Name] = p.Value
	}
	for _, b := range m.Net.Buffers() {
		have[b.Name] = b.Value
	}
	for k, want := range final {
		if !compareTensor(t, name+" final "+k, have[k], want, trajTol, trajTol) {
			return fmt.Errorf("final %s differs", k)
		}
	}
	out, err := m.Predict(ds.X)
	if err != nil {
		return err
	}
	if !compareTensor(t, name+" eval outputs", out, eval, trajTol, trajTol) {
		return fmt.Errorf("evaluation outputs differ")
	}
	return nil
}
