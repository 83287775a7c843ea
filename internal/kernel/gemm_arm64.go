//go:build !noasm

package kernel

import "golang.org/x/sys/cpu"

//go:generate go run ./asmgen

// neonArch tiles C 8×12: 24 accumulators, two registers for a column of A
// and three for a row of B use 29 of the 32 V registers, and each step of
// k does 24 multiply-adds by element for two loads. The single-row path
// and packing stay in Go.
var neonArch = &gemmArch{
	name:      "neon",
	mr:        8,
	nr:        12,
	kernel:    kernelAsm(gemmKernel8x12NEON, 8, 12),
	gemvN:     gemvNGo,
	gemvWidth: 1,
}

// hasNEON reports whether the CPU has Advanced SIMD, which every arm64
// core Go runs on does; the check costs nothing.
var hasNEON = cpu.ARM64.HasASIMD

// bestArch picks the NEON kernel.
func bestArch() *gemmArch {
	if hasNEON {
		return neonArch
	}
	return goArch
}

// allArchs lists the implementations this machine can run, best first.
func allArchs() []*gemmArch {
	if hasNEON {
		return []*gemmArch{neonArch, goArch}
	}
	return []*gemmArch{goArch}
}

// peakLoop returns the loop PeakGFLOPS times, the operations one trip of
// it does, and the instruction set's name.
func peakLoop() (run func(n int), flopsPerTrip float64, isa string) {
	if arch == neonArch {
		return fmaPeakNEON, 24 * 4 * 2, "NEON"
	}
	return peakLoopGo, 16, "Go"
}

// gemmKernel8x12NEON is gemmArch.kernel for an 8×12 tile with NEON,
// summing with fused multiply-adds.
//
// Reference loop:
//
//	for i < 8, j < 12:
//		s := 0
//		for p < k { s = fma(a[p*8+i], b[p*12+j], s) }
//		if add { c[i*ldc+j] += s } else { c[i*ldc+j] = s }
//
//go:noescape
func gemmKernel8x12NEON(k int, a, b, c *float32, ldc int, add bool)

// fmaPeakNEON runs n trips of 24 independent FMLA on 128-bit registers.
//
//go:noescape
func fmaPeakNEON(n int)
