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

// A GPT-style token model exports with int64 ids and a free sequence
// length, and comes back as the same layers.
func ExampleExport_tokens() {
	rng := tensor.NewRNG(1)
	net := nn.NewSequential(
		nn.NewEmbedding(10, 8, 0, rng),
		nn.NewPositional("sinusoidal", 32, 8, rng),
		nn.NewTransformerEncoderLayer(8, 2, 16, 0, "gelu", 1e-5, true, true, rng),
		nn.NewLayerNorm([]int{8}, true),
		nn.NewLinear(8, 10, true, rng))
	m, err := train.FromNet(net, []int{5}, "cross_entropy", nil)
	if err != nil {
		panic(err)
	}
	var file bytes.Buffer
	if err := onnx.Export(&file, m, onnx.ExportOptions{}); err != nil {
		panic(err)
	}
	back, err := onnx.Import(&file)
	if err != nil {
		panic(err)
	}
	fmt.Println("input shape:", back.InputShape)
	for _, l := range back.Net.Layers {
		fmt.Println(l.Describe().Op)
	}
	// Output:
	// input shape: [5]
	// embedding
	// positional
	// transformer_encoder_layer
	// layer_norm
	// linear
}
