//go:build !noasm

package kernel

import "golang.org/x/sys/cpu"

// useVecAsm selects the assembly vector loops. They need no fused
// multiply-add: they round exactly like the Go twins.
var useVecAsm = cpu.X86.HasAVX2

func axpyBlocks(alpha float32, x, y []float32) {
	if useVecAsm {
		axpyAVX2(alpha, &x[0], &y[0], len(y))
		return
	}
	axpyBlocksGo(alpha, x, y)
}

func dotBlocks(x, y []float32) float32 {
	if useVecAsm {
		return dotAVX2(&x[0], &y[0], len(x))
	}
	return dotBlocksGo(x, y)
}

func addBlocks(dst, x, y []float32) {
	if useVecAsm {
		addAVX2(&dst[0], &x[0], &y[0], len(dst))
		return
	}
	addBlocksGo(dst, x, y)
}

func addToBlocks(dst, x []float32) {
	if useVecAsm {
		addToAVX2(&dst[0], &x[0], len(dst))
		return
	}
	addToBlocksGo(dst, x)
}

func scaleBlocks(dst []float32, alpha float32, x []float32) {
	if useVecAsm {
		scaleAVX2(&dst[0], alpha, &x[0], len(dst))
		return
	}
	scaleBlocksGo(dst, alpha, x)
}

func sumBlocks(x []float32) float64 {
	if useVecAsm {
		return sumAVX2(&x[0], len(x))
	}
	return sumBlocksGo(x)
}

func decodeBlocks(dst []float32, src []byte, divisor float32) {
	if useVecAsm {
		decodeBytesAVX2(&dst[0], &src[0], len(src), divisor)
		return
	}
	decodeBlocksGo(dst, src, divisor)
}

// prefetch needs no check: every amd64 CPU has PREFETCHT0.
func prefetch(b []byte) { prefetchLines(&b[0], len(b)) }

// axpyAVX2 is axpyBlocksGo for n a multiple of 32.
//
//go:noescape
func axpyAVX2(alpha float32, x, y *float32, n int)

// dotAVX2 is dotBlocksGo for n a multiple of 32.
//
//go:noescape
func dotAVX2(x, y *float32, n int) float32

// addAVX2 is addBlocksGo for n a multiple of 32.
//
//go:noescape
func addAVX2(dst, x, y *float32, n int)

// addToAVX2 is addToBlocksGo for n a multiple of 32.
//
//go:noescape
func addToAVX2(dst, x *float32, n int)

// scaleAVX2 is scaleBlocksGo for n a multiple of 32.
//
//go:noescape
func scaleAVX2(dst *float32, alpha float32, x *float32, n int)

// sumAVX2 is sumBlocksGo for n a multiple of 16.
//
//go:noescape
func sumAVX2(x *float32, n int) float64

// decodeBytesAVX2 is decodeBlocksGo for n a multiple of 8.
//
//go:noescape
func decodeBytesAVX2(dst *float32, src *byte, n int, divisor float32)

// prefetchLines issues PREFETCHT0 for every cache line of the n bytes at p.
//
//go:noescape
func prefetchLines(p *byte, n int)
