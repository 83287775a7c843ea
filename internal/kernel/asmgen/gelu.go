package main

import "fmt"

// GELU constant vectors: the order of geluConsts in gelu_amd64.go. Each is
// eight copies of one float32 (or one bit pattern), read as a memory
// operand, since the kernels need more constants than AVX2 has registers.
const (
	cInvSqrt2 = iota
	cAbsMask
	cSignMask
	cErfP
	cOne
	cErfA5
	cErfA4
	cErfA3
	cErfA2
	cErfA1
	cLnFltMin
	cLnFltMax
	cLog2e
	cHalf
	cLn2
	cExpP5
	cExpP4
	cExpP3
	cExpP2
	cExpP1
	cTwo
	cBias
	cInvSqrtPi
)

// geluKernels emits geluAVX2 and geluGradAVX2, eight lanes of geluLane and
// geluGradLane from gelu.go, one instruction for each of their float32
// operations and fused multiply-adds and in the same order, so that both
// give the same bits. R8 points at the constant vectors.
func (g *gen) geluKernels() {
	c := func(k int) string { return fmt.Sprintf("%d(R8)", 32*k) }
	// exp emits expLane on Y5, with Y2, Y6 and Y7 as scratch.
	exp := func() {
		g.i("VCMPPS $1, %s, Y5, Y7", c(cLnFltMin)) // lanes below ln FLT_MIN
		g.i("VMINPS %s, Y5, Y5", c(cLnFltMax))
		g.i("VMAXPS %s, Y5, Y5", c(cLnFltMin))
		g.i("VMOVAPS Y5, Y6")
		g.i("VMULPS %s, Y5, Y5", c(cLog2e))
		g.i("VADDPS %s, Y5, Y5", c(cHalf))
		g.i("VROUNDPS $1, Y5, Y5")              // floor
		g.i("VFNMADD231PS %s, Y5, Y6", c(cLn2)) // r = x − n·ln 2
		g.i("VSUBPS %s, Y5, Y5", c(cOne))
		g.i("VCVTPS2DQ Y5, Y5")
		g.i("VPADDD %s, Y5, Y5", c(cBias))
		g.i("VPSLLD $23, Y5, Y5") // 2^(n−1)
		g.i("VANDNPS Y5, Y7, Y5")
		g.i("VMOVUPS %s, Y2", c(cExpP5))
		for _, k := range []int{cExpP4, cExpP3, cExpP2, cExpP1, cOne} {
			g.i("VFMADD213PS %s, Y6, Y2", c(k))
		}
		g.i("VMULPS Y5, Y2, Y2")
		g.i("VMULPS %s, Y2, Y5", c(cTwo))
	}
	// poly emits erfPoly of the register t into Y2.
	poly := func(t string) {
		g.i("VMOVUPS %s, Y2", c(cErfA5))
		for _, k := range []int{cErfA4, cErfA3, cErfA2, cErfA1} {
			g.i("VFMADD213PS %s, %s, Y2", c(k), t)
		}
	}

	g.p("")
	g.p("// func geluAVX2(y, x *float32, n int, c *[geluConstCount][8]float32)")
	g.p("TEXT ·geluAVX2(SB), NOSPLIT, $0-32")
	g.i("MOVQ y+0(FP), DI")
	g.i("MOVQ x+8(FP), SI")
	g.i("MOVQ n+16(FP), CX")
	g.i("MOVQ c+24(FP), R8")
	g.i("SHRQ $3, CX")
	g.i("JZ geludone")
	g.p("geluloop:")
	g.i("VMOVUPS (SI), Y0")
	g.i("VMULPS %s, Y0, Y1", c(cInvSqrt2)) // v
	g.i("VANDPS %s, Y1, Y2", c(cAbsMask))
	g.i("VMOVUPS %s, Y3", c(cErfP))
	g.i("VFMADD213PS %s, Y2, Y3", c(cOne))
	g.i("VMOVUPS %s, Y4", c(cOne))
	g.i("VDIVPS Y3, Y4, Y4") // t
	g.i("VMULPS Y1, Y1, Y5")
	g.i("VXORPS %s, Y5, Y5", c(cSignMask)) // −v²
	exp()
	g.i("VXORPS %s, Y5, Y5", c(cSignMask))
	g.i("VMULPS Y4, Y5, Y5") // q = −exp(−v²)·t
	poly("Y4")
	g.i("VFMADD213PS %s, Y2, Y5", c(cOne))
	g.i("VANDPS %s, Y0, Y3", c(cSignMask))
	g.i("VXORPS Y3, Y5, Y5") // erf
	g.i("VMULPS %s, Y0, Y0", c(cHalf))
	g.i("VFMADD213PS Y0, Y0, Y5") // S·erf + S
	g.i("VMOVUPS Y5, (DI)")
	g.i("ADDQ $32, SI")
	g.i("ADDQ $32, DI")
	g.i("DECQ CX")
	g.i("JNZ geluloop")
	g.p("geludone:")
	g.i("VZEROUPPER")
	g.i("RET")

	g.p("")
	g.p("// func geluGradAVX2(dx, dy, x *float32, n int, c *[geluConstCount][8]float32)")
	g.p("TEXT ·geluGradAVX2(SB), NOSPLIT, $0-40")
	g.i("MOVQ dx+0(FP), DI")
	g.i("MOVQ dy+8(FP), DX")
	g.i("MOVQ x+16(FP), SI")
	g.i("MOVQ n+24(FP), CX")
	g.i("MOVQ c+32(FP), R8")
	g.i("SHRQ $3, CX")
	g.i("JZ graddone")
	g.p("gradloop:")
	g.i("VMOVUPS (SI), Y0")
	g.i("VMULPS %s, Y0, Y1", c(cInvSqrt2)) // v
	g.i("VMULPS Y1, Y1, Y5")
	g.i("VXORPS %s, Y5, Y5", c(cSignMask))
	exp() // Q
	g.i("VMULPS %s, Y1, Y3", c(cInvSqrtPi))
	g.i("VMULPS Y5, Y3, Y3") // T = v/√π·Q
	g.i("VXORPS %s, Y5, Y5", c(cSignMask))
	g.i("VANDPS %s, Y1, Y2", c(cAbsMask))
	g.i("VMOVUPS %s, Y4", c(cErfP))
	g.i("VFMADD213PS %s, Y2, Y4", c(cOne))
	g.i("VMOVUPS %s, Y6", c(cOne))
	g.i("VDIVPS Y4, Y6, Y6") // w
	g.i("VMULPS Y6, Y5, Y5") // −Q·w
	poly("Y6")
	g.i("VFMADD213PS %s, Y2, Y5", c(cOne))
	g.i("VANDPS %s, Y1, Y4", c(cSignMask))
	g.i("VXORPS Y4, Y5, Y5") // erf
	g.i("VADDPS %s, Y3, Y3", c(cHalf))
	g.i("VFMADD231PS %s, Y5, Y3", c(cHalf)) // ½·erf + T + ½
	g.i("VMULPS (DX), Y3, Y3")
	g.i("VMOVUPS Y3, (DI)")
	g.i("ADDQ $32, SI")
	g.i("ADDQ $32, DX")
	g.i("ADDQ $32, DI")
	g.i("DECQ CX")
	g.i("JNZ gradloop")
	g.p("graddone:")
	g.i("VZEROUPPER")
	g.i("RET")
}
