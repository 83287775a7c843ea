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
