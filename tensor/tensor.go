package tensor

import (
	"fmt"
	"strings"
)

// Tensor is a dense row-major float32 array. The zero value is not usable;
// create tensors with New, Zeros, FromSlice and friends.
type Tensor struct {
	shape []int
	data  []float32
}

// ShapeError is the panic value for shape and axis misuse. Its message names
// the operation and the shapes involved.
type ShapeError struct {
	Op     string
	Shapes [][]int
	Detail string
}

func (e *ShapeError) Error() string {
	var b strings.Builder
	b.WriteString("tensor: ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	if e.Detail != "" {
		b.WriteString(e.Detail)
	} else {
		b.WriteString("shape mismatch")
	}
	for i, s := range e.Shapes {
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteString(" x ")
		}
		fmt.Fprint(&b, s)
	}
	return b.String()
}

func shapePanic(op, detail string, shapes ...[]int) {
	panic(&ShapeError{Op: op, Detail: detail, Shapes: shapes})
}

// numel returns the number of elements of a shape, panicking on a negative
// dimension.
func numel(op string, shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			shapePanic(op, "negative dimension", shape)
		}
		n *= d
	}
	return n
}

// New returns a tensor of the given shape that uses data as its storage (no
// copy). A tensor with no shape arguments is a scalar. New panics if
// len(data) does not match the shape.
func New(data []float32, shape ...int) *Tensor {
	if n := numel("New", shape); n != len(data) {
		shapePanic("New", fmt.Sprintf("%d values for", len(data)), shape)
	}
	return &Tensor{shape: append([]int(nil), shape...), data: data}
}

// FromSlice returns a tensor of the given shape holding a copy of data.
func FromSlice(data []float32, shape ...int) *Tensor {
	return New(append([]float32(nil), data...), shape...)
}

// Scalar returns a 0-dimensional tensor holding v.
func Scalar(v float32) *Tensor { return &Tensor{data: []float32{v}} }

// Zeros returns a tensor of the given shape filled with 0.
func Zeros(shape ...int) *Tensor {
	return &Tensor{shape: append([]int(nil), shape...), data: make([]float32, numel("Zeros", shape))}
}

// Ones returns a tensor of the given shape filled with 1.
func Ones(shape ...int) *Tensor { return Full(1, shape...) }

// Full returns a tensor of the given shape filled with v.
func Full(v float32, shape ...int) *Tensor {
	t := Zeros(shape...)
	if v != 0 {
		for i := range t.data {
			t.data[i] = v
		}
	}
	return t
}

// ZerosLike returns a zero tensor with t's shape.
func ZerosLike(t *Tensor) *Tensor { return Zeros(t.shape...) }

// Arange returns the 1-D tensor start, start+step, … up to but excluding
// stop, like torch.arange. It panics if step is 0.
func Arange(start, stop, step float32) *Tensor {
	if step == 0 {
		shapePanic("Arange", "step is zero")
	}
	n := 0
	if (step > 0 && stop > start) || (step < 0 && stop < start) {
		n = int((float64(stop) - float64(start) + float64(step) - sign64(step)*1e-12) / float64(step))
	}
	t := Zeros(n)
	for i := range t.data {
		t.data[i] = start + float32(i)*step
	}
	return t
}

func sign64(v float32) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// Shape returns a copy of t's shape.
func (t *Tensor) Shape() []int { return append([]int(nil), t.shape...) }

// Dims returns the number of dimensions.
func (t *Tensor) Dims() int { return len(t.shape) }

// Dim returns the size of dimension axis; negative axes count from the end.
func (t *Tensor) Dim(axis int) int { return t.shape[t.axis("Dim", axis)] }

// Len returns the number of elements.
func (t *Tensor) Len() int { return len(t.data) }

// Data returns t's storage. Writes to it change t.
func (t *Tensor) Data() []float32 { return t.data }

// Item returns the only element of a one-element tensor.
func (t *Tensor) Item() float32 {
	if len(t.data) != 1 {
		shapePanic("Item", "not a single element", t.shape)
	}
	return t.data[0]
}

// At returns the element at the given index.
func (t *Tensor) At(index ...int) float32 { return t.data[t.offset("At", index)] }

// Set stores v at the given index.
func (t *Tensor) Set(v float32, index ...int) { t.data[t.offset("Set", index)] = v }

func (t *Tensor) offset(op string, index []int) int {
	if len(index) != len(t.shape) {
		shapePanic(op, fmt.Sprintf("index %v for", index), t.shape)
	}
	off := 0
	for i, ix := range index {
		if ix < 0 || ix >= t.shape[i] {
			shapePanic(op, fmt.Sprintf("index %v out of range for", index), t.shape)
		}
		off = off*t.shape[i] + ix
	}
	return off
}

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor { return FromSlice(t.data, t.shape...) }

// CopyFrom copies src's values into t. It panics if the element counts differ.
func (t *Tensor) CopyFrom(src *Tensor) {
	if len(src.data) != len(t.data) {
		shapePanic("CopyFrom", "", t.shape, src.shape)
	}
	copy(t.data, src.data)
}

// Fill sets every element of t to v.
func (t *Tensor) Fill(v float32) {
	for i := range t.data {
		t.data[i] = v
	}
}

// SameShape reports whether a and b have identical shapes.
func SameShape(a, b *Tensor) bool { return equalShape(a.shape, b.shape) }

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// axis normalises a possibly negative axis and panics if it is out of range.
func (t *Tensor) axis(op string, axis int) int {
	if axis < 0 {
		axis += len(t.shape)
	}
	if axis < 0 || axis >= len(t.shape) {
		shapePanic(op, fmt.Sprintf("axis %d out of range for", axis), t.shape)
	}
	return axis
}

// String formats t as its shape followed by its values, for debugging.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v", t.shape)
	b.WriteString(fmt.Sprint(t.data))
	return b.String()
}
