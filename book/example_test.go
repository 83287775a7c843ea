package book_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/book"
)

// The chapter's |x| network, run on a few inputs.
func ExampleAbsNet() {
	fmt.Println(book.Eval1(book.AbsNet(), []float64{-2, -0.5, 0, 3}))
	// Output: [2 0.5 0 3]
}

// max{x₁, x₂} = x₁ + ReLU(x₂ − x₁), with x₁ skipping the hidden layer.
func ExampleMaxSkipNet() {
	fmt.Println(book.Eval(book.MaxSkipNet(), [][]float64{{1, 2}, {3, -1}, {-4, -5}}))
	// Output: [[2] [3] [-4]]
}

// NAND, built from its truth table as a sum of minterm detectors.
func ExampleLogicNet() {
	nand := book.LogicNet([4]bool{true, true, true, false})
	for _, c := range book.Corners {
		out := book.Eval(nand, [][]float64{{c[0], c[1]}})
		fmt.Printf("%g nand %g = %g\n", c[0], c[1], out[0][0])
	}
	// Output:
	// 0 nand 0 = 1
	// 0 nand 1 = 1
	// 1 nand 0 = 1
	// 1 nand 1 = 0
}

// The approximation of x² as printed is 2|x| − 0.04 on [−1, 1]; the best
// four pieces miss x² by at most 1/32.
func ExampleSquareMinimax() {
	printed, _ := book.Formula(book.SquarePrinted())
	best, _ := book.Formula(book.SquareMinimax())
	sq := func(x float64) float64 { return x * x }
	pe, at := book.ErrorOnInterval(book.SquarePrinted(), sq, -1, 1, 2001)
	be, _ := book.ErrorOnInterval(book.SquareMinimax(), sq, -1, 1, 2001)
	fmt.Printf("printed: %s\n  max error %.4g at x = %g\n", printed, pe, at)
	fmt.Printf("best:    %s\n  max error %.4g\n", best, be)
	// Output:
	// printed: f(x) = 2ReLU(x − 1) + 2ReLU(x) + 2ReLU(−x) + 2ReLU(−x − 1) − 0.04
	//   max error 0.96 at x = -1
	// best:    f(x) = ReLU(x − 0.5) + 0.5ReLU(x) + 0.5ReLU(−x) + ReLU(−x − 0.5) − 0.03125
	//   max error 0.03125
}
