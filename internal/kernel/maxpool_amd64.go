//go:build !noasm

package kernel

// maxPool2Blocks pools out with the vector loops when it has at least
// four outputs and returns how many it did: all of them, since a window's
// maximum depends on nothing else, a last short block is redone as a
// whole block ending at the last output.
func maxPool2Blocks(out, r0, r1 []float32) int {
	n := len(out)
	switch {
	case !useVecAsm || n < 4:
		return 0
	case n < 8:
		maxPool2x4AVX(&out[0], &r0[0], &r1[0])
		maxPool2x4AVX(&out[n-4], &r0[2*(n-4)], &r1[2*(n-4)])
		return n
	}
	b := n &^ 7
	maxPool2AVX2(&out[0], &r0[0], &r1[0], b)
	if b < n {
		maxPool2AVX2(&out[n-8], &r0[2*(n-8)], &r1[2*(n-8)], 8)
	}
	return n
}

//go:noescape
func maxPool2AVX2(out, r0, r1 *float32, n int)

//go:noescape
func maxPool2x4AVX(out, r0, r1 *float32)

// keepLanes[8−s:] masks the first s lanes of a block off and keeps the
// rest: a last short block is done as a whole block that ends at the
// last output, and the outputs it shares with the block before must
// not take their gradient twice.
var keepLanes = [16]uint32{8: ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0)}

// maxPool2GradVec does MaxPool2RowGrad with the vector loops when out has
// at least four outputs, and reports whether it did. A block whose
// outputs hold a NaN goes to the scalar loop, which finds the last NaN.
func maxPool2GradVec(d0, d1, r0, r1, out, g []float32) bool {
	n := len(out)
	if !useVecAsm || n < 4 {
		return false
	}
	if n < 8 {
		if !maxPool2Grad4AVX(&d0[0], &d1[0], &r0[0], &r1[0], &out[0], &g[0], &keepLanes[8]) {
			maxPool2GradRange(d0, d1, r0, r1, out, g, 0, 4)
		}
		if s := n - 4; s > 0 {
			if !maxPool2Grad4AVX(&d0[2*s], &d1[2*s], &r0[2*s], &r1[2*s], &out[s], &g[s], &keepLanes[8-(4-s)]) {
				maxPool2GradRange(d0, d1, r0, r1, out, g, 4, n)
			}
		}
		return true
	}
	b := n &^ 7
	for done := 0; done < b; {
		done += maxPool2GradAVX2(&d0[2*done], &d1[2*done], &r0[2*done], &r1[2*done], &out[done], &g[done], b-done, &keepLanes[8])
		if done < b {
			maxPool2GradRange(d0, d1, r0, r1, out, g, done, done+8)
			done += 8
		}
	}
	if b < n {
		s := n - 8
		if maxPool2GradAVX2(&d0[2*s], &d1[2*s], &r0[2*s], &r1[2*s], &out[s], &g[s], 8, &keepLanes[8-(b-s)]) == 0 {
			maxPool2GradRange(d0, d1, r0, r1, out, g, b, n)
		}
	}
	return true
}

// maxPool2GradAVX2 adds the gradients of n outputs, n a multiple of 8,
// eight at a time, the lanes of each block masked by keep[:8]. It stops
// before the first block with a NaN among its kept outputs and returns
// how many outputs it did.
//
//go:noescape
func maxPool2GradAVX2(d0, d1, r0, r1, out, dy *float32, n int, keep *uint32) int

// maxPool2Grad4AVX adds the gradients of four outputs, masked by
// keep[:4], unless one of the kept outputs is a NaN; it reports whether
// it did.
//
//go:noescape
func maxPool2Grad4AVX(d0, d1, r0, r1, out, dy *float32, keep *uint32) bool
