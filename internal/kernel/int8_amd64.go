//go:build !noasm

package kernel

import "golang.org/x/sys/cpu"

var (
	vnniInt8 = &int8Arch{name: "vnni", rows: 6, width: 64, kernel: int8Asm([]func(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int){
		int8Kernel1VNNI, int8Kernel2VNNI, int8Kernel3VNNI, int8Kernel4VNNI, int8Kernel5VNNI, int8Kernel6VNNI}, 64)}
	avx2Int8 = &int8Arch{name: "avx2", rows: 4, width: 16, kernel: int8Asm([]func(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int){
		int8Kernel1AVX2, int8Kernel2AVX2, int8Kernel3AVX2, int8Kernel4AVX2}, 16)}
)

// int8Archs lists the int8 kernels this machine can run, best first:
// AVX-512 VNNI (VPDPBUSD), AVX2, then Go.
func int8Archs() []*int8Arch {
	var as []*int8Arch
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VNNI {
		as = append(as, vnniInt8)
	}
	if cpu.X86.HasAVX2 {
		as = append(as, avx2Int8)
	}
	return append(as, goInt8)
}

// int8Asm adapts the assembly kernels, one per row count, checking the
// bounds in Go before entering them.
func int8Asm(ks []func(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int), width int) func(rows int, a []uint8, lda int, b []int8, groups, pstride int, c []int32, ldc int) {
	return func(rows int, a []uint8, lda int, b []int8, groups, pstride int, c []int32, ldc int) {
		_ = a[(rows-1)*lda+groups*4-1]
		_ = b[(width/16-1)*pstride+groups*64-1]
		_ = c[(rows-1)*ldc+width-1]
		ks[rows-1](&a[0], lda, &b[0], groups, pstride, &c[0], ldc)
	}
}

// useInt8Vec selects the AVX2 loops around the int8 product (range,
// quantization, rescaling), which give the bits of their Go twins.
var useInt8Vec = cpu.X86.HasAVX2

// int8RangeBlocks returns the minimum and maximum (from 0) of x's whole
// blocks of 32, whether they are all finite, and how many it read.
func int8RangeBlocks(x []float32) (done int, lo, hi float32, finite bool) {
	n := len(x) &^ 31
	if !useInt8Vec || n == 0 {
		return 0, 0, 0, true
	}
	lo, hi, bad := int8RangeAVX2(&x[0], n)
	return n, lo, hi, bad == 0
}

// int8QuantizeBlocks quantizes x's whole blocks of 16 and returns how many.
func int8QuantizeBlocks(q []uint8, x []float32, inv, zero float32) int {
	n := len(x) &^ 15
	if !useInt8Vec || n == 0 {
		return 0
	}
	_ = q[n-1]
	int8QuantizeAVX2(&q[0], &x[0], n, inv, zero)
	return n
}

// int8RescaleBlocks rescales acc's whole blocks of 8 into y and returns
// how many.
func int8RescaleBlocks(y []float32, acc, colSum []int32, ws, bias []float32, xs float32, zero int32) int {
	n := len(y) &^ 7
	if !useInt8Vec || n == 0 {
		return 0
	}
	_, _, _ = acc[n-1], colSum[n-1], ws[n-1]
	b := &ws[0] // any valid pointer when there is no bias
	if bias != nil {
		_ = bias[n-1]
		b = &bias[0]
	}
	int8RescaleAVX2(&y[0], &acc[0], &colSum[0], &ws[0], b, n, xs, zero, bias != nil)
	return n
}

//go:noescape
func int8RangeAVX2(x *float32, n int) (lo, hi, bad float32)

//go:noescape
func int8QuantizeAVX2(q *uint8, x *float32, n int, inv, zero float32)

//go:noescape
func int8RescaleAVX2(y *float32, acc, colSum *int32, ws, bias *float32, n int, xs float32, zero int32, hasBias bool)

//go:noescape
func int8Kernel1VNNI(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int)

//go:noescape
func int8Kernel2VNNI(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int)

//go:noescape
func int8Kernel3VNNI(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int)

//go:noescape
func int8Kernel4VNNI(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int)

//go:noescape
func int8Kernel5VNNI(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int)

//go:noescape
func int8Kernel6VNNI(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int)

//go:noescape
func int8Kernel1AVX2(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int)

//go:noescape
func int8Kernel2AVX2(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int)

//go:noescape
func int8Kernel3AVX2(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int)

//go:noescape
func int8Kernel4AVX2(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int)
