//go:build !noasm

package kernel

import "golang.org/x/sys/cpu"

//go:generate go run ./asmgen

// avx512Arch tiles C 14×32: 28 zmm accumulators, two for the row of B and
// two for broadcasts of A use all 32 registers, and each step of k does 28
// multiply-adds for 16 loads.
var avx512Arch = &gemmArch{
	name:      "avx512",
	mr:        14,
	nr:        32,
	kernel:    kernelAsm(gemmKernel14x32AVX512, 14, 32),
	gemvN:     gemvAsm(gemvNAVX512),
	gemvWidth: 16,

	transpose:      transposeAsm(transposeAVX512),
	transposeWidth: 16,
	copyRows:       copyRowsAsm(copyRows512),
	copyWidth:      32,

	edge: edgeAsm([]asmKernel{nil,
		gemmKernel1of14x32AVX512, gemmKernel2of14x32AVX512, gemmKernel3of14x32AVX512,
		gemmKernel4of14x32AVX512, gemmKernel5of14x32AVX512, gemmKernel6of14x32AVX512,
		gemmKernel7of14x32AVX512, gemmKernel8of14x32AVX512, gemmKernel9of14x32AVX512,
		gemmKernel10of14x32AVX512, gemmKernel11of14x32AVX512, gemmKernel12of14x32AVX512,
		gemmKernel13of14x32AVX512,
	}, 14, 32),
}

// avx2Arch tiles C 6×16: 12 ymm accumulators, two for B and two for
// broadcasts use the 16 registers.
var avx2Arch = &gemmArch{
	name:      "avx2",
	mr:        6,
	nr:        16,
	kernel:    kernelAsm(gemmKernel6x16AVX2, 6, 16),
	gemvN:     gemvAsm(gemvNAVX2),
	gemvWidth: 8,

	transpose:      transposeAsm(transposeAVX2),
	transposeWidth: 8,
	copyRows:       copyRowsAsm(copyRowsAVX2),
	copyWidth:      16,

	edge: edgeAsm([]asmKernel{nil,
		gemmKernel1of6x16AVX2, gemmKernel2of6x16AVX2, gemmKernel3of6x16AVX2,
		gemmKernel4of6x16AVX2, gemmKernel5of6x16AVX2,
	}, 6, 16),
}

// bestArch picks the widest kernels this CPU (and OS) supports.
func bestArch() *gemmArch {
	switch {
	case cpu.X86.HasAVX512F:
		return avx512Arch
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return avx2Arch
	}
	return goArch
}

// allArchs lists the implementations this machine can run, best first.
func allArchs() []*gemmArch {
	var as []*gemmArch
	if cpu.X86.HasAVX512F {
		as = append(as, avx512Arch)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		as = append(as, avx2Arch)
	}
	return append(as, goArch)
}

// asmKernel is the signature of the assembly micro-kernels.
type asmKernel = func(k int, a, b, c *float32, ldc int, add bool)

// edgeAsm adapts the row-edge kernels of an mr×nr tile to gemmArch.edge,
// checking the bounds as kernelAsm does: fs[rows] computes the first rows
// rows of the tile, and fs[0] is nil.
func edgeAsm(fs []asmKernel, mr, nr int) []func(k int, a, b, c []float32, ldc int, add bool) {
	if len(fs) != mr {
		panic("kernel: edge kernels for rows 1 to mr-1 must be listed")
	}
	edge := make([]func(k int, a, b, c []float32, ldc int, add bool), mr)
	for rows := 1; rows < mr; rows++ {
		f := fs[rows]
		edge[rows] = func(k int, a, b, c []float32, ldc int, add bool) {
			_ = a[k*mr-1]
			_ = b[k*nr-1]
			_ = c[(rows-1)*ldc+nr-1]
			f(k, &a[0], &b[0], &c[0], ldc, add)
		}
	}
	return edge
}

// gemvAsm adapts an assembly gemvN kernel to gemmArch.gemvN, checking the
// bounds.
func gemvAsm(f func(k int, a, b *float32, ldb int, c *float32, n int, add bool)) func(k int, a, b []float32, ldb int, c []float32, n int, add bool) {
	return func(k int, a, b []float32, ldb int, c []float32, n int, add bool) {
		_ = a[k-1]
		_ = b[(k-1)*ldb+n-1]
		_ = c[n-1]
		f(k, &a[0], &b[0], ldb, &c[0], n, add)
	}
}

