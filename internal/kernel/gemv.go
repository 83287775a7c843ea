package kernel

import "sync"

// gemvScratch is the scratch memory of one gemv call.
type gemvScratch struct {
	x     []float32 // a gathered column of A
	strip []float32 // the last columns of B, zero-padded to the kernel width
	tile  [64]float32
}

var gemvPool = sync.Pool{New: func() any { return new(gemvScratch) }}

// grow returns s[:n], reallocating when s is too small.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// gemv computes the single row C = op(A)·op(B) (or C +=) for m == 1 on the
// calling goroutine, without packing: a batch of one is latency-bound.
func gemv(g *gemmArch, transA, transB bool, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, accumulate bool) {
	sc := gemvPool.Get().(*gemvScratch)
	defer gemvPool.Put(sc)
	if transA && lda != 1 {
		// The row of op(A) is a column of A: gather it.
		sc.x = grow(sc.x, k)
		for p := range sc.x {
			sc.x[p] = a[p*lda]
		}
		a = sc.x
	}
	a = a[:k]
	c = c[:n]
	if transB {
		// Each element of C is a dot product of two contiguous rows.
		for j := range c {
			s := Dot(a, b[j*ldb:j*ldb+k])
			if accumulate {
				c[j] += s
			} else {
				c[j] = s
			}
		}
		return
	}
	w := g.gemvWidth
	main := n / w * w
	kc := kBlock(k)
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		add := accumulate || p0 > 0
		ab := a[p0 : p0+kb]
		if main > 0 {
			g.gemvN(kb, ab, b[p0*ldb:], ldb, c, main, add)
		}
		if main == n {
			continue
		}
		// The last columns, fewer than the kernel's width: copy them into
		// a zero-padded strip and run the same kernel on it, so that they
		// round like the rest.
		rest := n - main
		sc.strip = grow(sc.strip, kb*w)
		for p := 0; p < kb; p++ {
			row := sc.strip[p*w : p*w+w]
			copy(row, b[(p0+p)*ldb+main:(p0+p)*ldb+n])
			clear(row[rest:])
		}
		t := sc.tile[:w]
		g.gemvN(kb, ab, sc.strip, w, t, w, false)
		for jj, v := range t[:rest] {
			if add {
				c[main+jj] += v
			} else {
				c[main+jj] = v
			}
		}
	}
}
