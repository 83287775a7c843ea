//go:build !noasm

package kernel

import "golang.org/x/sys/cpu"

// useVecAsm selects the NEON vector loops. They round exactly like the Go
// twins, fused multiply-adds only where FMA32 stands in the Go code.
var useVecAsm = cpu.ARM64.HasASIMD

func axpyBlocks(alpha float32, x, y []float32) {
	if useVecAsm {
		axpyNEON(alpha, &x[0], &y[0], len(y))
		return
	}
	axpyBlocksGo(alpha, x, y)
}

func dotBlocks(x, y []float32) float32 {
	if useVecAsm {
		return dotNEON(&x[0], &y[0], len(x))
	}
	return dotBlocksGo(x, y)
}

func addBlocks(dst, x, y []float32) {
	if useVecAsm {
		addNEON(&dst[0], &x[0], &y[0], len(dst))
		return
	}
	addBlocksGo(dst, x, y)
}

func addToBlocks(dst, x []float32) {
	if useVecAsm {
		addToNEON(&dst[0], &x[0], len(dst))
		return
	}
	addToBlocksGo(dst, x)
}

func scaleBlocks(dst []float32, alpha float32, x []float32) {
	if useVecAsm {
		scaleNEON(&dst[0], alpha, &x[0], len(dst))
		return
	}
	scaleBlocksGo(dst, alpha, x)
}

func sumBlocks(x []float32) float64 {
	if useVecAsm {
		return sumNEON(&x[0], len(x))
	}
	return sumBlocksGo(x)
}

// decodeBlocks stays in Go on arm64 for now: a NEON version (UXTL, UCVTF,
// FDIV, all hand-encoded words for Go's assembler) waits until training
// speed on arm64 is measured.
func decodeBlocks(dst []float32, src []byte, divisor float32) {
	decodeBlocksGo(dst, src, divisor)
}

// prefetch does nothing on arm64 yet: Prefetch is a hint.
func prefetch([]byte) {}

// reluBlocks runs the vector loop over whole blocks of sixteen and returns
// how many elements it handled.
func reluBlocks(y, x []float32) int {
	n := len(x) &^ 15
	if !useVecAsm || n == 0 {
		return 0
	}
	reluNEON(&y[0], &x[0], n)
	return n
}

func reluBackBlocks(dx, dy, x []float32) int {
	n := len(dx) &^ 15
	if !useVecAsm || n == 0 {
		return 0
	}
	reluBackNEON(&dx[0], &dy[0], &x[0], n)
	return n
}

func sgdMomentum(p, g, buf []float32, negLR, mom, keep float32) {
	n := len(p) &^ 3
	if useVecAsm && n > 0 {
		sgdMomentumNEON(&p[0], &g[0], &buf[0], n, negLR, mom, keep)
		p, g, buf = p[n:], g[n:], buf[n:]
	}
	sgdMomentumGo(p, g, buf, negLR, mom, keep)
}

func adam(p, g, m, v []float32, c1, b1, c2, b2, bc2, eps, negStep float32) {
	n := len(p) &^ 3
	if useVecAsm && n > 0 {
		adamNEON(&p[0], &g[0], &m[0], &v[0], n, c1, b1, c2, b2, bc2, eps, negStep)
		p, g, m, v = p[n:], g[n:], m[n:], v[n:]
	}
	adamGo(p, g, m, v, c1, b1, c2, b2, bc2, eps, negStep)
}

// axpyNEON is axpyBlocksGo for n a multiple of 16.
//
//go:noescape
func axpyNEON(alpha float32, x, y *float32, n int)

// dotNEON is dotBlocksGo for n a multiple of 32.
//
//go:noescape
func dotNEON(x, y *float32, n int) float32

// addNEON is addBlocksGo for n a multiple of 16.
//
//go:noescape
func addNEON(dst, x, y *float32, n int)

// addToNEON is addToBlocksGo for n a multiple of 16.
//
//go:noescape
func addToNEON(dst, x *float32, n int)

// scaleNEON is scaleBlocksGo for n a multiple of 16.
//
//go:noescape
func scaleNEON(dst *float32, alpha float32, x *float32, n int)

// sumNEON is sumBlocksGo for n a multiple of 16.
//
//go:noescape
func sumNEON(x *float32, n int) float64

// reluNEON is ReLU's reference loop for n a multiple of 16.
//
//go:noescape
func reluNEON(y, x *float32, n int)

// reluBackNEON is ReLUBackward's reference loop for n a multiple of 16.
//
//go:noescape
func reluBackNEON(dx, dy, x *float32, n int)

// sgdMomentumNEON is sgdMomentumGo for n a multiple of 4.
//
//go:noescape
func sgdMomentumNEON(p, grad, buf *float32, n int, negLR, mom, keep float32)

// adamNEON is adamGo for n a multiple of 4.
//
//go:noescape
func adamNEON(p, grad, m, v *float32, n int, c1, b1, c2, b2, bc2, eps, negStep float32)
