//go:build !noasm

#include "textflag.h"

// func maxPool2AVX2(out, r0, r1 *float32, n int), n a multiple of 8.
//
// step(m, v) = v > m || v ≠ v ? v : m is associative, so each window
// folds as step(step(a, b), step(c, d)): rows split into even and odd
// columns first. VSHUFPS splits within 128-bit lanes, which leaves the
// outputs in the order 0 1 4 5 2 3 6 7; VPERMPD puts them back.
TEXT ·maxPool2AVX2(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ r0+8(FP), SI
	MOVQ r1+16(FP), DX
	MOVQ n+24(FP), CX

pool8:
	VMOVUPS   (SI), Y0
	VMOVUPS   32(SI), Y1
	VSHUFPS   $0x88, Y1, Y0, Y2 // a: even columns of r0
	VSHUFPS   $0xdd, Y1, Y0, Y3 // b: odd columns of r0
	VCMPPS    $0x1e, Y2, Y3, Y4 // b > a
	VCMPPS    $0x03, Y3, Y3, Y5 // b ≠ b
	VORPS     Y5, Y4, Y4
	VBLENDVPS Y4, Y3, Y2, Y6    // step(a, b)
	VMOVUPS   (DX), Y0
	VMOVUPS   32(DX), Y1
	VSHUFPS   $0x88, Y1, Y0, Y2 // c
	VSHUFPS   $0xdd, Y1, Y0, Y3 // d
	VCMPPS    $0x1e, Y2, Y3, Y4
	VCMPPS    $0x03, Y3, Y3, Y5
	VORPS     Y5, Y4, Y4
	VBLENDVPS Y4, Y3, Y2, Y7    // step(c, d)
	VCMPPS    $0x1e, Y6, Y7, Y4
	VCMPPS    $0x03, Y7, Y7, Y5
	VORPS     Y5, Y4, Y4
	VBLENDVPS Y4, Y7, Y6, Y6    // step(step(a, b), step(c, d))
	VPERMPD   $0xd8, Y6, Y6
	VMOVUPS   Y6, (DI)
	ADDQ      $64, SI
	ADDQ      $64, DX
	ADDQ      $32, DI
	SUBQ      $8, CX
	JNZ       pool8
	VZEROUPPER
	RET

// func maxPool2x4AVX(out, r0, r1 *float32), four outputs: maxPool2AVX2 on
// 128-bit registers, where VSHUFPS leaves the outputs in order.
TEXT ·maxPool2x4AVX(SB), NOSPLIT, $0-24
	MOVQ      out+0(FP), DI
	MOVQ      r0+8(FP), SI
	MOVQ      r1+16(FP), DX
	VMOVUPS   (SI), X0
	VMOVUPS   16(SI), X1
	VSHUFPS   $0x88, X1, X0, X2
	VSHUFPS   $0xdd, X1, X0, X3
	VCMPPS    $0x1e, X2, X3, X4
	VCMPPS    $0x03, X3, X3, X5
	VORPS     X5, X4, X4
	VBLENDVPS X4, X3, X2, X6
	VMOVUPS   (DX), X0
	VMOVUPS   16(DX), X1
	VSHUFPS   $0x88, X1, X0, X2
	VSHUFPS   $0xdd, X1, X0, X3
	VCMPPS    $0x1e, X2, X3, X4
	VCMPPS    $0x03, X3, X3, X5
	VORPS     X5, X4, X4
	VBLENDVPS X4, X3, X2, X7
	VCMPPS    $0x1e, X6, X7, X4
	VCMPPS    $0x03, X7, X7, X5
	VORPS     X5, X4, X4
	VBLENDVPS X4, X7, X6, X6
	VMOVUPS   X6, (DI)
	RET

// func maxPool2GradAVX2(d0, d1, r0, r1, out, dy *float32, n int, keep *uint32) int
//
// The rows split into a, b (r0's even and odd columns) and c (r1's even
// ones) as in maxPool2AVX2, in the order 0 1 4 5 2 3 6 7, and VPERMPD
// puts out, g and keep in that order too. For a window with no NaN the
// winner is the first of a, b, c, e whose bits equal m's, so each mask
// keeps the lanes no earlier one took; lanes masked off by keep count as
// taken from the start. VUNPCKLPS and VUNPCKHPS interleave the masks and
// g back into column order, which undoes the split. Each row of d adds
// g where its mask is set and keeps its bits elsewhere (adding 0 would
// turn −0 into +0).
TEXT ·maxPool2GradAVX2(SB), NOSPLIT, $0-72
	MOVQ     d0+0(FP), DI
	MOVQ     d1+8(FP), R8
	MOVQ     r0+16(FP), SI
	MOVQ     r1+24(FP), DX
	MOVQ     out+32(FP), R9
	MOVQ     dy+40(FP), R10
	MOVQ     n+48(FP), CX
	MOVQ     keep+56(FP), AX
	XORQ     BX, BX
	VMOVUPS  (AX), Y15
	VPERMPD  $0xd8, Y15, Y15 // keep
	VPCMPEQD Y14, Y14, Y14   // all ones
	VPXOR    Y14, Y15, Y13   // lanes taken before the first compare

grad8:
	VMOVUPS   (R9), Y8
	VPERMPD   $0xd8, Y8, Y8     // m
	VCMPPS    $0x03, Y8, Y8, Y9 // m ≠ m
	VPTEST    Y15, Y9
	JNE       done              // a NaN among the kept lanes
	VMOVUPS   (SI), Y0
	VMOVUPS   32(SI), Y1
	VSHUFPS   $0x88, Y1, Y0, Y2 // a
	VSHUFPS   $0xdd, Y1, Y0, Y3 // b
	VMOVUPS   (DX), Y0
	VMOVUPS   32(DX), Y1
	VSHUFPS   $0x88, Y1, Y0, Y4 // c
	VPCMPEQD  Y8, Y2, Y2        // a has m's bits
	VPCMPEQD  Y8, Y3, Y3
	VPCMPEQD  Y8, Y4, Y4
	VPANDN    Y2, Y13, Y5       // a wins
	VPOR      Y13, Y2, Y10
	VPANDN    Y3, Y10, Y6       // b wins
	VPOR      Y10, Y3, Y10
	VPANDN    Y4, Y10, Y7       // c wins
	VPOR      Y10, Y4, Y10
	VPXOR     Y14, Y10, Y9      // e wins
	VMOVUPS   (R10), Y11
	VPERMPD   $0xd8, Y11, Y11
	VUNPCKLPS Y11, Y11, Y12     // g of columns 0–7
	VUNPCKHPS Y11, Y11, Y11     // g of columns 8–15
	VUNPCKLPS Y6, Y5, Y0        // r0's winners in columns 0–7
	VUNPCKHPS Y6, Y5, Y1        // and 8–15
	VMOVUPS   (DI), Y2
	VMOVUPS   32(DI), Y3
	VADDPS    Y12, Y2, Y4
	VBLENDVPS Y0, Y4, Y2, Y2
	VADDPS    Y11, Y3, Y4
	VBLENDVPS Y1, Y4, Y3, Y3
	VMOVUPS   Y2, (DI)
	VMOVUPS   Y3, 32(DI)
	VUNPCKLPS Y9, Y7, Y0        // r1's winners
	VUNPCKHPS Y9, Y7, Y1
	VMOVUPS   (R8), Y2
	VMOVUPS   32(R8), Y3
	VADDPS    Y12, Y2, Y4
	VBLENDVPS Y0, Y4, Y2, Y2
	VADDPS    Y11, Y3, Y4
	VBLENDVPS Y1, Y4, Y3, Y3
	VMOVUPS   Y2, (R8)
	VMOVUPS   Y3, 32(R8)
	ADDQ      $64, SI
	ADDQ      $64, DX
	ADDQ      $64, DI
	ADDQ      $64, R8
	ADDQ      $32, R9
	ADDQ      $32, R10
	ADDQ      $8, BX
	CMPQ      BX, CX
	JLT       grad8

done:
	VZEROUPPER
	MOVQ BX, ret+64(FP)
	RET

// func maxPool2Grad4AVX(d0, d1, r0, r1, out, dy *float32, keep *uint32) bool
//
// maxPool2GradAVX2 on 128-bit registers for four outputs, where VSHUFPS
// leaves them in order.
TEXT ·maxPool2Grad4AVX(SB), NOSPLIT, $0-57
	MOVQ      d0+0(FP), DI
	MOVQ      d1+8(FP), R8
	MOVQ      r0+16(FP), SI
	MOVQ      r1+24(FP), DX
	MOVQ      out+32(FP), R9
	MOVQ      dy+40(FP), R10
	MOVQ      keep+48(FP), AX
	MOVB      $0, ret+56(FP)
	VMOVUPS   (AX), X15
	VPCMPEQD  X14, X14, X14
	VPXOR     X14, X15, X13
	VMOVUPS   (R9), X8
	VCMPPS    $0x03, X8, X8, X9
	VPTEST    X15, X9
	JNE       nan4
	VMOVUPS   (SI), X0
	VMOVUPS   16(SI), X1
	VSHUFPS   $0x88, X1, X0, X2
	VSHUFPS   $0xdd, X1, X0, X3
	VMOVUPS   (DX), X0
	VMOVUPS   16(DX), X1
	VSHUFPS   $0x88, X1, X0, X4
	VPCMPEQD  X8, X2, X2
	VPCMPEQD  X8, X3, X3
	VPCMPEQD  X8, X4, X4
	VPANDN    X2, X13, X5
	VPOR      X13, X2, X10
	VPANDN    X3, X10, X6
	VPOR      X10, X3, X10
	VPANDN    X4, X10, X7
	VPOR      X10, X4, X10
	VPXOR     X14, X10, X9
	VMOVUPS   (R10), X11
	VUNPCKLPS X11, X11, X12
	VUNPCKHPS X11, X11, X11
	VUNPCKLPS X6, X5, X0
	VUNPCKHPS X6, X5, X1
	VMOVUPS   (DI), X2
	VMOVUPS   16(DI), X3
	VADDPS    X12, X2, X4
	VBLENDVPS X0, X4, X2, X2
	VADDPS    X11, X3, X4
	VBLENDVPS X1, X4, X3, X3
	VMOVUPS   X2, (DI)
	VMOVUPS   X3, 16(DI)
	VUNPCKLPS X9, X7, X0
	VUNPCKHPS X9, X7, X1
	VMOVUPS   (R8), X2
	VMOVUPS   16(R8), X3
	VADDPS    X12, X2, X4
	VBLENDVPS X0, X4, X2, X2
	VADDPS    X11, X3, X4
	VBLENDVPS X1, X4, X3, X3
	VMOVUPS   X2, (R8)
	VMOVUPS   X3, 16(R8)
	MOVB      $1, ret+56(FP)

nan4:
	RET
