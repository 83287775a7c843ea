package autograd

import (
	"math"

	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/tensor"
)

// Add returns a + b with broadcasting.
func Add(a, b *Var) *Var {
	return New("add", tensor.Add(a.Value, b.Value), func(g *tensor.Tensor) {
		accumulateBroadcast(a, g)
		accumulateBroadcast(b, g)
	}, a, b)
}

// Sub returns a − b with broadcasting.
func Sub(a, b *Var) *Var {
	return New("sub", tensor.Sub(a.Value, b.Value), func(g *tensor.Tensor) {
		accumulateBroadcast(a, g)
		if b.requiresGrad {
			accumulateBroadcast(b, tensor.Neg(g))
		}
	}, a, b)
}

// Mul returns a · b element-wise with broadcasting.
func Mul(a, b *Var) *Var {
	return New("mul", tensor.Mul(a.Value, b.Value), func(g *tensor.Tensor) {
		if a.requiresGrad {
			accumulateBroadcast(a, tensor.Mul(g, b.Value))
		}
		if b.requiresGrad {
			accumulateBroadcast(b, tensor.Mul(g, a.Value))
		}
	}, a, b)
}

// Div returns a / b element-wise with broadcasting.
func Div(a, b *Var) *Var {
	return New("div", tensor.Div(a.Value, b.Value), func(g *tensor.Tensor) {
		if a.requiresGrad {
			accumulateBroadcast(a, tensor.Div(g, b.Value))
		}
		if b.requiresGrad {
			// ∂(a/b)/∂b = −a/b²
			q := tensor.Div(tensor.Mul(g, a.Value), tensor.Mul(b.Value, b.Value))
			accumulateBroadcast(b, tensor.Neg(q))
		}
	}, a, b)
}

// accumulateBroadcast adds g to v's gradient, summing over the dimensions
// that broadcasting stretched.
func accumulateBroadcast(v *Var, g *tensor.Tensor) {
	if !v.requiresGrad {
		return
	}
	if tensor.SameShape(v.Value, g) {
		v.AccumulateGrad(g)
		return
	}
	v.AccumulateGrad(tensor.SumTo(g, v.Value.Shape()))
}

// Neg returns −a.
func Neg(a *Var) *Var { return Scale(a, -1) }

// Scale returns c·a.
func Scale(a *Var, c float32) *Var {
	return New("scale", tensor.Scale(a.Value, c), func(g *tensor.Tensor) {
		kernel.Axpy(c, g.Data(), a.GradData())
	}, a)
}

// AddScalar returns a + c.
func AddScalar(a *Var, c float32) *Var {
	return New("add_scalar", tensor.AddScalar(a.Value, c), func(g *tensor.Tensor) {
		a.AccumulateGrad(g)
	}, a)
}

// MatMul returns the matrix product a·b, 2-D or batched, as tensor.MatMul.
func MatMul(a, b *Var) *Var {
	out := tensor.MatMul(a.Value, b.Value)
	return New("matmul", out, func(g *tensor.Tensor) {
		if a.requiresGrad {
			// ∂/∂a = g·bᵀ
			ga := tensor.MatMulT(g, b.Value, false, true)
			a.AccumulateGrad(ga)
		}
		if b.requiresGrad {
			// ∂/∂b = aᵀ·g; a shared 2-D b collects every batch's share.
			av, gv := a.Value, g
			if a.Value.Dims() == 3 && b.Value.Dims() == 2 {
				av = av.Reshape(-1, av.Dim(-1))
				gv = gv.Reshape(-1, gv.Dim(-1))
			}
			b.GradData()
			tensor.MatMulInto(b.Grad, av, gv, true, false, true)
		}
	}, a, b)
}

// Linear returns x·wᵀ + b, the affine layer y = Wx + b applied to a batch
// of row vectors: x is [N, in], w is [out, in] (PyTorch's layout) and b is
// [out] or nil. The result is [N, out]. Fusing the product and the bias
// lets the backward pass write straight into the parameter gradients.
func Linear(x, w, b *Var) *Var {
	xs, ws := x.Value.Shape(), w.Value.Shape()
	if len(xs) != 2 || len(ws) != 2 || xs[1] != ws[1] {
		panic(&tensor.ShapeError{Op: "Linear", Detail: "want x [N, in] and w [out, in], got", Shapes: [][]int{xs, ws}})
	}
	y := tensor.MatMulT(x.Value, w.Value, false, true)
	parents := []*Var{x, w}
	if b != nil {
		if bs := b.Value.Shape(); len(bs) != 1 || bs[0] != ws[0] {
			panic(&tensor.ShapeError{Op: "Linear", Detail: "bias does not match weight", Shapes: [][]int{bs, ws}})
		}
		kernel.AddRowVector(y.Data(), b.Value.Data())
		parents = append(parents, b)
	}
	return New("linear", y, func(g *tensor.Tensor) {
		if x.requiresGrad {
			x.GradData()
			tensor.MatMulInto(x.Grad, g, w.Value, false, false, true)
		}
		if w.requiresGrad {
			w.GradData()
			tensor.MatMulInto(w.Grad, g, x.Value, true, false, true)
		}
		if b != nil && b.requiresGrad {
			kernel.SumRows(b.GradData(), g.Data())
		}
	}, parents...)
}

