package loss

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestCrossEntropyIgnore checks the per-token cross-entropy over [N, T, C]
// against CrossEntropy on the rows that are not ignored, and its gradient
// by central differences.
func TestCrossEntropyIgnore(t *testing.T) {
	rng := tensor.NewRNG(1)
	logits := tensor.Randn(rng, 2, 3, 4)
	target := []int{1, IgnoreIndex, 3, 0, IgnoreIndex, 2}
	for _, eps := range []float64{0, 0.2} {
		for _, r := range []Reduction{Mean, Sum} {
			got := CrossEntropyIgnore(autograd.Const(logits), target, IgnoreIndex, eps, r).Value.Item()
			// The same rows, ignored ones left out, through CrossEntropy.
			var rows []float32
			var kept []int
			for i, y := range target {
				if y != IgnoreIndex {
					rows = append(rows, logits.Data()[i*4:(i+1)*4]...)
					kept = append(kept, y)
				}
			}
			want := CrossEntropy(autograd.Const(tensor.New(rows, len(kept), 4)), kept, eps, r).Value.Item()
			if math.Abs(float64(got-want)) > 1e-6 {
				t.Errorf("ε=%v %v: got %v, want %v", eps, r, got, want)
			}
		}
		err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
			return CrossEntropyIgnore(in[0], target, IgnoreIndex, eps, Mean)
		}, []*tensor.Tensor{logits}, gradtest.Options{})
		if err != nil {
			t.Error(err)
		}
	}
	none := CrossEntropyIgnore(autograd.Const(logits), target, IgnoreIndex, 0, None).Value
	if s := none.Shape(); len(s) != 2 || s[0] != 2 || s[1] != 3 || none.At(0, 1) != 0 {
		t.Errorf("None: got %v, want shape [2 3] with 0 at ignored rows", none)
	}
	all := CrossEntropyIgnore(autograd.Const(logits), []int{-1, -1, -1, -1, -1, -1}, -1, 0, Mean).Value.Item()
	if !math.IsNaN(float64(all)) {
		t.Errorf("every row ignored: got %v, want NaN as PyTorch", all)
	}
}
