//go:build !noasm

#include "textflag.h"

// func sgdMomentumAVX2(p, grad, buf *float32, n int, negLR, mom, keep float32)
TEXT ·sgdMomentumAVX2(SB), NOSPLIT, $0-44
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         buf+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS negLR+32(FP), Y0
	VBROADCASTSS mom+36(FP), Y1
	VBROADCASTSS keep+40(FP), Y2

sgd8:
	CMPQ        CX, $8
	JL          sgdtail
	VMOVUPS     (DX), Y3
	VMULPS      Y1, Y3, Y3       // buf·mom, rounded
	VMOVUPS     (SI), Y4
	VFMADD231PS Y4, Y2, Y3       // keep·g + buf·mom, rounded once
	VMOVUPS     Y3, (DX)
	VMOVUPS     (DI), Y5
	VFMADD231PS Y3, Y0, Y5       // −lr·buf + p, rounded once
	VMOVUPS     Y5, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	SUBQ        $8, CX
	JMP         sgd8

sgdtail:
	TESTQ       CX, CX
	JE          sgddone
	VMOVSS      (DX), X3
	VMULSS      X1, X3, X3
	VMOVSS      (SI), X4
	VFMADD231SS X4, X2, X3
	VMOVSS      X3, (DX)
	VMOVSS      (DI), X5
	VFMADD231SS X3, X0, X5
	VMOVSS      X5, (DI)
	ADDQ        $4, DI
	ADDQ        $4, SI
	ADDQ        $4, DX
	DECQ        CX
	JMP         sgdtail

sgddone:
	VZEROUPPER
	RET

// func adamAVX2(p, grad, m, v *float32, n int, c1, b1, c2, b2, bc2, eps, negStep float32)
TEXT ·adamAVX2(SB), NOSPLIT, $0-68
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         v+24(FP), R8
	MOVQ         n+32(FP), CX
	VBROADCASTSS c1+40(FP), Y0
	VBROADCASTSS b1+44(FP), Y1
	VBROADCASTSS c2+48(FP), Y2
	VBROADCASTSS b2+52(FP), Y3
	VBROADCASTSS bc2+56(FP), Y4
	VBROADCASTSS eps+60(FP), Y5
	VBROADCASTSS negStep+64(FP), Y6

adam8:
	CMPQ        CX, $8
	JL          adamtail
	VMOVUPS     (SI), Y7         // g
	VMOVUPS     (DX), Y8
	VMULPS      Y1, Y8, Y8       // m·b1
	VFMADD231PS Y7, Y0, Y8       // m = c1·g + m·b1
	VMOVUPS     Y8, (DX)
	VMULPS      Y2, Y7, Y9       // c2·g
	VMOVUPS     (R8), Y10
	VMULPS      Y3, Y10, Y10     // v·b2
	VFMADD231PS Y7, Y9, Y10      // v = (c2·g)·g + v·b2
	VMOVUPS     Y10, (R8)
	VSQRTPS     Y10, Y11
	VDIVPS      Y4, Y11, Y11     // √v / bc2
	VADDPS      Y5, Y11, Y11     // + eps
	VMULPS      Y6, Y8, Y12      // negStep·m
	VDIVPS      Y11, Y12, Y12
	VMOVUPS     (DI), Y13
	VADDPS      Y12, Y13, Y13
	VMOVUPS     Y13, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, R8
	SUBQ        $8, CX
	JMP         adam8

adamtail:
	TESTQ       CX, CX
	JE          adamdone
	VMOVSS      (SI), X7
	VMOVSS      (DX), X8
	VMULSS      X1, X8, X8
	VFMADD231SS X7, X0, X8
	VMOVSS      X8, (DX)
	VMULSS      X2, X7, X9
	VMOVSS      (R8), X10
	VMULSS      X3, X10, X10
	VFMADD231SS X7, X9, X10
	VMOVSS      X10, (R8)
	VSQRTSS     X10, X10, X11
	VDIVSS      X4, X11, X11
	VADDSS      X5, X11, X11
	VMULSS      X6, X8, X12
	VDIVSS      X11, X12, X12
	VMOVSS      (DI), X13
	VADDSS      X12, X13, X13
	VMOVSS      X13, (DI)
	ADDQ        $4, DI
	ADDQ        $4, SI
	ADDQ        $4, DX
	ADDQ        $4, R8
	DECQ        CX
	JMP         adamtail

adamdone:
	VZEROUPPER
	RET

// func adamAVX512(p, grad, m, v *float32, n int, c1, b1, c2, b2, bc2, eps, negStep float32)
// n is a multiple of 16. The same steps as adamAVX2 on 16 lanes: Zen 5
// divides and takes square roots at the same rate per instruction on zmm
// as on ymm, so this halves the update's time.
TEXT ·adamAVX512(SB), NOSPLIT, $0-68
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         v+24(FP), R8
	MOVQ         n+32(FP), CX
	VBROADCASTSS c1+40(FP), Z0
	VBROADCASTSS b1+44(FP), Z1
	VBROADCASTSS c2+48(FP), Z2
	VBROADCASTSS b2+52(FP), Z3
	VBROADCASTSS bc2+56(FP), Z4
	VBROADCASTSS eps+60(FP), Z5
	VBROADCASTSS negStep+64(FP), Z6

adam16:
	VMOVUPS     (SI), Z7
	VMOVUPS     (DX), Z8
	VMULPS      Z1, Z8, Z8
	VFMADD231PS Z7, Z0, Z8
	VMOVUPS     Z8, (DX)
	VMULPS      Z2, Z7, Z9
	VMOVUPS     (R8), Z10
	VMULPS      Z3, Z10, Z10
	VFMADD231PS Z7, Z9, Z10
	VMOVUPS     Z10, (R8)
	VSQRTPS     Z10, Z11
	VDIVPS      Z4, Z11, Z11
	VADDPS      Z5, Z11, Z11
	VMULPS      Z6, Z8, Z12
	VDIVPS      Z11, Z12, Z12
	VMOVUPS     (DI), Z13
	VADDPS      Z12, Z13, Z13
	VMOVUPS     Z13, (DI)
	ADDQ        $64, DI
	ADDQ        $64, SI
	ADDQ        $64, DX
	ADDQ        $64, R8
	SUBQ        $16, CX
	JNZ         adam16
	VZEROUPPER
	RET
