package nn_test

import (
	"encoding/json"
	"fmt"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// The chapter's |x| network, built by hand: two hidden ReLU units with
// weights (1, −1)ᵀ and an output that adds them.
func Example() {
	hidden := &nn.Linear{In: 1, Out: 2,
		Weight: autograd.Param(tensor.FromSlice([]float32{1, -1}, 2, 1)),
		Bias:   autograd.Param(tensor.Zeros(2))}
	output := &nn.Linear{In: 2, Out: 1,
		Weight: autograd.Param(tensor.FromSlice([]float32{1, 1}, 1, 2)),
		Bias:   autograd.Param(tensor.Zeros(1))}
	abs := nn.NewSequential(hidden, &activation.ReLULayer{}, output)

	x := autograd.Const(tensor.FromSlice([]float32{-3, -0.5, 0, 2}, 4, 1))
	fmt.Println(abs.Forward(x, nn.Eval).Value.Data())
	for _, p := range abs.Params() {
		fmt.Print(p.Name, " ")
	}
	fmt.Println()
	// Output:
	// [3 0.5 0 2]
	// 0.weight 0.bias 2.weight 2.bias
}

func ExampleNewLinear() {
	l := nn.NewLinear(3, 2, true, tensor.NewRNG(0))
	fmt.Println(l.Weight.Value.Shape(), l.Bias.Value.Shape())
	// Output: [2 3] [2]
}

// A network describes itself as a spec architecture list, the form a
// model file stores and Build reads back.
func ExampleArchitecture() {
	rng := tensor.NewRNG(0)
	net := nn.NewSequential(nn.NewLinear(4, 8, true, rng), &activation.ReLULayer{},
		&nn.Residual{F: nn.NewSequential(nn.NewLinear(8, 8, true, rng))}, nn.NewDropout(0.1), nn.NewLinear(8, 2, false, rng))
	b, _ := json.Marshal(nn.Architecture(net.Layers))
	fmt.Println(string(b))
	shapes, _ := net.Shapes([]int{4})
	fmt.Println(shapes)
	// Output:
	// [{"linear":{"bias":true,"out_features":8}},"relu",{"residual":{"body":[{"linear":{"bias":true,"out_features":8}}]}},{"dropout":{"p":0.1}},{"linear":{"bias":false,"out_features":2}}]
	// [[4] [8] [8] [8] [8] [2]]
}
