package kernel

import "runtime"

// goArch is the portable implementation, with register tiles in Go. With
// 16 floating-point registers (amd64 without assembly, 386) a 4×4 tile's
// sixteen sums plus its operands spill to the stack, which halves the
// speed; a 2×4 tile fits. Other targets have 32 registers and use 4×4.
var goArch = func() *gemmArch {
	g := &gemmArch{
		name:      "go",
		mr:        4,
		nr:        4,
		kernel:    gemmKernelGo4x4,
		gemvN:     gemvNGo,
		gemvWidth: 1,
	}
	if runtime.GOARCH == "amd64" || runtime.GOARCH == "386" {
		g.mr, g.kernel = 2, gemmKernelGo2x4
	}
	return g
}()

// gemmKernelGo4x4 computes a 4×4 tile of C from packed micro-panels a (k×4,
// a[p*4+i]) and b (k×4, b[p*4+j]).
//
// Reference loop:
//
//	for i < 4, j < 4:
//		s := 0
//		for p < k { s += a[p*4+i] * b[p*4+j] }
//		if add { c[i*ldc+j] += s } else { c[i*ldc+j] = s }
func gemmKernelGo4x4(k int, a, b, c []float32, ldc int, add bool) {
	a, b = a[:4*k], b[:4*k]
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	for p := 0; p+4 <= len(a); p += 4 {
		ap := a[p : p+4 : p+4]
		bp := b[p : p+4 : p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	storeRow4(c[0*ldc:], c00, c01, c02, c03, add)
	storeRow4(c[1*ldc:], c10, c11, c12, c13, add)
	storeRow4(c[2*ldc:], c20, c21, c22, c23, add)
	storeRow4(c[3*ldc:], c30, c31, c32, c33, add)
}

// gemmKernelGo2x4 computes a 2×4 tile of C from packed micro-panels a (k×2,
// a[p*2+i]) and b (k×4, b[p*4+j]).
//
// Reference loop:
//
//	for i < 2, j < 4:
//		s := 0
//		for p < k { s += a[p*2+i] * b[p*4+j] }
//		if add { c[i*ldc+j] += s } else { c[i*ldc+j] = s }
func gemmKernelGo2x4(k int, a, b, c []float32, ldc int, add bool) {
	a, b = a[:2*k], b[:4*k]
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	for p := 0; p < k; p++ {
		ap := a[2*p : 2*p+2 : 2*p+2]
		bp := b[4*p : 4*p+4 : 4*p+4]
		a0, a1 := ap[0], ap[1]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
	}
	storeRow4(c[0*ldc:], c00, c01, c02, c03, add)
	storeRow4(c[1*ldc:], c10, c11, c12, c13, add)
}

// storeRow4 sets c[:4] to s0..s3, or adds them when add is set.
func storeRow4(c []float32, s0, s1, s2, s3 float32, add bool) {
	c = c[:4]
	if add {
		c[0] += s0
		c[1] += s1
		c[2] += s2
		c[3] += s3
		return
	}
	c[0], c[1], c[2], c[3] = s0, s1, s2, s3
}

// gemvNGo computes one row of C from a row vector a and unpacked B.
//
// Reference loop:
//
//	for j < n:
//		s := 0
//		for p < k { s += a[p] * b[p*ldb+j] }
//		if add { c[j] += s } else { c[j] = s }
func gemvNGo(k int, a, b []float32, ldb int, c []float32, n int, add bool) {
	a, c = a[:k], c[:n]
	j0 := 0
	// Eight columns at a time, their sums in registers.
	for ; j0+8 <= n; j0 += 8 {
		var s0, s1, s2, s3, s4, s5, s6, s7 float32
		for p, ap := range a {
			row := b[p*ldb+j0 : p*ldb+j0+8 : p*ldb+j0+8]
			s0 += ap * row[0]
			s1 += ap * row[1]
			s2 += ap * row[2]
			s3 += ap * row[3]
			s4 += ap * row[4]
			s5 += ap * row[5]
			s6 += ap * row[6]
			s7 += ap * row[7]
		}
		cj := c[j0 : j0+8 : j0+8]
		if add {
			cj[0] += s0
			cj[1] += s1
			cj[2] += s2
			cj[3] += s3
			cj[4] += s4
			cj[5] += s5
			cj[6] += s6
			cj[7] += s7
		} else {
			cj[0], cj[1], cj[2], cj[3], cj[4], cj[5], cj[6], cj[7] = s0, s1, s2, s3, s4, s5, s6, s7
		}
	}
	for ; j0 < n; j0++ {
		var s float32
		for p, ap := range a {
			s += ap * b[p*ldb+j0]
		}
		if add {
			c[j0] += s
		} else {
			c[j0] = s
		}
	}
}