// Sum returns the sum of all elements of a as a scalar.
func Sum(a *Var) *Var {
	return New("sum", tensor.SumAll(a.Value), func(g *tensor.Tensor) {
		gv := g.Item()
		gd := a.GradData()
		for i := range gd {
			gd[i] += gv
		}
	}, a)
}

// Mean returns the mean of all elements of a as a scalar.
func Mean(a *Var) *Var {
	n := float32(a.Value.Len())
	return New("mean", tensor.MeanAll(a.Value), func(g *tensor.Tensor) {
		gv := g.Item() / n
		gd := a.GradData()
		for i := range gd {
			gd[i] += gv
		}
	}, a)
}

// SumAxis returns the sum of a along axis, which is removed.
func SumAxis(a *Var, axis int) *Var {
	shape := a.Value.Shape()
	return New("sum_axis", tensor.Sum(a.Value, axis), func(g *tensor.Tensor) {
		a.AccumulateGrad(tensor.Add(tensor.Zeros(shape...), g.Reshape(keepDim(shape, axis)...)))
	}, a)
}

// MeanAxis returns the mean of a along axis, which is removed.
func MeanAxis(a *Var, axis int) *Var {
	n := float32(a.Value.Dim(axis))
	return Scale(SumAxis(a, axis), 1/n)
}

// MaxAxis returns the maximum of a along axis, which is removed. The
// gradient flows to the first maximal element, as in PyTorch's max(dim).
func MaxAxis(a *Var, axis int) *Var {
	shape := a.Value.Shape()
	if axis < 0 {
		axis += len(shape)
	}
	idx := tensor.ArgMax(a.Value, axis)
	return New("max_axis", tensor.Max(a.Value, axis), func(g *tensor.Tensor) {
		gd, ad := g.Data(), a.GradData()
		c := shape[axis]
		inner := 1
		for _, d := range shape[axis+1:] {
			inner *= d
		}
		for j, k := range idx {
			o, i := j/inner, j%inner
			ad[(o*c+k)*inner+i] += gd[j]
		}
	}, a)
}

// keepDim returns shape with axis set to 1.
func keepDim(shape []int, axis int) []int {
	s := append([]int(nil), shape...)
	if axis < 0 {
		axis += len(s)
	}
	s[axis] = 1
	return s
}

// Reshape returns a with a new shape (sharing storage), as tensor.Reshape.
func Reshape(a *Var, shape ...int) *Var {
	return New("reshape", a.Value.Reshape(shape...), func(g *tensor.Tensor) {
		a.AccumulateGrad(g)
	}, a)
}

// Transpose returns the transpose of a 2-D a.
func Transpose(a *Var) *Var {
	return New("transpose", a.Value.Transpose(), func(g *tensor.Tensor) {
		a.AccumulateGrad(g.Transpose())
	}, a)
}

// Slice returns the elements start ≤ i < end of a along axis.
func Slice(a *Var, axis, start, end int) *Var {
	shape := a.Value.Shape()
	if axis < 0 {
		axis += len(shape)
	}
	return New("slice", a.Value.Slice(axis, start, end), func(g *tensor.Tensor) {
		parts := []*tensor.Tensor{}
		if start > 0 {
			s := append([]int(nil), shape...)
			s[axis] = start
			parts = append(parts, tensor.Zeros(s...))
		}
		parts = append(parts, g)
		if end < shape[axis] {
			s := append([]int(nil), shape...)
			s[axis] = shape[axis] - end
			parts = append(parts, tensor.Zeros(s...))
		}
		a.AccumulateGrad(tensor.Concat(axis, parts...))
	}, a)
}

