package kernel

import "fmt"

// DepthwiseTaps computes one plane of a depthwise convolution, or of its
// input gradient, with every sum held in a register: for r < rows and
// c < cols it sets (or, with add, adds to) y[r·ldy+c] the sum
//
//	s := float32(0)
//	for t := range w { s += w[t] * x[r·ldx+c+off[t]] }
//
// taken in the order of t from zero, each product rounded before it is
// added, as Axpy rounds. A caller lays the taps of its kernel out as
// offsets into a padded plane x; y may be an unpadded plane.
//
// Summing tap by tap in this order gives the same bits as running one Axpy
// per tap over the whole plane, which is how the sums were formed before:
// the plane is read once instead of once per tap, and nothing round trips
// through memory between taps.
//
// It panics when an offset is negative or a plane is too short for rows
// and cols, as slicing would.
func DepthwiseTaps(y []float32, ldy int, x []float32, ldx int, w []float32, off []int, rows, cols int, add bool, bias *float32) {
	if rows <= 0 || cols <= 0 {
		return
	}
	off = off[:len(w)]
	reach := 0
	for _, o := range off {
		if o < 0 {
			panic(fmt.Sprintf("kernel.DepthwiseTaps: negative offset %d", o))
		}
		reach = max(reach, o)
	}
	if rows > 1 && (ldy < cols || ldx < cols) {
		panic(fmt.Sprintf("kernel.DepthwiseTaps: strides %d and %d, less than the width %d", ldy, ldx, cols))
	}
	_ = y[(rows-1)*ldy+cols-1]
	if len(w) == 0 {
		// An empty sum, +0, with y's old value and the bias added.
		dwTapsGo(y, ldy, nil, 0, nil, nil, rows, cols, add, bias)
		return
	}
	_ = x[(rows-1)*ldx+cols-1+reach]
	dwTaps(y, ldy, x, ldx, w, off, rows, cols, add, bias)
}

// dwTapsGo is DepthwiseTaps's arithmetic after the checks, in Go: the
// twin of the assembly and the loop where there is none.
func dwTapsGo(y []float32, ldy int, x []float32, ldx int, w []float32, off []int, rows, cols int, add bool, bias *float32) {
	for r := 0; r < rows; r++ {
		yr := y[r*ldy : r*ldy+cols]
		xr := x[r*ldx:]
		for c := range yr {
			var s float32
			for t, wt := range w {
				// The conversion rounds the product, so that the
				// compiler cannot fuse it with the addition.
				s += float32(wt * xr[c+off[t]])
			}
			if add {
				s += yr[c]
			}
			if bias != nil {
				s += *bias
			}
			yr[c] = s
		}
	}
}

// DotTaps adds to dst[t], for each tap t, the dot product of y with x
// from off[t] on:
//
//	for t := range dst { dst[t] += Dot(y, x[off[t]:off[t]+len(y)]) }
//
// with Dot's arithmetic, so the same bits, but with every tap's partial
// sums in registers in one pass over y: the weight gradient of a
// depthwise convolution's plane, one tap per kernel element.
func DotTaps(dst, y, x []float32, off []int) {
	off = off[:len(dst)]
	for _, o := range off {
		_ = x[o : o+len(y)]
	}
	if len(dst) == 0 || len(y) == 0 {
		return
	}
	if !dotTaps(dst, y, x, off) {
		for t, o := range off {
			dst[t] += Dot(y, x[o:o+len(y)])
		}
	}
}
