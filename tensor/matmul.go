package tensor

import "github.com/bigfunc/bigfunc/internal/kernel"

// MatMul returns the matrix product a·b. Both may be 2-D ([m,k]·[k,n]), or
// batched 3-D ([B,m,k]·[B,k,n]); a 3-D a may also multiply a 2-D b, which is
// then shared by every batch. It panics if the inner dimensions differ.
func MatMul(a, b *Tensor) *Tensor { return MatMulT(a, b, false, false) }

// MatMulT returns op(a)·op(b), where op transposes the last two dimensions
// of its operand when the matching flag is set. Transposing inside the
// product costs nothing extra, unlike materialising the transpose first.
func MatMulT(a, b *Tensor, transA, transB bool) *Tensor {
	out := matmulShape(a, b, transA, transB)
	MatMulInto(out, a, b, transA, transB, false)
	return out
}

// MatMulInto writes op(a)·op(b) into out, or adds it when accumulate is
// set. out must already have the product's shape; it panics otherwise.
func MatMulInto(out, a, b *Tensor, transA, transB, accumulate bool) {
	want := matmulShape(a, b, transA, transB)
	if !equalShape(out.shape, want.shape) {
		shapePanic("MatMul", "output shape", out.shape, want.shape)
	}
	m, k, _ := mkn(a.shape, transA)
	_, n, _ := mkn(b.shape, transB)
	batch := 1
	if len(a.shape) == 3 {
		batch = a.shape[0]
	}
	lda, ldb := a.shape[len(a.shape)-1], b.shape[len(b.shape)-1]
	sa, sb, sc := m*k, k*n, m*n
	if len(b.shape) == 2 {
		sb = 0
	}
	for i := 0; i < batch; i++ {
		kernel.Gemm(transA, transB, m, n, k, a.data[i*sa:], lda, b.data[i*sb:], ldb, out.data[i*sc:], n, accumulate)
	}
}

// mkn returns the logical rows and columns of op(x) and its batch size.
func mkn(shape []int, trans bool) (rows, cols, batch int) {
	r, c := shape[len(shape)-2], shape[len(shape)-1]
	batch = 1
	if len(shape) == 3 {
		batch = shape[0]
	}
	if trans {
		r, c = c, r
	}
	return r, c, batch
}

func matmulShape(a, b *Tensor, transA, transB bool) *Tensor {
	ok := (len(a.shape) == 2 && len(b.shape) == 2) ||
		(len(a.shape) == 3 && (len(b.shape) == 2 || (len(b.shape) == 3 && b.shape[0] == a.shape[0])))
	if !ok {
		shapePanic("MatMul", "want 2-D or batched 3-D operands", a.shape, b.shape)
	}
	m, k, batch := mkn(a.shape, transA)
	k2, n, _ := mkn(b.shape, transB)
	if k != k2 {
		shapePanic("MatMul", "", a.shape, b.shape)
	}
	if len(a.shape) == 3 {
		return Zeros(batch, m, n)
	}
	return Zeros(m, n)
}
