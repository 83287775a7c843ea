package tensor

import (
	"math"

	"github.com/bigfunc/bigfunc/internal/kernel"
)

// SumAll returns the sum of all elements as a scalar tensor.
func SumAll(t *Tensor) *Tensor { return Scalar(kernel.Sum(t.data)) }

// MeanAll returns the mean of all elements as a scalar tensor (NaN for an
// empty tensor, as in PyTorch).
func MeanAll(t *Tensor) *Tensor {
	var s float64
	for _, v := range t.data {
		s += float64(v)
	}
	return Scalar(float32(s / float64(len(t.data))))
}

// reduce folds axis away with f, starting from init; sums run in float64.
func reduce(op string, t *Tensor, axis int, init float64, f func(acc, v float64) float64) *Tensor {
	axis = t.axis(op, axis)
	shape := append(t.Shape()[:axis:axis], t.shape[axis+1:]...)
	out := Zeros(shape...)
	outer, inner := outerInner(t.shape, axis)
	c := t.shape[axis]
	acc := make([]float64, inner)
	for o := 0; o < outer; o++ {
		for i := range acc {
			acc[i] = init
		}
		for k := 0; k < c; k++ {
			row := t.data[(o*c+k)*inner : (o*c+k+1)*inner]
			for i, v := range row {
				acc[i] = f(acc[i], float64(v))
			}
		}
		for i, v := range acc {
			out.data[o*inner+i] = float32(v)
		}
	}
	return out
}

// Sum returns the sum along axis, which is removed from the shape.
func Sum(t *Tensor, axis int) *Tensor {
	return reduce("Sum", t, axis, 0, func(acc, v float64) float64 { return acc + v })
}

// Mean returns the mean along axis, which is removed from the shape.
func Mean(t *Tensor, axis int) *Tensor {
	n := float64(t.shape[t.axis("Mean", axis)])
	return reduce("Mean", t, axis, 0, func(acc, v float64) float64 { return acc + v/n })
}

// Max returns the maximum along axis, which is removed from the shape. NaN
// wins over numbers, as in PyTorch.
func Max(t *Tensor, axis int) *Tensor {
	return reduce("Max", t, axis, math.Inf(-1), func(acc, v float64) float64 {
		if v > acc || v != v {
			return v
		}
		return acc
	})
}

// MaxAll returns the largest element as a scalar tensor.
func MaxAll(t *Tensor) *Tensor {
	m := float32(math.Inf(-1))
	for _, v := range t.data {
		if v > m || v != v {
			m = v
		}
	}
	return Scalar(m)
}

// ArgMax returns, for each position of the other axes, the index of the
// largest element along axis (the first one on ties), in row-major order of
// the remaining axes.
func ArgMax(t *Tensor, axis int) []int {
	axis = t.axis("ArgMax", axis)
	outer, inner := outerInner(t.shape, axis)
	c := t.shape[axis]
	idx := make([]int, outer*inner)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			best, bi := float32(math.Inf(-1)), 0
			for k := 0; k < c; k++ {
				v := t.data[(o*c+k)*inner+i]
				if v > best || (v != v && best == best) {
					best, bi = v, k
				}
			}
			idx[o*inner+i] = bi
		}
	}
	return idx
}

// Softmax returns exp(x)/Σexp(x) along axis, shifted by the maximum so that
// logits of 1e4 stay finite. Sums run in float64.
func Softmax(t *Tensor, axis int) *Tensor { return softmax("Softmax", t, axis, false) }

// LogSoftmax returns x − log Σexp(x) along axis, computed stably.
func LogSoftmax(t *Tensor, axis int) *Tensor { return softmax("LogSoftmax", t, axis, true) }

func softmax(op string, t *Tensor, axis int, logOut bool) *Tensor {
	axis = t.axis(op, axis)
	outer, inner := outerInner(t.shape, axis)
	c := t.shape[axis]
	out := Zeros(t.shape...)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			base := o*c*inner + i
			m := math.Inf(-1)
			for k := 0; k < c; k++ {
				m = math.Max(m, float64(t.data[base+k*inner]))
			}
			if math.IsInf(m, -1) {
				m = 0 // every logit is −Inf: keep exp finite and let NaN/0 follow as in PyTorch
			}
			var s float64
			for k := 0; k < c; k++ {
				s += math.Exp(float64(t.data[base+k*inner]) - m)
			}
			if logOut {
				ls := m + math.Log(s)
				for k := 0; k < c; k++ {
					out.data[base+k*inner] = float32(float64(t.data[base+k*inner]) - ls)
				}
			} else {
				for k := 0; k < c; k++ {
					out.data[base+k*inner] = float32(math.Exp(float64(t.data[base+k*inner])-m) / s)
				}
			}
		}
	}
	return out
}
