package tensor_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/tensor"
)

func ExampleAdd() {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := tensor.FromSlice([]float32{10, 20, 30}, 3)
	fmt.Println(tensor.Add(x, b)) // the bias row is broadcast to each row
	// Output: Tensor[2 3][11 22 33 14 25 36]
}

func ExampleMatMulT() {
	x := tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	w := tensor.FromSlice([]float32{1, 0, 1, 1}, 2, 2)
	fmt.Println(tensor.MatMulT(x, w, false, true)) // x·wᵀ without materialising wᵀ
	// Output: Tensor[2 2][1 3 3 7]
}

func ExampleSum() {
	x := tensor.Arange(0, 6, 1).Reshape(2, 3)
	fmt.Println(tensor.Sum(x, 0), tensor.Sum(x, 1), tensor.ArgMax(x, 1))
	// Output: Tensor[3][3 5 7] Tensor[2][3 12] [2 2]
}

func ExampleNewRNG() {
	a, b := tensor.NewRNG(7), tensor.NewRNG(7)
	fmt.Println(tensor.Randn(a, 3).Data()[0] == tensor.Randn(b, 3).Data()[0])
	// Output: true
}

func ExampleShapeError() {
	defer func() { fmt.Println(recover()) }()
	tensor.MatMul(tensor.Zeros(2, 3), tensor.Zeros(2, 3))
	// Output: tensor: MatMul: shape mismatch [2 3] x [2 3]
}
