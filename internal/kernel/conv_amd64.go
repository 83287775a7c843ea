//go:build !noasm

package kernel

import "golang.org/x/sys/cpu"

// useDWAVX512 selects the sixteen-lane loops of the convolutions' plane
// kernels (DepthwiseTaps, DotTaps, FrameRows), which mask their last
// columns with K registers; DepthwiseTaps has an eight-lane one that
// needs only AVX2, and the others fall back to Dot and copies.
var useDWAVX512 = cpu.X86.HasAVX512F

// dwTaps runs DepthwiseTaps's loops once its operands are checked.
func dwTaps(y []float32, ldy int, x []float32, ldx int, w []float32, off []int, rows, cols int, add bool, bias *float32) {
	var b float32
	if bias != nil {
		b = *bias
	}
	switch {
	case useDWAVX512:
		dwTapsAVX512(&y[0], ldy, &x[0], ldx, &w[0], &off[0], len(w), rows, cols, add, b, bias != nil)
	case useVecAsm:
		dwTapsAVX2(&y[0], ldy, &x[0], ldx, &w[0], &off[0], len(w), rows, cols, add, b, bias != nil)
	default:
		dwTapsGo(y, ldy, x, ldx, w, off, rows, cols, add, bias)
	}
}

// dwTapsAVX512 is DepthwiseTaps for len(w) = taps ≥ 1, rows ≥ 1 and
// cols ≥ 1 on checked operands, the bias passed by value with whether
// there is one.
//
//go:noescape
func dwTapsAVX512(y *float32, ldy int, x *float32, ldx int, w *float32, off *int, taps, rows, cols int, add bool, bias float32, hasBias bool)

// dwTapsAVX2 is dwTapsAVX512 eight lanes at a time.
//
//go:noescape
func dwTapsAVX2(y *float32, ldy int, x *float32, ldx int, w *float32, off *int, taps, rows, cols int, add bool, bias float32, hasBias bool)

// dotTaps runs DotTaps's AVX-512 loop where it applies: the loop has no
// tail of fewer than 32 elements, which Dot adds after its partial sums.
// It reports whether it ran.
func dotTaps(dst, y, x []float32, off []int) bool {
	if !useDWAVX512 || len(y)%vecBlock != 0 {
		return false
	}
	dotTapsAVX512(&dst[0], &y[0], len(y), &x[0], &off[0], len(dst))
	return true
}

// dotTapsAVX512 is DotTaps for n a positive multiple of 32 and taps ≥ 1
// on checked operands.
//
//go:noescape
func dotTapsAVX512(dst, y *float32, n int, x *float32, off *int, taps int)

// frameRows runs FrameRows's AVX-512 loop where there is one, and reports
// whether it ran.
func frameRows(dst []float32, ldd int, src []float32, lds int, rows, lo, hi, cols int) bool {
	if !useDWAVX512 {
		return false
	}
	frameRowsAVX512(&dst[0], ldd, &src[0], lds, rows, lo, hi, cols)
	return true
}

// frameRowsAVX512 is FrameRows for rows ≥ 1 and 0 ≤ lo < hi ≤ cols on
// checked operands.
//
//go:noescape
func frameRowsAVX512(dst *float32, ldd int, src *float32, lds int, rows, lo, hi, cols int)
