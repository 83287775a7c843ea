//go:build !noasm

#include "textflag.h"

// func frameRowsAVX512(dst *float32, ldd int, src *float32, lds int, rows, lo, hi, cols int)
//
// Sixteen columns at a time: a load masked to the columns in [lo, hi),
// whose other lanes read nothing and come back zero, then a store
// masked to the columns below cols.
TEXT ·frameRowsAVX512(SB), NOSPLIT, $0-64
	MOVQ ldd+8(FP), R8
	SHLQ $2, R8
	MOVQ lds+24(FP), R9
	SHLQ $2, R9
	MOVQ lo+40(FP), R10
	MOVQ hi+48(FP), R11
	MOVQ cols+56(FP), R12
	XORQ R13, R13
chunk:
	CMPQ R13, R12
	JGE done
	MOVQ R12, CX
	SUBQ R13, CX
	CMPQ CX, $16
	JLE smask
	MOVQ $16, CX
smask:
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K2
	MOVQ R11, CX
	SUBQ R13, CX
	MOVQ $0, DX
	CMPQ CX, $0
	CMOVQLT DX, CX
	MOVQ $16, DX
	CMPQ CX, $16
	CMOVQGT DX, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	MOVQ R10, CX
	SUBQ R13, CX
	MOVQ $0, DX
	CMPQ CX, $0
	CMOVQLT DX, CX
	MOVQ $16, DX
	CMPQ CX, $16
	CMOVQGT DX, CX
	MOVL $1, BX
	SHLL CX, BX
	DECL BX
	NOTL BX
	ANDL BX, AX
	KMOVW AX, K1
	MOVQ dst+0(FP), DI
	LEAQ (DI)(R13*4), DI
	MOVQ R13, AX
	SUBQ R10, AX
	MOVQ src+16(FP), SI
	LEAQ (SI)(AX*4), SI
	MOVQ rows+32(FP), CX
row:
	TESTQ CX, CX
	JZ next
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS Z0, K2, (DI)
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ CX
	JMP row
next:
	ADDQ $16, R13
	JMP chunk
done:
	VZEROUPPER
	RET
