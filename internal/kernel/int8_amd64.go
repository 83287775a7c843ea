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
