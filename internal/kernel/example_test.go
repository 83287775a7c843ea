package kernel_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/internal/kernel"
)

// The affine layer's product y = x·Wᵀ, with W stored [out, in] as PyTorch
// stores it: transB reads it transposed without copying.
func ExampleGemm() {
	x := []float32{1, 2, 3, 4, 5, 6} // 2 samples × 3 inputs
	w := []float32{1, 0, 1, 0, 1, 0} // 2 outputs × 3 inputs
	y := make([]float32, 4)
	kernel.Gemm(false, true, 2, 2, 3, x, 3, w, 3, y, 2, false)
	fmt.Println(y)
	// Output: [4 2 10 5]
}

func ExampleFMA32() {
	// (1 + 2⁻¹³)² − 1 = 2⁻¹² + 2⁻²⁶ exactly. Rounding the square to float32
	// first loses the 2⁻²⁶; the fused form keeps it.
	a := float32(1 + 1.0/(1<<13))
	prod := a * a
	fmt.Println(kernel.FMA32(a, a, -1), prod-1)
	// Output: 0.00024415553 0.00024414063
}

// A cache as Caches reports it.
func ExampleCache_String() {
	fmt.Println(kernel.Cache{Level: 2, Type: "Unified", Size: 1 << 20, SharedBy: 2})
	fmt.Println(kernel.Cache{Level: 1, Type: "Data", Size: 48 << 10, SharedBy: 1})
	// Output:
	// L2 1 MiB (shared by 2)
	// L1d 48 KiB
}

// Int8Linear multiplies by int8 weights: here W = [[1 2] [3 −4]] with
// scales 0.5 and 0.25. The exact answer for x = [2 1] is [2 0.5]; x
// quantized to 7 bits gives it to about 1%.
func ExampleInt8Linear() {
	w := kernel.PackInt8([]int8{1, 2, 3, -4}, 2, 2)
	y := make([]float32, 2)
	kernel.Int8Linear(y, []float32{2, 1}, 1, w, []float32{0.5, 0.25}, nil, nil)
	fmt.Printf("%.1f\n", y)
	// Output: [2.0 0.5]
}

// ExampleDepthwiseTaps sums each 3×3 neighbourhood of a 3×3 image of
// ones, padded by one: the taps are offsets into the 5×5 padded plane.
func ExampleDepthwiseTaps() {
	const wp = 5 // padded width
	x := make([]float32, wp*wp)
	for r := 1; r <= 3; r++ {
		for c := 1; c <= 3; c++ {
			x[r*wp+c] = 1
		}
	}
	var w []float32
	var off []int
	for i := range 3 {
		for j := range 3 {
			w = append(w, 1)
			off = append(off, i*wp+j)
		}
	}
	y := make([]float32, 9)
	kernel.DepthwiseTaps(y, 3, x, wp, w, off, 3, 3, false, nil)
	fmt.Println(y[0:3], y[3:6], y[6:9])
	// Output: [4 6 4] [6 9 6] [4 6 4]
}
