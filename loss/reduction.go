package loss

import (
	"fmt"
	"strconv"
)

// Reduction says how per-element losses combine into the result, as
// PyTorch's reduction argument. The zero value is Mean, PyTorch's default.
type Reduction int

const (
	// Mean averages the losses over all elements (over samples for
	// CrossEntropy and NLL), giving a scalar. The mean of nothing is NaN,
	// as in PyTorch.
	Mean Reduction = iota
	// Sum adds the losses, giving a scalar.
	Sum
	// None keeps the losses unreduced: one per element of the prediction,
	// or one per sample for CrossEntropy and NLL. Back-propagating through
	// it needs a seed of that shape (autograd.Var.BackwardWith).
	None
)

// String returns PyTorch's spelling of r: "mean", "sum" or "none".
func (r Reduction) String() string {
	switch r {
	case Mean:
		return "mean"
	case Sum:
		return "sum"
	case None:
		return "none"
	}
	return "Reduction(" + strconv.Itoa(int(r)) + ")"
}

// ParseReduction returns the Reduction that PyTorch spells s: "mean",
// "sum" or "none".
func ParseReduction(s string) (Reduction, error) {
	switch s {
	case "mean":
		return Mean, nil
	case "sum":
		return Sum, nil
	case "none":
		return None, nil
	}
	return 0, fmt.Errorf("loss: unknown reduction %q (allowed: \"mean\", \"sum\", \"none\")", s)
}

// check panics if r is not one of the three reductions: an out-of-range
// value can only come from a conversion in the caller's code.
func (r Reduction) check(op string) {
	if r < Mean || r > None {
		panic(fmt.Errorf("loss.%s: invalid %v (want Mean, Sum or None)", op, r))
	}
}

// reduced turns the float64 sum of n losses into the scalar result of r
// (Mean or Sum).
func reduced(r Reduction, sum float64, n int) float32 {
	if r == Mean {
		return float32(sum / float64(n))
	}
	return float32(sum)
}

// seedScale is the factor that turns a local derivative into the gradient
// for a scalar seed g: g/n for Mean, g for Sum.
func seedScale(r Reduction, g float32, n int) float64 {
	if r == Mean {
		return float64(g) / float64(n)
	}
	return float64(g)
}
