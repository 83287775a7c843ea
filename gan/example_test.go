package gan_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/gan"
	"github.com/bigfunc/bigfunc/tensor"
)

func ExampleScoreRing8() {
	// The real data scores as a perfect generator would: every mode
	// covered, and about 98.9% of samples (1 − e^−4.5) within 3 standard
	// deviations.
	real, _ := data.Synthetic("ring8", 2500, 0, 1)
	s := gan.ScoreRing8(real.X)
	fmt.Printf("%d/8 modes, %.1f%% high quality\n", s.Modes, 100*s.HighQuality)

	// A collapsed generator: everything at mode 2, (0, 2).
	collapsed := tensor.Zeros(100, 2)
	for i := range 100 {
		collapsed.Set(2, i, 1)
	}
	s = gan.ScoreRing8(collapsed)
	fmt.Printf("%d/8 modes, %.1f%% high quality, %v\n", s.Modes, 100*s.HighQuality, s.PerMode)
	// Output:
	// 8/8 modes, 99.2% high quality
	// 1/8 modes, 100.0% high quality, [0 0 100 0 0 0 0 0]
}

func ExampleDistribution_Draw() {
	z := make([]float32, 4)
	gan.Uniform.Draw(z, tensor.NewRNG(1))
	for _, v := range z {
		fmt.Println(v >= -1 && v < 1)
	}
	// Output:
	// true
	// true
	// true
	// true
}
