package loss

import (
	"fmt"

	"github.com/bigfunc/bigfunc/tensor"
)

// Fused is implemented by losses that can compute their value and gradient
// straight into a caller's buffer, with no graph and no allocation once
// warm. Fused training loops use it; the arithmetic is the one Compute
// records, so both give the same bits.
type Fused interface {
	// ValueGrad returns the reduced loss of pred against target and
	// stores ∂loss/∂pred in grad, which must have pred.Len() elements. It
	// reports false, doing nothing, for a loss or reduction it cannot fuse.
	ValueGrad(pred *tensor.Tensor, target Target, grad []float32) (value float32, ok bool)
}

// ValueGrad implements Fused for mse and cross_entropy with the Mean or
// Sum reduction.
func (l *builtin) ValueGrad(pred *tensor.Tensor, target Target, grad []float32) (float32, bool) {
	if l.reduction == None {
		return 0, false
	}
	n := pred.Len()
	if len(grad) != n {
		panic(fmt.Sprintf("loss %s: ValueGrad: gradient buffer holds %d elements, want %d", l.kind.name, len(grad), n))
	}
	if cap(l.scratch) < n {
		l.scratch = make([]float64, n)
	}
	local := l.scratch[:n]
	var sum float64
	var count int
	switch l.kind.name {
	case "mse":
		if !tensor.SameShape(pred, target.Values) {
			panic(&tensor.ShapeError{Op: "loss.MSE", Detail: "input and target shapes differ", Shapes: [][]int{pred.Shape(), target.Values.Shape()}})
		}
		sum, count = mseKernel(pred.Data(), target.Values.Data(), nil, local), n
	case "cross_entropy":
		_, c := rowShape("CrossEntropy", pred, target.Classes, l.ignore)
		sum, count = crossEntropyRows(pred.Data(), target.Classes, c, l.param, l.ignore, nil, local)
	default:
		return 0, false
	}
	s := seedScale(l.reduction, 1, count)
	for i, d := range local {
		grad[i] = float32(d * s)
	}
	return reduced(l.reduction, sum, count), true
}
