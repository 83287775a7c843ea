package kernel

import (
	"runtime"
	"sync"
)

// parallelFlops is the amount of work (m·n·k) below which Gemm stays on the
// calling goroutine: spawning workers costs more than it saves there.
const parallelFlops = 1 << 18

// Gemm computes C = op(A)·op(B), or C += op(A)·op(B) when accumulate is set,
// where op(X) is X or Xᵀ as transA and transB say. C is m×n with row stride
// ldc; op(A) is m×k and op(B) is k×n, stored row-major with strides lda and
// ldb (A is k×m when transA is set, B is n×k when transB is set).
//
// Reference loop:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += opA(i, p) * opB(p, j)
//			}
//			if accumulate { C[i*ldc+j] += s } else { C[i*ldc+j] = s }
//		}
//	}
//
// Rows of C are split across goroutines for large products. Each element of
// C is computed by one goroutine in a fixed order, so results do not depend
// on the number of threads.
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	if m == 0 || n == 0 {
		return
	}
	if !accumulate {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
	}
	if k == 0 {
		return
	}
	if transA && transB {
		// Rare (only in user code): materialise Aᵀ so the inner loop is a dot product.
		at := make([]float32, m*k)
		for p := 0; p < k; p++ {
			for i := 0; i < m; i++ {
				at[i*k+p] = a[p*lda+i]
			}
		}
		a, lda, transA = at, k, false
	}
	workers := runtime.GOMAXPROCS(0)
	if workers > m {
		workers = m
	}
	if workers < 2 || m*n*k < parallelFlops {
		gemmRows(transA, transB, 0, m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	var wg sync.WaitGroup
	chunk := (m + workers - 1) / workers
	for lo := 0; lo < m; lo += chunk {
		hi := min(lo+chunk, m)
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			gemmRows(transA, transB, lo, hi, n, k, a, lda, b, ldb, c, ldc)
		}(lo, hi)
	}
	wg.Wait()
}

// gemmRows accumulates rows [lo, hi) of op(A)·op(B) into C.
func gemmRows(transA, transB bool, lo, hi, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	switch {
	case !transA && !transB:
		// C[i,:] += A[i,p] · B[p,:]: the inner loop streams rows of B.
		for i := lo; i < hi; i++ {
			ci := c[i*ldc : i*ldc+n]
			ai := a[i*lda : i*lda+k]
			for p, av := range ai {
				if av == 0 {
					continue
				}
				Axpy(av, b[p*ldb:p*ldb+n], ci)
			}
		}
	case transA && !transB:
		// A is stored k×m: C[i,:] += A[p,i] · B[p,:].
		for i := lo; i < hi; i++ {
			ci := c[i*ldc : i*ldc+n]
			for p := 0; p < k; p++ {
				av := a[p*lda+i]
				if av == 0 {
					continue
				}
				Axpy(av, b[p*ldb:p*ldb+n], ci)
			}
		}
	case !transA && transB:
		// B is stored n×k: C[i,j] += A[i,:]·B[j,:].
		for i := lo; i < hi; i++ {
			ai := a[i*lda : i*lda+k]
			ci := c[i*ldc : i*ldc+n]
			for j := range ci {
				ci[j] += Dot(ai, b[j*ldb:j*ldb+k])
			}
		}
	}
}
