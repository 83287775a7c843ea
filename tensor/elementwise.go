package tensor

import (
	"fmt"

	"github.com/bigfunc/bigfunc/internal/kernel"
)

// BroadcastShape returns the shape that a and b broadcast to under NumPy's
// rules (dimensions aligned from the right; a size-1 dimension stretches).
// ok is false if they do not broadcast.
func BroadcastShape(a, b []int) (shape []int, ok bool) {
	n := max(len(a), len(b))
	shape = make([]int, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db, db == 1:
			shape[i] = da
		case da == 1:
			shape[i] = db
		default:
			return nil, false
		}
	}
	return shape, true
}

// broadcastBinary applies f element-wise with broadcasting. Fast paths cover the
// cases training meets: equal shapes, a scalar, and a row vector (a bias).
func broadcastBinary(op string, a, b *Tensor, f func(x, y float32) float32) *Tensor {
	if equalShape(a.shape, b.shape) {
		out := Zeros(a.shape...)
		ad, bd := a.data, b.data[:len(a.data)]
		for i := range out.data {
			out.data[i] = f(ad[i], bd[i])
		}
		return out
	}
	shape, ok := BroadcastShape(a.shape, b.shape)
	if !ok {
		shapePanic(op, "shapes do not broadcast", a.shape, b.shape)
	}
	out := Zeros(shape...)
	switch {
	case len(b.data) == 1 && len(a.data) == len(out.data):
		y := b.data[0]
		for i, x := range a.data {
			out.data[i] = f(x, y)
		}
		return out
	case len(a.data) == 1 && len(b.data) == len(out.data):
		x := a.data[0]
		for i, y := range b.data {
			out.data[i] = f(x, y)
		}
		return out
	case len(a.data) == len(out.data) && isSuffix(b.shape, shape):
		n := len(b.data)
		for off := 0; off < len(out.data); off += n {
			for j, y := range b.data {
				out.data[off+j] = f(a.data[off+j], y)
			}
		}
		return out
	}
	as, bs := broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)
	idx := make([]int, len(shape))
	ia, ib := 0, 0
	for i := range out.data {
		out.data[i] = f(a.data[ia], b.data[ib])
		// Advance the multi-index like an odometer, updating both offsets.
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			ia += as[d]
			ib += bs[d]
			if idx[d] < shape[d] {
				break
			}
			ia -= as[d] * shape[d]
			ib -= bs[d] * shape[d]
			idx[d] = 0
		}
	}
	return out
}

// isSuffix reports whether small (ignoring leading 1s) equals the trailing
// dimensions of big, so that small repeats as a block over big.
func isSuffix(small, big []int) bool {
	for len(small) > 0 && small[0] == 1 {
		small = small[1:]
	}
	if len(small) > len(big) {
		return false
	}
	return equalShape(small, big[len(big)-len(small):])
}

// broadcastStrides returns strides of shape viewed inside out, with stride 0
// on broadcast dimensions.
func broadcastStrides(shape, out []int) []int {
	st := make([]int, len(out))
	stride := 1
	for i := len(out) - 1; i >= 0; i-- {
		j := len(shape) - len(out) + i
		if j < 0 {
			continue
		}
		if shape[j] != 1 {
			st[i] = stride
		}
		stride *= shape[j]
	}
	return st
}

// Add returns a + b with broadcasting. It panics if the shapes do not
// broadcast.
func Add(a, b *Tensor) *Tensor {
	if equalShape(a.shape, b.shape) {
		out := Zeros(a.shape...)
		kernel.Add(out.data, a.data, b.data)
		return out
	}
	return broadcastBinary("Add", a, b, func(x, y float32) float32 { return x + y })
}

// Sub returns a − b with broadcasting.
func Sub(a, b *Tensor) *Tensor {
	return broadcastBinary("Sub", a, b, func(x, y float32) float32 { return x - y })
}

// Mul returns a · b element-wise with broadcasting.
func Mul(a, b *Tensor) *Tensor {
	return broadcastBinary("Mul", a, b, func(x, y float32) float32 { return x * y })
}

// Div returns a / b element-wise with broadcasting.
func Div(a, b *Tensor) *Tensor {
	return broadcastBinary("Div", a, b, func(x, y float32) float32 { return x / y })
}

// Maximum returns max(a, b) element-wise with broadcasting.
func Maximum(a, b *Tensor) *Tensor {
	return broadcastBinary("Maximum", a, b, func(x, y float32) float32 { return max(x, y) })
}

// Minimum returns min(a, b) element-wise with broadcasting.
func Minimum(a, b *Tensor) *Tensor {
	return broadcastBinary("Minimum", a, b, func(x, y float32) float32 { return min(x, y) })
}

// Map returns f applied to every element of t.
func Map(t *Tensor, f func(float32) float32) *Tensor {
	out := Zeros(t.shape...)
	for i, v := range t.data {
		out.data[i] = f(v)
	}
	return out
}

// Scale returns c·t.
func Scale(t *Tensor, c float32) *Tensor {
	out := Zeros(t.shape...)
	kernel.Scale(out.data, c, t.data)
	return out
}

// AddScalar returns t + c.
func AddScalar(t *Tensor, c float32) *Tensor {
	return Map(t, func(v float32) float32 { return v + c })
}

// Neg returns −t.
func Neg(t *Tensor) *Tensor { return Scale(t, -1) }

// AddInPlace adds b into a (a += b). b must broadcast to a's shape exactly;
// it panics otherwise.
func AddInPlace(a, b *Tensor) {
	if equalShape(a.shape, b.shape) {
		kernel.AddTo(a.data, b.data)
		return
	}
	shape, ok := BroadcastShape(a.shape, b.shape)
	if !ok || !equalShape(shape, a.shape) {
		shapePanic("AddInPlace", "shapes do not broadcast", a.shape, b.shape)
	}
	sum := Add(a, b)
	copy(a.data, sum.data)
}

// SumTo reduces t by summation to shape, the inverse of broadcasting: the
// gradient of a broadcast input. It panics if shape does not broadcast to
// t's shape.
func SumTo(t *Tensor, shape []int) *Tensor {
	if equalShape(t.shape, shape) {
		return t.Clone()
	}
	if b, ok := BroadcastShape(shape, t.shape); !ok || !equalShape(b, t.shape) {
		shapePanic("SumTo", fmt.Sprintf("cannot reduce to %v from", shape), t.shape)
	}
	out := Zeros(shape...)
	if len(out.data) == 1 {
		out.data[0] = kernel.Sum(t.data)
		return out
	}
	if isSuffix(shape, t.shape) {
		kernel.SumRows(out.data, t.data)
		return out
	}
	st := broadcastStrides(shape, t.shape)
	idx := make([]int, len(t.shape))
	io := 0
	for _, v := range t.data {
		out.data[io] += v
		for d := len(t.shape) - 1; d >= 0; d-- {
			idx[d]++
			io += st[d]
			if idx[d] < t.shape[d] {
				break
			}
			io -= st[d] * t.shape[d]
			idx[d] = 0
		}
	}
	return out
}
