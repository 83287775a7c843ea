package kernel_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/internal/kernel"
)

// GELU and its gradient in PyTorch's float32 rounding; to six decimals
// they agree with x·Φ(x) and Φ(x) + x·φ(x) computed in float64.
func ExampleGELU() {
	x := []float32{-2, -0.5, 0, 0.5, 2}
	y := make([]float32, len(x))
	kernel.GELU(y, x)
	dy := []float32{1, 1, 1, 1, 1}
	dx := make([]float32, len(x))
	kernel.GELUGrad(dx, dy, x)
	for i := range x {
		fmt.Printf("GELU(%4.1f) = %9.6f   GELU′ = %9.6f\n", x[i], y[i], dx[i])
	}
	// Output:
	// GELU(-2.0) = -0.045500   GELU′ = -0.085232
	// GELU(-0.5) = -0.154269   GELU′ =  0.132505
	// GELU( 0.0) =  0.000000   GELU′ =  0.500000
	// GELU( 0.5) =  0.345731   GELU′ =  0.867495
	// GELU( 2.0) =  1.954500   GELU′ =  1.085232
}
