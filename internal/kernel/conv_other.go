//go:build noasm || !amd64

package kernel

// dwTaps runs DepthwiseTaps's loops once its operands are checked.
func dwTaps(y []float32, ldy int, x []float32, ldx int, w []float32, off []int, rows, cols int, add bool, bias *float32) {
	dwTapsGo(y, ldy, x, ldx, w, off, rows, cols, add, bias)
}

// dotTaps reports that DotTaps has no loop of its own here.
func dotTaps(dst, y, x []float32, off []int) bool { return false }

// frameRows reports that FrameRows has no loop of its own here.
func frameRows(dst []float32, ldd int, src []float32, lds int, rows, lo, hi, cols int) bool {
	return false
}
