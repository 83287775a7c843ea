package activation_test

import (
	"fmt"
	"strings"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// ReLU passes no gradient at 0, as PyTorch does.
func ExampleReLU() {
	x := autograd.Param(tensor.FromSlice([]float32{-1, 0, 2}, 3))
	y := activation.ReLU(x)
	y.BackwardWith(tensor.Ones(3))
	fmt.Println(y.Value.Data(), x.Grad.Data())
	// Output: [0 0 2] [0 0 1]
}

// LeakyReLU tests x > 0, so the gradient at 0 is the negative slope.
func ExampleLeakyReLU() {
	x := autograd.Param(tensor.FromSlice([]float32{-2, 0, 3}, 3))
	y := activation.LeakyReLU(x, 0.1)
	y.BackwardWith(tensor.Ones(3))
	fmt.Println(y.Value.Data(), x.Grad.Data())
	// Output: [-0.2 0 3] [0.1 0.1 1]
}

func ExampleGELU() {
	x := autograd.Const(tensor.FromSlice([]float32{-1, 0, 1}, 3))
	fmt.Printf("%.4f\n", activation.GELU(x, activation.GELUNone).Value.Data())
	fmt.Printf("%.4f\n", activation.GELU(x, activation.GELUTanh).Value.Data())
	// Output:
	// [-0.1587 0.0000 0.8413]
	// [-0.1588 0.0000 0.8412]
}

// Maxout keeps the largest of each run of pieces consecutive columns.
func ExampleMaxoutOf() {
	x := autograd.Const(tensor.FromSlice([]float32{
		1, 5, 2, // output column 0
		-3, -1, -2, // output column 1
	}, 1, 6))
	fmt.Println(activation.MaxoutOf(x, 3).Value)
	// Output: Tensor[1 2][5 -1]
}

// New builds an activation from a model spec's name and PyTorch-named
// parameters; Config reports them back with defaults filled in.
func ExampleNew() {
	l, err := activation.New("softplus", map[string]any{"beta": 2})
	if err != nil {
		panic(err)
	}
	fmt.Println(l.Name(), l.Config())

	_, err = activation.New("hardtanh", map[string]any{"min_val": 2.0})
	fmt.Println(err)
	// Output:
	// softplus map[beta:2 threshold:20]
	// activation "hardtanh": min_val: want a number below max_val (1), got 2
}

// An unknown name gets a suggestion when one is close.
func ExampleNew_unknownName() {
	_, err := activation.New("sigmod", nil)
	msg, allowed, _ := strings.Cut(err.Error(), "; allowed: ")
	fmt.Println(msg)
	fmt.Println(strings.HasPrefix(allowed, "celu, elu, gelu, "))
	// Output:
	// activation: unknown activation "sigmod" (did you mean "sigmoid"?)
	// true
}

// A PReLU slope is a parameter named as in a PyTorch state_dict.
func ExampleNewPReLU() {
	model := nn.NewSequential(&activation.TanhLayer{}, activation.NewPReLU(2, 0.25))
	for _, p := range model.Params() {
		fmt.Println(p.Name, p.Value)
	}
	// Output: 1.weight Tensor[2][0.25 0.25]
}

// RReLU draws random slopes in training and uses their mean in evaluation.
func ExampleRReLU() {
	l := activation.NewRReLU(0.1, 0.3)
	x := autograd.Const(tensor.FromSlice([]float32{-1, 2}, 2))
	fmt.Println(l.Forward(x, nn.Eval).Value.Data())
	// Output: [-0.2 2]
}
