//go:build !noasm

#include "textflag.h"

// func reluAVX2(y, x *float32, n int), n a multiple of 8.
TEXT ·reluAVX2(SB), NOSPLIT, $0-24
	MOVQ   y+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPS Y0, Y0, Y0

relu8:
	VMOVUPS (SI), Y1
	VMAXPS  Y1, Y0, Y2 // 0 > x ? 0 : x, so NaN passes through
	VADDPS  Y0, Y2, Y2 // −0 + 0 = +0, as Go's max gives
	VMOVUPS Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JNZ     relu8
	VZEROUPPER
	RET

// func reluBackAVX2(dx, dy, x *float32, n int), n a multiple of 8.
TEXT ·reluBackAVX2(SB), NOSPLIT, $0-32
	MOVQ   dx+0(FP), DI
	MOVQ   dy+8(FP), SI
	MOVQ   x+16(FP), DX
	MOVQ   n+24(FP), CX
	VXORPS Y0, Y0, Y0

back8:
	VMOVUPS   (DX), Y1
	VCMPPS    $0x1e, Y0, Y1, Y3 // x > 0, false for NaN
	VMOVUPS   (DI), Y5
	VADDPS    (SI), Y5, Y6      // dx + dy
	VBLENDVPS Y3, Y6, Y5, Y7    // x > 0 ? dx + dy : dx, leaving −0 alone
	VMOVUPS   Y7, (DI)
	ADDQ      $32, DI
	ADDQ      $32, SI
	ADDQ      $32, DX
	SUBQ      $8, CX
	JNZ       back8
	VZEROUPPER
	RET
