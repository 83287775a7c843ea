//go:build !noasm

package kernel

import (
	"math"

	"golang.org/x/sys/cpu"
)

// useGELUAsm selects the AVX2 GELU loops, which need fused multiply-adds.
var useGELUAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// geluConstCount is the number of constant vectors the GELU loops read.
const geluConstCount = 23

// geluConsts holds, eight times over each, the constants of gelu.go in the
// order asmgen's geluKernels names them.
var geluConsts = func() (c [geluConstCount][8]float32) {
	v := []float32{
		invSqrt2, math.Float32frombits(0x7fffffff), math.Float32frombits(0x80000000),
		erfP, 1, erfA5, erfA4, erfA3, erfA2, erfA1,
		expLnFltMin, expLnFltMax, expLog2e, 0.5, expLn2,
		expP5, expP4, expP3, expP2, expP1, 2, math.Float32frombits(0x7f), invSqrtPi,
	}
	for k, x := range v {
		for l := range c[k] {
			c[k][l] = x
		}
	}
	return c
}()

// geluBlocks runs the vector loop over whole blocks of eight and returns
// how many elements it handled.
func geluBlocks(y, x []float32) int {
	n := len(x) &^ 7
	if !useGELUAsm || n == 0 {
		return 0
	}
	geluAVX2(&y[0], &x[0], n, &geluConsts)
	return n
}

func geluGradBlocks(dx, dy, x []float32) int {
	n := len(x) &^ 7
	if !useGELUAsm || n == 0 {
		return 0
	}
	geluGradAVX2(&dx[0], &dy[0], &x[0], n, &geluConsts)
	return n
}

//go:noescape
func geluAVX2(y, x *float32, n int, c *[geluConstCount][8]float32)

//go:noescape
func geluGradAVX2(dx, dy, x *float32, n int, c *[geluConstCount][8]float32)
