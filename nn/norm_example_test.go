package nn_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// A training-mode batch normalises with the batch's statistics and moves
// the running ones by momentum 0.1 towards them; the running variance
// takes the unbiased estimate (here 2 for the values 1 and 3). Evaluation
// then normalises with the running statistics: (x − 0.2)/√(1.1 + 1e-5).
func ExampleBatchNorm() {
	bn := nn.NewBatchNorm1d(1)
	x := autograd.Const(tensor.FromSlice([]float32{1, 3}, 2, 1))
	y := bn.Forward(x, nn.Train(tensor.NewRNG(0)))
	fmt.Printf("y %.4f\n", y.Value.Data())
	fmt.Printf("running_mean %.2f running_var %.2f num_batches_tracked %v\n",
		bn.RunningMean.At(0), bn.RunningVar.At(0), bn.NumBatchesTracked.Item())
	fmt.Printf("eval %.4f\n", bn.Forward(x, nn.Eval).Value.Data())
	// Output:
	// y [-1.0000 1.0000]
	// running_mean 0.20 running_var 1.10 num_batches_tracked 1
	// eval [0.7628 2.6697]
}

// Max pooling halves each side of a feature map with a 2×2 window.
func ExampleMaxPool2d() {
	x := tensor.FromSlice([]float32{
		1, 2, 0, 1,
		3, 4, 1, 0,
		0, 0, 5, 6,
		1, 0, 7, 8,
	}, 1, 1, 4, 4)
	y := nn.NewMaxPool2d(2).Forward(autograd.Const(x), nn.Eval)
	fmt.Println(y.Value.Shape(), y.Value.Data())
	// Output: [1 1 2 2] [4 1 1 8]
}
