package tensor

import "fmt"

// Reshape returns a tensor sharing t's storage with a new shape. One
// dimension may be −1, meaning "whatever is left". It panics if the element
// counts differ.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	shape = append([]int(nil), shape...)
	infer, known := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			shapePanic("Reshape", fmt.Sprintf("bad target %v for", shape), t.shape)
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || len(t.data)%known != 0 {
			shapePanic("Reshape", fmt.Sprintf("cannot infer %v from", shape), t.shape)
		}
		shape[infer] = len(t.data) / known
		known *= shape[infer]
	}
	if known != len(t.data) {
		shapePanic("Reshape", "element count differs", t.shape, shape)
	}
	return &Tensor{shape: shape, data: t.data}
}

// Transpose returns a copy of a 2-D tensor with rows and columns swapped.
// It panics if t is not 2-D.
func (t *Tensor) Transpose() *Tensor {
	if len(t.shape) != 2 {
		shapePanic("Transpose", "want 2-D, got", t.shape)
	}
	return t.Permute(1, 0)
}

// Permute returns a copy of t with its axes reordered: dimension i of the
// result is dimension axes[i] of t.
func (t *Tensor) Permute(axes ...int) *Tensor {
	if len(axes) != len(t.shape) {
		shapePanic("Permute", fmt.Sprintf("axes %v for", axes), t.shape)
	}
	// Normalise negative axes in a copy: the caller's slice is theirs.
	axes = append([]int(nil), axes...)
	seen := make([]bool, len(axes))
	shape := make([]int, len(axes))
	for i, a := range axes {
		a = t.axis("Permute", a)
		if seen[a] {
			shapePanic("Permute", fmt.Sprintf("repeated axis in %v for", axes), t.shape)
		}
		seen[a] = true
		axes[i] = a
		shape[i] = t.shape[a]
	}
	out := Zeros(shape...)
	if len(out.data) == 0 {
		return out
	}
	if len(shape) == 2 && axes[0] == 1 {
		r, c := t.shape[0], t.shape[1]
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				out.data[j*r+i] = t.data[i*c+j]
			}
		}
		return out
	}
	src := contiguousStrides(t.shape)
	st := make([]int, len(axes))
	for i, a := range axes {
		st[i] = src[a]
	}
	idx := make([]int, len(shape))
	off := 0
	for i := range out.data {
		out.data[i] = t.data[off]
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			off += st[d]
			if idx[d] < shape[d] {
				break
			}
			off -= st[d] * shape[d]
			idx[d] = 0
		}
	}
	return out
}

func contiguousStrides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// outerInner splits shape around axis: the product of the dimensions before
// it and the product of those after it.
func outerInner(shape []int, axis int) (outer, inner int) {
	outer, inner = 1, 1
	for _, d := range shape[:axis] {
		outer *= d
	}
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	return outer, inner
}

// Slice returns a copy of the elements start ≤ i < end along axis, like
// t[..., start:end, ...]. It panics if the range is out of bounds.
func (t *Tensor) Slice(axis, start, end int) *Tensor {
	axis = t.axis("Slice", axis)
	if start < 0 || end > t.shape[axis] || start > end {
		shapePanic("Slice", fmt.Sprintf("range [%d:%d] on axis %d out of bounds for", start, end, axis), t.shape)
	}
	shape := t.Shape()
	shape[axis] = end - start
	out := Zeros(shape...)
	outer, inner := outerInner(t.shape, axis)
	n := (end - start) * inner
	for o := 0; o < outer; o++ {
		copy(out.data[o*n:(o+1)*n], t.data[(o*t.shape[axis]+start)*inner:])
	}
	return out
}

// Concat joins tensors along axis. All other dimensions must agree; it
// panics otherwise.
func Concat(axis int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		shapePanic("Concat", "no tensors")
	}
	first := ts[0]
	axis = first.axis("Concat", axis)
	shape := first.Shape()
	shape[axis] = 0
	for _, t := range ts {
		if len(t.shape) != len(first.shape) {
			shapePanic("Concat", "", first.shape, t.shape)
		}
		for d := range t.shape {
			if d != axis && t.shape[d] != first.shape[d] {
				shapePanic("Concat", fmt.Sprintf("dimension %d differs", d), first.shape, t.shape)
			}
		}
		shape[axis] += t.shape[axis]
	}
	out := Zeros(shape...)
	outer, inner := outerInner(shape, axis)
	row := shape[axis] * inner
	at := 0
	for _, t := range ts {
		n := t.shape[axis] * inner
		for o := 0; o < outer; o++ {
			copy(out.data[o*row+at:o*row+at+n], t.data[o*n:(o+1)*n])
		}
		at += n
	}
	return out
}

// Gather picks one element along axis for each position of the other axes:
// out[..., j, ...] = t[..., index[...], ...], the result having t's shape
// without axis. For a [N, C] tensor and axis 1 it returns t[i, index[i]],
// as torch.gather with an index of shape [N, 1], squeezed. It panics on a
// wrong index length or an index out of range.
func Gather(t *Tensor, axis int, index []int) *Tensor {
	axis = t.axis("Gather", axis)
	outer, inner := outerInner(t.shape, axis)
	if len(index) != outer*inner {
		shapePanic("Gather", fmt.Sprintf("%d indices for axis %d of", len(index), axis), t.shape)
	}
	shape := append(t.Shape()[:axis:axis], t.shape[axis+1:]...)
	out := Zeros(shape...)
	c := t.shape[axis]
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			k := index[o*inner+i]
			if k < 0 || k >= c {
				shapePanic("Gather", fmt.Sprintf("index %d out of range [0, %d) for", k, c), t.shape)
			}
			out.data[o*inner+i] = t.data[(o*c+k)*inner+i]
		}
	}
	return out
}

// OneHot returns a [len(labels), classes] tensor with a 1 in column
// labels[i] of row i. It panics if a label is outside [0, classes).
func OneHot(labels []int, classes int) *Tensor {
	out := Zeros(len(labels), classes)
	for i, k := range labels {
		if k < 0 || k >= classes {
			shapePanic("OneHot", fmt.Sprintf("label %d out of range [0, %d) at row %d", k, classes, i))
		}
		out.data[i*classes+k] = 1
	}
	return out
}
