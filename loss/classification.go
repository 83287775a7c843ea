package loss

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// classShape checks that x is [N, C] and target holds N class indices in
// [0, C), and returns N and C.
func classShape(op string, x *tensor.Tensor, target []int) (n, c int) {
	if x.Dims() != 2 {
		panic(&tensor.ShapeError{Op: "loss." + op, Detail: "want input [N, C], got", Shapes: [][]int{x.Shape()}})
	}
	n, c = x.Dim(0), x.Dim(1)
	if len(target) != n {
		panic(&tensor.ShapeError{Op: "loss." + op, Detail: "input and target disagree on the batch size", Shapes: [][]int{x.Shape(), {len(target)}}})
	}
	for i, y := range target {
		if y < 0 || y >= c {
			panic(fmt.Errorf("loss.%s: target[%d] = %d is not a class index in [0, %d)", op, i, y, c))
		}
	}
	return n, c
}

// CrossEntropy returns the cross-entropy of class logits against class
// indices, as torch.nn.functional.cross_entropy with label_smoothing ε:
// with logp = log_softmax(x) over classes,
//
//	ℓᵢ = (1 − ε)·(−logp[i, yᵢ]) + (ε/C)·Σ_c −logp[i, c]
//
// that is, the cross-entropy against the smoothed distribution
// qᵢ = (1 − ε)·onehot(yᵢ) + ε/C. logits is [N, C] and target holds N
// indices in [0, C); the result is a scalar (Mean averages over the N
// samples), or [N] for None. The gradient with respect to the logits is
// softmax(x) − q. The log-sum-exp is shifted by the row maximum, so logits
// of ±1e4 give finite losses and gradients.
//
// CrossEntropy panics if ε is outside [0, 1] or an index is out of range;
// targets to skip need CrossEntropyIgnore.
func CrossEntropy(logits *autograd.Var, target []int, labelSmoothing float64, r Reduction) *autograd.Var {
	if logits.Value.Dims() != 2 {
		panic(&tensor.ShapeError{Op: "loss.CrossEntropy", Detail: "want input [N, C], got", Shapes: [][]int{logits.Value.Shape()}})
	}
	return crossEntropy("CrossEntropy", logits, target, noIgnore, labelSmoothing, r)
}

// noIgnore is an ignore index that no target can equal.
const noIgnore = math.MinInt

// IgnoreIndex is PyTorch's default ignore_index, the target value that
// marks a position with nothing to predict (a prompt or padding token).
const IgnoreIndex = -100

// CrossEntropyIgnore is CrossEntropy over the last dimension of logits of
// any rank, with PyTorch's ignore_index: logits [N, T, C] (a sequence
// model's per-token scores, batch first) or [N, C], and one target per row
// of C, N·T of them, in row-major order. A row whose target is
// ignoreIndex adds nothing to the loss and gets a zero gradient, and Mean
// divides by the rows that are not ignored (NaN if all are), as
// F.cross_entropy(logits.view(-1, C), target.view(-1), ignore_index=…,
// label_smoothing=…) does. None gives one loss per row, shaped as the
// leading dimensions of logits, with 0 for ignored rows.
func CrossEntropyIgnore(logits *autograd.Var, target []int, ignoreIndex int, labelSmoothing float64, r Reduction) *autograd.Var {
	return crossEntropy("CrossEntropy", logits, target, ignoreIndex, labelSmoothing, r)
}

func crossEntropy(op string, logits *autograd.Var, target []int, ignore int, labelSmoothing float64, r Reduction) *autograd.Var {
	r.check(op)
	if !(labelSmoothing >= 0 && labelSmoothing <= 1) {
		panic(fmt.Errorf("loss.%s: label smoothing must be in [0, 1], got %v", op, labelSmoothing))
	}
	n, c := rowShape(op, logits.Value, target, ignore)
	x := logits.Value.Data()
	var grad []float64
	if logits.RequiresGrad() {
		grad = make([]float64, n*c)
	}
	var value *tensor.Tensor
	var out []float32
	if r == None {
		s := logits.Value.Shape()
		value = tensor.Zeros(s[:len(s)-1]...)
		out = value.Data()
	}
	total, count := crossEntropyRows(x, target, c, labelSmoothing, ignore, out, grad)
	if r != None {
		value = tensor.Scalar(reduced(r, total, count))
	}
	return autograd.New("cross_entropy", value, func(g *tensor.Tensor) {
		accumulateRows(logits.GradData(), grad, g.Data(), r, count, n, c)
	}, logits)
}

