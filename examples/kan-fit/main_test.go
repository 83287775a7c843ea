package main

import (
	"testing"

	"github.com/bigfunc/bigfunc/tensor"
)

// TestExtensionKeepsAndRefines checks the example's mechanism on a short
// run: extending the grid keeps the fit, and training on the finer grid
// improves it.
func TestExtensionKeepsAndRefines(t *testing.T) {
	x, y := sample(tensor.NewRNG(1), 300)
	net := NewKAN(3, tensor.NewRNG(2))
	if err := train(net, x, y, 15); err != nil {
		t.Fatal(err)
	}
	coarse := rmse(net, x, y)
	if err := regrid(net, x, 10); err != nil {
		t.Fatal(err)
	}
	extended := rmse(net, x, y)
	if extended > 1.1*coarse {
		t.Errorf("extension from 3 to 10 intervals: RMSE %.3g, was %.3g", extended, coarse)
	}
	if err := lbfgs(net, x, y, 10); err != nil {
		t.Fatal(err)
	}
	if fine := rmse(net, x, y); !(fine < extended) {
		t.Errorf("training on the grid of 10: RMSE %.3g, was %.3g", fine, extended)
	}
}
