//go:build !noasm

package kernel

import (
	"math"

	"golang.org/x/sys/cpu"
)

// useExpAsm selects the AVX-512 loop of ExpSub, which needs VSCALEFPD and
// VRNDSCALEPD.
var useExpAsm = cpu.X86.HasAVX512F

// expConsts is what expSubAVX512 reads: the bounds, log₂e, ln 2 in two
// parts, then the coefficients from 1/12! down to 1.
var expConsts = func() (c [18]float64) {
	c[0], c[1], c[2], c[3], c[4] = expLo, expHi, math.Log2E, ln2Hi, ln2Lo
	for n := 0; n <= 12; n++ {
		c[5+n] = expC[12-n]
	}
	return c
}()

// expSubBlocks runs the vector loop over whole blocks of eight and returns
// how many elements it handled.
func expSubBlocks(x []float32, shift float32) int {
	n := len(x) &^ 7
	if !useExpAsm || n == 0 {
		return 0
	}
	expSubAVX512(&x[0], n, shift, &expConsts)
	return n
}

// expSubAVX512 is ExpSub for n a multiple of 8, eight lanes of float64 at
// a time; each lane is exp32 of its x − shift.
//
//go:noescape
func expSubAVX512(x *float32, n int, shift float32, c *[18]float64)
