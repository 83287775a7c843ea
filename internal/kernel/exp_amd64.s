//go:build !noasm

#include "textflag.h"

// func expSubAVX512(x *float32, n int, shift float32, c *[18]float64)
// The same steps as exp32, eight lanes at a time; NaN lanes are put back
// at the end, since the clamps would lose them.
TEXT ·expSubAVX512(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS shift+16(FP), Y20
	MOVQ c+24(FP), R8
	VBROADCASTSD 0(R8), Z21  // expLo
	VBROADCASTSD 8(R8), Z22  // expHi
	VBROADCASTSD 16(R8), Z23 // log2(e)
	VBROADCASTSD 24(R8), Z24 // ln2Hi
	VBROADCASTSD 32(R8), Z25 // ln2Lo
	VBROADCASTSD 40(R8), Z7 // 1/12!
	VBROADCASTSD 48(R8), Z8 // 1/11!
	VBROADCASTSD 56(R8), Z9 // 1/10!
	VBROADCASTSD 64(R8), Z10 // 1/9!
	VBROADCASTSD 72(R8), Z11 // 1/8!
	VBROADCASTSD 80(R8), Z12 // 1/7!
	VBROADCASTSD 88(R8), Z13 // 1/6!
	VBROADCASTSD 96(R8), Z14 // 1/5!
	VBROADCASTSD 104(R8), Z15 // 1/4!
	VBROADCASTSD 112(R8), Z16 // 1/3!
	VBROADCASTSD 120(R8), Z17 // 1/2!
	VBROADCASTSD 128(R8), Z18 // 1/1!
	VBROADCASTSD 136(R8), Z19 // 1/0!
	SHRQ $3, CX
	JZ done
loop:
	VMOVUPS (DI), Y0
	VSUBPS Y20, Y0, Y0       // x − shift, in float32
	VCVTPS2PD Y0, Z1         // d
	VCMPPD $3, Z1, Z1, K1    // NaN lanes
	VMAXPD Z21, Z1, Z2
	VMINPD Z22, Z2, Z2       // d clamped
	VMULPD Z23, Z2, Z3
	VRNDSCALEPD $0, Z3, Z3   // k = round(d·log2(e)), to even
	VMOVAPD Z2, Z4
	VFNMADD231PD Z24, Z3, Z4 // r = d − k·ln2Hi
	VFNMADD231PD Z25, Z3, Z4 // r −= k·ln2Lo
	VMOVAPD Z7, Z5           // p = 1/12!
	VFMADD213PD Z8, Z4, Z5   // p = p·r + 1/11!
	VFMADD213PD Z9, Z4, Z5   // p = p·r + 1/10!
	VFMADD213PD Z10, Z4, Z5   // p = p·r + 1/9!
	VFMADD213PD Z11, Z4, Z5   // p = p·r + 1/8!
	VFMADD213PD Z12, Z4, Z5   // p = p·r + 1/7!
	VFMADD213PD Z13, Z4, Z5   // p = p·r + 1/6!
	VFMADD213PD Z14, Z4, Z5   // p = p·r + 1/5!
	VFMADD213PD Z15, Z4, Z5   // p = p·r + 1/4!
	VFMADD213PD Z16, Z4, Z5   // p = p·r + 1/3!
	VFMADD213PD Z17, Z4, Z5   // p = p·r + 1/2!
	VFMADD213PD Z18, Z4, Z5   // p = p·r + 1/1!
	VFMADD213PD Z19, Z4, Z5   // p = p·r + 1/0!
	VSCALEFPD Z3, Z5, Z5     // p·2^k
	VMOVAPD Z1, K1, Z5       // NaN stays NaN
	VCVTPD2PS Z5, Y6
	VMOVUPS Y6, (DI)
	ADDQ $32, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET
