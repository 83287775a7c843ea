package nn_test

import (
	"fmt"

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
	abs := nn.NewSequential(hidden, nn.LayerFunc(autograd.ReLU), output)

	x := autograd.Const(tensor.FromSlice([]float32{-3, -0.5, 0, 2}, 4, 1))
	fmt.Println(abs.Forward(x).Value.Data())
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