// transposeAsm adapts an assembly transpose to gemmArch.transpose, checking
// that the blocks it reads and writes lie inside the slices.
func transposeAsm(f func(dst *float32, ldd int, src *float32, lds int, rows, lanes, cols int)) func(dst []float32, ldd int, src []float32, lds int, rows, lanes, cols int) {
	return func(dst []float32, ldd int, src []float32, lds int, rows, lanes, cols int) {
		if cols == 0 {
			return
		}
		_ = dst[(cols-1)*ldd+lanes-1]
		if rows > 0 {
			_ = src[(rows-1)*lds+cols-1]
		}
		f(&dst[0], ldd, &src[0], lds, rows, lanes, cols)
	}
}

// gemmKernel14x32AVX512 is gemmArch.kernel for a 14×32 tile with AVX-512,
// summing with fused multiply-adds.
//
// Reference loop:
//
//	for i < 14, j < 32:
//		s := 0
//		for p < k { s = fma(a[p*14+i], b[p*32+j], s) }
//		if add { c[i*ldc+j] += s } else { c[i*ldc+j] = s }
//
//go:noescape
func gemmKernel14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel6x16AVX2 is gemmArch.kernel for a 6×16 tile with AVX2 and FMA.
//
// Reference loop:
//
//	for i < 6, j < 16:
//		s := 0
//		for p < k { s = fma(a[p*6+i], b[p*16+j], s) }
//		if add { c[i*ldc+j] += s } else { c[i*ldc+j] = s }
//
//go:noescape
func gemmKernel6x16AVX2(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel1of14x32AVX512 to gemmKernel13of14x32AVX512 are the
// row-edge kernels of gemmKernel14x32AVX512: gemmKernel{rows}of14x32AVX512
// computes only the first rows rows of the tile, straight into C, from the
// same packed micro-panels, and writes each of them with the same bits as
// the full kernel would: the same chain of fused multiply-adds, then the
// one addition to C.
//
// Reference loop:
//
//	for i < rows, j < 32:
//		s := 0
//		for p < k { s = fma(a[p*14+i], b[p*32+j], s) }
//		if add { c[i*ldc+j] += s } else { c[i*ldc+j] = s }
//
//go:noescape
func gemmKernel1of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel2of14x32AVX512 is gemmKernel1of14x32AVX512 for 2 rows.
//
//go:noescape
func gemmKernel2of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel3of14x32AVX512 is gemmKernel1of14x32AVX512 for 3 rows.
//
//go:noescape
func gemmKernel3of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel4of14x32AVX512 is gemmKernel1of14x32AVX512 for 4 rows.
//
//go:noescape
func gemmKernel4of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel5of14x32AVX512 is gemmKernel1of14x32AVX512 for 5 rows.
//
//go:noescape
func gemmKernel5of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel6of14x32AVX512 is gemmKernel1of14x32AVX512 for 6 rows.
//
//go:noescape
func gemmKernel6of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel7of14x32AVX512 is gemmKernel1of14x32AVX512 for 7 rows.
//
//go:noescape
func gemmKernel7of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel8of14x32AVX512 is gemmKernel1of14x32AVX512 for 8 rows.
//
//go:noescape
func gemmKernel8of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel9of14x32AVX512 is gemmKernel1of14x32AVX512 for 9 rows.
//
//go:noescape
func gemmKernel9of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel10of14x32AVX512 is gemmKernel1of14x32AVX512 for 10 rows.
//
//go:noescape
func gemmKernel10of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel11of14x32AVX512 is gemmKernel1of14x32AVX512 for 11 rows.
//
//go:noescape
func gemmKernel11of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel12of14x32AVX512 is gemmKernel1of14x32AVX512 for 12 rows.
//
//go:noescape
func gemmKernel12of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel13of14x32AVX512 is gemmKernel1of14x32AVX512 for 13 rows.
//
//go:noescape
func gemmKernel13of14x32AVX512(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel1of6x16AVX2 to gemmKernel5of6x16AVX2 are the
// row-edge kernels of gemmKernel6x16AVX2: gemmKernel{rows}of6x16AVX2
// computes only the first rows rows of the tile, straight into C, from the
// same packed micro-panels, and writes each of them with the same bits as
// the full kernel would: the same chain of fused multiply-adds, then the
// one addition to C.
//
// Reference loop:
//
//	for i < rows, j < 16:
//		s := 0
//		for p < k { s = fma(a[p*6+i], b[p*16+j], s) }
//		if add { c[i*ldc+j] += s } else { c[i*ldc+j] = s }
//
//go:noescape
func gemmKernel1of6x16AVX2(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel2of6x16AVX2 is gemmKernel1of6x16AVX2 for 2 rows.
//
//go:noescape
func gemmKernel2of6x16AVX2(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel3of6x16AVX2 is gemmKernel1of6x16AVX2 for 3 rows.
//
//go:noescape
func gemmKernel3of6x16AVX2(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel4of6x16AVX2 is gemmKernel1of6x16AVX2 for 4 rows.
//
//go:noescape
func gemmKernel4of6x16AVX2(k int, a, b, c *float32, ldc int, add bool)

// gemmKernel5of6x16AVX2 is gemmKernel1of6x16AVX2 for 5 rows.
//
//go:noescape
func gemmKernel5of6x16AVX2(k int, a, b, c *float32, ldc int, add bool)

// gemvNAVX512 is gemmArch.gemvN with AVX-512, for n a multiple of 16.
//
// Reference loop:
//
//	for j < n:
//		s := 0
//		for p < k { s = fma(a[p], b[p*ldb+j], s) }
//		if add { c[j] += s } else { c[j] = s }
//
//go:noescape
func gemvNAVX512(k int, a, b *float32, ldb int, c *float32, n int, add bool)

// gemvNAVX2 is gemvNAVX512 with AVX2 and FMA, for n a multiple of 8.
//
//go:noescape
func gemvNAVX2(k int, a, b *float32, ldb int, c *float32, n int, add bool)

// copyRowsAsm adapts an assembly copyRows to gemmArch.copyRows, checking
// that the rows it reads and writes lie inside the slices.
func copyRowsAsm(f func(dst *float32, ldd int, src *float32, lds int, rows, n, width int)) func(dst []float32, ldd int, src []float32, lds int, rows, n, width int) {
	return func(dst []float32, ldd int, src []float32, lds int, rows, n, width int) {
		if rows == 0 {
			return
		}
		_ = dst[(rows-1)*ldd+width-1]
		if n == 0 {
			// Nothing to read: src may be empty, and the rows are all zeros.
			src = dst
		} else {
			_ = src[(rows-1)*lds+n-1]
		}
		f(&dst[0], ldd, &src[0], lds, rows, n, width)
	}
}

// copyRows512 passes copyRowsAVX512 the masks of n and width.
func copyRows512(dst *float32, ldd int, src *float32, lds int, rows, n, width int) {
	lanes := func(x int) uint64 { return 1<<min(max(x, 0), 16) - 1 }
	masks := lanes(n) | lanes(n-16)<<16 | lanes(width)<<32 | lanes(width-16)<<48
	copyRowsAVX512(dst, ldd, src, lds, rows, masks)
}

// copyRowsAVX512 copies rows without transposing them, for packing.
//
// Reference loop, where n and width are the number of low bits set in the
// first and third 16-bit fields of masks plus those in the second and
// fourth (each field a run of ones from bit 0):
//
//	for r < rows, j < width:
//		dst[r*ldd+j] = src[r*lds+j] if j < n, else 0
//
// for n ≤ width ≤ 32.
//
//go:noescape
func copyRowsAVX512(dst *float32, ldd int, src *float32, lds int, rows int, masks uint64)

// copyRowsAVX2 is copyRowsAVX512 for n ≤ width ≤ 16, taking n and width
// as they are.
//
//go:noescape
func copyRowsAVX2(dst *float32, ldd int, src *float32, lds int, rows, n, width int)

// transposeAVX512 copies a transposed block.
//
// Reference loop:
//
//	for p < cols, r < lanes:
//		dst[p*ldd+r] = src[r*lds+p] if r < rows, else 0
//
// for rows ≤ lanes ≤ 16.
//
//go:noescape
func transposeAVX512(dst *float32, ldd int, src *float32, lds int, rows, lanes, cols int)

// transposeAVX2 is transposeAVX512 for rows ≤ lanes ≤ 8.
//
//go:noescape
func transposeAVX2(dst *float32, ldd int, src *float32, lds int, rows, lanes, cols int)

// peakLoop returns the loop PeakGFLOPS times, the operations one trip of
// it does, and the instruction set's name.
func peakLoop() (run func(n int), flopsPerTrip float64, isa string) {
	switch arch {
	case avx512Arch:
		return fmaPeakAVX512, 24 * 16 * 2, "AVX-512"
	case avx2Arch:
		return fmaPeakAVX2, 12 * 8 * 2, "AVX2"
	}
	return peakLoopGo, 16, "Go"
}

// fmaPeakAVX512 runs n trips of 24 independent VFMADD231PS on zmm
// registers.
//
//go:noescape
func fmaPeakAVX512(n int)

// fmaPeakAVX2 runs n trips of 12 independent VFMADD231PS on ymm
// registers.
//
//go:noescape
func fmaPeakAVX2(n int)