// rowShape checks that x has at least two dimensions and target holds one
// index in [0, C) (or equal to ignore) per row of its last dimension C,
// and returns the number of rows and C.
func rowShape(op string, x *tensor.Tensor, target []int, ignore int) (n, c int) {
	if x.Dims() < 2 {
		panic(&tensor.ShapeError{Op: "loss." + op, Detail: "want input [N, C] or [N, T, C], got", Shapes: [][]int{x.Shape()}})
	}
	c = x.Dim(x.Dims() - 1)
	if c > 0 {
		n = x.Len() / c
	}
	if len(target) != n {
		panic(&tensor.ShapeError{Op: "loss." + op, Detail: "input and target disagree on the number of rows", Shapes: [][]int{x.Shape(), {len(target)}}})
	}
	for i, y := range target {
		if (y < 0 || y >= c) && y != ignore {
			panic(fmt.Errorf("loss.%s: target[%d] = %d is not a class index in [0, %d)", op, i, y, c))
		}
	}
	return n, c
}

// accumulateRows adds the local derivatives of n rows of c elements, times
// the seed, into dst: one seed per row for None, one scalar otherwise,
// divided by count (the rows not ignored) for Mean.
func accumulateRows(dst []float32, grad []float64, seed []float32, r Reduction, count, n, c int) {
	if r != None {
		s := seedScale(r, seed[0], count)
		for i, d := range grad {
			dst[i] += float32(d * s)
		}
		return
	}
	for i := 0; i < n; i++ {
		s := float64(seed[i])
		row := dst[i*c : (i+1)*c]
		for k, d := range grad[i*c : (i+1)*c] {
			row[k] += float32(d * s)
		}
	}
}

// NLL returns the negative log-likelihood of log-probabilities against
// class indices, as torch.nn.functional.nll_loss: ℓᵢ = −logp[i, yᵢ].
// logp is [N, C], usually a log-softmax output, and target holds N indices
// in [0, C); the result is a scalar (Mean averages over the N samples), or
// [N] for None. The gradient is −1 at each [i, yᵢ] and 0 elsewhere, scaled
// by the reduction. NLL panics if an index is out of range; PyTorch's
// ignore_index (−100) is not supported.
func NLL(logp *autograd.Var, target []int, r Reduction) *autograd.Var {
	const op = "NLL"
	r.check(op)
	n, c := classShape(op, logp.Value, target)
	x := logp.Value.Data()
	if logp.RequiresGrad() {
		// The backward pass reads the indices later; a caller reusing its
		// label buffer for the next batch must not change them.
		target = append([]int(nil), target...)
	}
	var value *tensor.Tensor
	if r == None {
		value = tensor.Zeros(n)
		out := value.Data()
		for i, y := range target {
			out[i] = -x[i*c+y]
		}
	} else {
		var total float64
		for i, y := range target {
			total -= float64(x[i*c+y])
		}
		value = tensor.Scalar(reduced(r, total, n))
	}
	return autograd.New("nll", value, func(g *tensor.Tensor) {
		dst, gd := logp.GradData(), g.Data()
		if r == None {
			for i, y := range target {
				dst[i*c+y] -= gd[i]
			}
			return
		}
		s := float32(seedScale(r, gd[0], n))
		for i, y := range target {
			dst[i*c+y] -= s
		}
	}, logp)
}

// crossEntropyRows computes the (smoothed) cross-entropy of each row of the
// [len(target), c] logits x: it stores row losses in out when out is
// non-nil and the local derivatives softmax − q in grad when grad is
// non-nil, and returns the sum of the row losses and the number of rows
// counted. Rows whose target is ignore count for nothing: loss 0,
// derivative 0. CrossEntropy and the fused training path share it, so
// both give the same bits.
func crossEntropyRows(x []float32, target []int, c int, labelSmoothing float64, ignore int, out []float32, grad []float64) (float64, int) {
	on, off := 1-labelSmoothing, labelSmoothing/float64(c)
	var total float64
	count := 0
	for i, y := range target {
		row := x[i*c : (i+1)*c]
		var gr []float64
		if grad != nil {
			gr = grad[i*c : (i+1)*c]
		}
		if y == ignore {
			clear(gr)
			if out != nil {
				out[i] = 0
			}
			continue
		}
		count++
		m := math.Inf(-1)
		for _, v := range row {
			if f := float64(v); f > m || f != f {
				m = f
			}
		}
		var s float64
		for k, v := range row {
			e := math.Exp(float64(v) - m)
			s += e
			if gr != nil {
				gr[k] = e
			}
		}
		lse := m + math.Log(s)
		l := on * (lse - float64(row[y]))
		if off != 0 {
			var smooth float64
			for _, v := range row {
				smooth += lse - float64(v)
			}
			l += off * smooth
		}
		total += l
		if out != nil {
			out[i] = float32(l)
		}
		if gr != nil {
			for k := range gr {
				gr[k] = gr[k]/s - off
			}
			gr[y] -= on
		}
	}
	return total, count
}
