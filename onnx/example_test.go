package onnx_test

import (
	"bytes"
	"fmt"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/onnx"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// Export a small network as ONNX, read it back, and check that the two
// predict the same bits.
func Example() {
	rng := tensor.NewRNG(1)
	net := nn.NewSequential(nn.NewLinear(3, 8, true, rng), &activation.GELULayer{Approximate: activation.GELUNone}, nn.NewLinear(8, 2, true, rng))
	m, err := train.FromNet(net, []int{3}, "mse", nil)
	if err != nil {
		panic(err)
	}
	var file bytes.Buffer
	if err := onnx.Export(&file, m, onnx.ExportOptions{Opset: 17}); err != nil {
		panic(err)
	}
	back, err := onnx.Import(&file)
	if err != nil {
		panic(err)
	}
	for _, l := range back.Net.Layers {
		fmt.Println(l.Describe().Op)
	}
	x := tensor.Randn(tensor.NewRNG(2), 4, 3)
	a, _ := m.Predict(x)
	b, _ := back.Predict(x)
	fmt.Println("same predictions:", fmt.Sprint(a.Data()) == fmt.Sprint(b.Data()))
	// Output:
	// linear
	// gelu
	// linear
	// same predictions: true
}

// An operator Import does not know is a one-line error that names it,
// its node and the opset.
func ExampleImport_unsupported() {
	rng := tensor.NewRNG(1)
	m, _ := train.FromNet(nn.NewSequential(nn.NewLinear(2, 2, true, rng), &activation.ReLULayer{}), []int{2}, "mse", nil)
	var file bytes.Buffer
	_ = onnx.Export(&file, m, onnx.ExportOptions{})
	// Rename the op (same length, so the protobuf stays well formed).
	b := bytes.ReplaceAll(file.Bytes(), []byte("Relu"), []byte("Rexu"))
	_, err := onnx.Import(bytes.NewReader(b))
	fmt.Println(err)
	// Output:
	// onnx: import: unsupported op Rexu (node "1/Rexu") at opset 17
}