// Concat joins vs along axis.
func Concat(axis int, vs ...*Var) *Var {
	ts := make([]*tensor.Tensor, len(vs))
	for i, v := range vs {
		ts[i] = v.Value
	}
	out := tensor.Concat(axis, ts...)
	if axis < 0 {
		axis += out.Dims()
	}
	return New("concat", out, func(g *tensor.Tensor) {
		at := 0
		for _, v := range vs {
			n := v.Value.Dim(axis)
			if v.requiresGrad {
				v.AccumulateGrad(g.Slice(axis, at, at+n))
			}
			at += n
		}
	}, vs...)
}

// Unary applies the element-wise function f to a, with derivative df
// evaluated from the input x and the output y of each element (whichever is
// cheaper or more accurate). Both run in float64 and round once to float32,
// which keeps results within an ulp of the exact value. Activations are
// built on Unary; op names the operation in the graph.
func Unary(a *Var, op string, f func(x float64) float64, df func(x, y float64) float64) *Var {
	ad := a.Value.Data()
	out := tensor.Zeros(a.Value.Shape()...)
	od := out.Data()
	for i, x := range ad {
		od[i] = float32(f(float64(x)))
	}
	return New(op, out, func(g *tensor.Tensor) {
		gd, dst := g.Data(), a.GradData()
		for i, x := range ad {
			dst[i] += float32(float64(gd[i]) * df(float64(x), float64(od[i])))
		}
	}, a)
}

// Exp returns eᵃ element-wise.
func Exp(a *Var) *Var {
	return Unary(a, "exp", math.Exp, func(_, y float64) float64 { return y })
}

// Log returns the natural logarithm of a element-wise.
func Log(a *Var) *Var {
	return Unary(a, "log", math.Log, func(x, _ float64) float64 { return 1 / x })
}

// Abs returns |a| element-wise, with gradient sign(x) and 0 at 0, as in
// PyTorch.
func Abs(a *Var) *Var {
	return Unary(a, "abs", math.Abs, func(x, _ float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	})
}

// Square returns a² element-wise.
func Square(a *Var) *Var {
	return Unary(a, "square", func(x float64) float64 { return x * x }, func(x, _ float64) float64 { return 2 * x })
}

// Sqrt returns √a element-wise.
func Sqrt(a *Var) *Var {
	return Unary(a, "sqrt", math.Sqrt, func(_, y float64) float64 { return 0.5 / y })
}

// Tanh returns tanh(a) element-wise.
func Tanh(a *Var) *Var {
	return Unary(a, "tanh", math.Tanh, func(_, y float64) float64 { return 1 - y*y })
}

// Sigmoid returns 1/(1+e⁻ᵃ) element-wise.
func Sigmoid(a *Var) *Var {
	return Unary(a, "sigmoid", sigmoid, func(_, y float64) float64 { return y * (1 - y) })
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// ReLU returns max(a, 0) element-wise with ReLU'(0) = 0, as PyTorch has it.
func ReLU(a *Var) *Var {
	ad := a.Value.Data()
	out := tensor.Zeros(a.Value.Shape()...)
	od := out.Data()
	for i, x := range ad {
		if x > 0 {
			od[i] = x
		}
	}
	return New("relu", out, func(g *tensor.Tensor) {
		gd, dst := g.Data(), a.GradData()
		for i, x := range ad {
			if x > 0 {
				dst[i] += gd[i]
			}
		}
	}, a)
}

// Softmax returns the softmax of a along axis (fused and stable).
func Softmax(a *Var, axis int) *Var {
	y := tensor.Softmax(a.Value, axis)
	return New("softmax", y, func(g *tensor.Tensor) {
		// dx = y ⊙ (g − Σ g⊙y)
		s := tensor.Sum(tensor.Mul(g, y), axis)
		s = s.Reshape(keepDim(y.Shape(), axis)...)
		a.AccumulateGrad(tensor.Mul(y, tensor.Sub(g, s)))
	}, a)
}

// LogSoftmax returns the log-softmax of a along axis (fused and stable).
func LogSoftmax(a *Var, axis int) *Var {
	y := tensor.LogSoftmax(a.Value, axis)
	return New("log_softmax", y, func(g *tensor.Tensor) {
		// dx = g − softmax ⊙ Σ g
		s := tensor.Sum(g, axis).Reshape(keepDim(y.Shape(), axis)...)
		p := tensor.Map(y, func(v float32) float32 { return float32(math.Exp(float64(v))) })
		a.AccumulateGrad(tensor.Sub(g, tensor.Mul(p, s)))
	}, a)
}
