package gradtest_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/tensor"
)

// Checking the gradient of a small network y = tanh(xWᵀ + b) with respect
// to its input and both parameters.
func ExampleCheck() {
	rng := tensor.NewRNG(1)
	net := func(in []*autograd.Var) *autograd.Var {
		return autograd.Tanh(autograd.Linear(in[0], in[1], in[2]))
	}
	err := gradtest.Check(net, []*tensor.Tensor{
		tensor.Randn(rng, 4, 3), tensor.Randn(rng, 2, 3), tensor.Randn(rng, 2),
	}, gradtest.Options{})
	fmt.Println(err)
	// Output: <nil>
}
