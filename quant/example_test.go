package quant_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/quant"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// A float32 model becomes an int8 one that predicts nearly the same.
func ExampleModel() {
	rng := tensor.NewRNG(1)
	net := nn.NewSequential(nn.NewLinear(4, 16, true, rng), &activation.ReLULayer{}, nn.NewLinear(16, 2, true, rng))
	m, _ := train.FromNet(net, []int{4}, "mse", nil)
	q, _ := quant.Model(m)
	x := tensor.New([]float32{1, -2, 0.5, 3}, 1, 4)
	y, _ := m.Predict(x)
	y8, _ := q.Predict(x)
	fmt.Println(q.Quantized, q.Net.Layers[0].Describe().Op)
	fmt.Printf("float32 %.2f\nint8    %.2f\n", y.Data(), y8.Data())
	// Output:
	// int8 linear_int8
	// float32 [-0.53 -0.61]
	// int8    [-0.53 -0.61]
}

// Rows rounds each row to int8 with its own scale.
func ExampleRows() {
	q, scale := quant.Rows([]float32{0.5, -1, 0.25, 2, 1, 0}, 2, 3)
	fmt.Println(q, scale)
	// Output: [64 -127 32 127 64 0] [0.007874016 0.015748031]
}
