package ppo_test

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/rl/ppo"
	"github.com/bigfunc/bigfunc/tensor"
)

// The clipped objective of one sample whose probability rose by half
// (ratio 1.5) with a positive advantage: the gain counts only up to the
// ratio 1 + ε = 1.2, and no gradient pushes the ratio further.
func ExampleClippedSurrogate() {
	logp := autograd.Param(tensor.FromSlice([]float32{float32(math.Log(1.5))}, 1))
	l := ppo.ClippedSurrogate(logp, []float32{0}, []float32{2}, 0.2)
	l.Backward()
	fmt.Printf("loss %.2f, gradient %.1f\n", l.Value.Item(), logp.Grad.At(0))
	// Output: loss -2.40, gradient 0.0
}

func ExampleDefaultConfig() {
	c := ppo.DefaultConfig(false)
	fmt.Println(c.NumEnvs, c.NumSteps, c.ClipCoef, c.EntCoef, ppo.DefaultLR(false))
	// Output: 4 128 0.2 0.01 0.00025
}
