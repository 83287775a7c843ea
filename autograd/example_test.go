package autograd_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/tensor"
)

// The chapter's |x| = ReLU(x) + ReLU(−x), differentiated at three points.
func Example() {
	x := autograd.Param(tensor.FromSlice([]float32{-2, 0, 3}, 3))
	y := autograd.Add(autograd.ReLU(x), autograd.ReLU(autograd.Neg(x)))
	autograd.Sum(y).Backward()
	fmt.Println("y  =", y.Value.Data())
	fmt.Println("dy =", x.Grad.Data())
	// Output:
	// y  = [2 0 3]
	// dy = [-1 0 1]
}

// Inference without a graph: computing on a detached value records
// nothing.
func ExampleVar_Detach() {
	w := autograd.Param(tensor.FromSlice([]float32{2}, 1))
	c := w.Detach()
	y := autograd.Mul(c, c)
	fmt.Println(y.Value.Data(), y.RequiresGrad())
	// Output: [4] false
}

func ExampleNew() {
	// A user-defined operation: cube, with its derivative 3x².
	cube := func(x *autograd.Var) *autograd.Var {
		y := tensor.Map(x.Value, func(v float32) float32 { return v * v * v })
		return autograd.New("cube", y, func(g *tensor.Tensor) {
			d := tensor.Map(x.Value, func(v float32) float32 { return 3 * v * v })
			x.AccumulateGrad(tensor.Mul(g, d))
		}, x)
	}
	err := gradtest.Check(func(in []*autograd.Var) *autograd.Var { return cube(in[0]) },
		[]*tensor.Tensor{tensor.FromSlice([]float32{0.5, -1, 2}, 3)}, gradtest.Options{})
	fmt.Println("gradient check:", err)
	// Output: gradient check: <nil>
}
