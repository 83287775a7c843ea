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
