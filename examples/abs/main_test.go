package main

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/tensor"
)

// TestSomeSeedFindsAbs checks the example's claim: from some of its seeds
// the 1-2-1 net learns |x| almost exactly, and from others it stalls.
func TestSomeSeedFindsAbs(t *testing.T) {
	x := tensor.Uniform(tensor.NewRNG(0), -2, 2, 256, 1)
	y := tensor.Map(x, func(v float32) float32 { return float32(math.Abs(float64(v))) })
	found, stuck := 0, 0
	for seed := uint64(1); seed <= 6; seed++ {
		_, mse, err := fit(seed, x, y)
		if err != nil {
			t.Fatal(err)
		}
		if mse < 1e-3 {
			found++
		} else {
			stuck++
		}
	}
	if found == 0 || stuck == 0 {
		t.Fatalf("found %d, stuck %d of 6 seeds; the example promises both", found, stuck)
	}
}
