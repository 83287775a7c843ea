package kernel

import "fmt"

// CopyRows copies rows rows of cols floats from src, rows lds apart, to
// dst, rows ldd apart: a padded plane's interior in one call rather than
// one copy a row.
func CopyRows(dst []float32, ldd int, src []float32, lds int, rows, cols int) {
	if rows <= 0 || cols <= 0 {
		return
	}
	_ = dst[(rows-1)*ldd+cols-1]
	_ = src[(rows-1)*lds+cols-1]
	if arch.copyRows == nil || rows == 1 {
		for r := 0; r < rows; r++ {
			copy(dst[r*ldd:r*ldd+cols], src[r*lds:r*lds+cols])
		}
		return
	}
	for c := 0; c < cols; c += arch.copyWidth {
		n := min(arch.copyWidth, cols-c)
		arch.copyRows(dst[c:], ldd, src[c:], lds, rows, n, n)
	}
}

// FrameRows copies rows rows from src, rows lds apart, into the columns
// [lo, hi) of dst, rows ldd apart, and zeroes the columns [0, lo) and
// [hi, cols) around them:
//
//	for r < rows, c < cols:
//		dst[r·ldd+c] = src[r·lds+c−lo] if lo ≤ c < hi, else 0
//
// It is one row of a convolution's unfolded columns per call: an image
// plane read shifted by a kernel tap, with zeros where the tap falls in
// the padding. src starts at the element that lands in column lo.
func FrameRows(dst []float32, ldd int, src []float32, lds int, rows, lo, hi, cols int) {
	if rows <= 0 || cols <= 0 {
		return
	}
	lo, hi = min(max(lo, 0), cols), min(max(hi, 0), cols)
	if hi <= lo {
		for r := 0; r < rows; r++ {
			clear(dst[r*ldd : r*ldd+cols])
		}
		return
	}
	if rows > 1 && ldd < cols {
		panic(fmt.Sprintf("kernel.FrameRows: stride %d, less than the width %d", ldd, cols))
	}
	_ = dst[(rows-1)*ldd+cols-1]
	_ = src[(rows-1)*lds+hi-lo-1]
	if frameRows(dst, ldd, src, lds, rows, lo, hi, cols) {
		return
	}
	if ldd == cols && lds == cols {
		// Whole rows both sides: one copy, which also fills the edges
		// with the neighbouring rows' elements, then zero those.
		copy(dst[lo:(rows-1)*ldd+hi], src[:(rows-1)*lds+hi-lo])
		for r := 0; r < rows; r++ {
			d := dst[r*ldd : r*ldd+cols]
			for c := range d[:lo] {
				d[c] = 0
			}
			for c := hi; c < cols; c++ {
				d[c] = 0
			}
		}
		return
	}
	for r := 0; r < rows; r++ {
		d := dst[r*ldd : r*ldd+cols]
		clear(d[:lo])
		copy(d[lo:hi], src[r*lds:])
		clear(d[hi:])
	}
}
