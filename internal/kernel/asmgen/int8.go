package main

import "fmt"

// int8 micro-kernels. The weights are packed in panels of 16 outputs; a
// panel holds, for each group of 4 consecutive inputs, 64 bytes: output
// j's 4 weights in bytes 4j…4j+3. A 32-bit lane of a vector loaded from a
// panel thus holds one output's 4 weights, and the 4 matching activations,
// broadcast to every lane, make one step of u8×s8 dot products.

// int8Rows is the most rows of activations one kernel call takes.
const int8Rows = 6

// int8VNNI emits int8Kernel{R}VNNI for R = 1…int8Rows: R rows × 64 outputs
// (4 panels, one zmm each), VPDPBUSD adding 4 products into each int32
// lane without saturation. Registers: 4R accumulators, 4 weights, one
// broadcast.
func (g *gen) int8VNNI() {
	for rows := 1; rows <= int8Rows; rows++ {
		g.int8Kernel(rows, 4, "VNNI")
	}
}

// int8AVX2 emits int8Kernel{R}AVX2 for R = 1…4: R rows × 16 outputs (one
// panel, two ymm). VPMADDUBSW adds pairs of u8×s8 products into int16 with
// saturation, which the 7-bit activations never reach (2·127·128 < 2¹⁵);
// VPMADDWD by ones widens the pairs into int32 sums of 4.
func (g *gen) int8AVX2() {
	for rows := 1; rows <= 4; rows++ {
		g.int8Kernel(rows, 2, "AVX2")
	}
}

// int8Kernel emits one kernel: func(a *uint8, lda int, b *int8, groups
// int, pstride int, c *int32, ldc int). a holds rows of activations lda
// bytes apart; b the first panel, further panels pstride bytes apart; c
// gets the int32 sums, rows ldc int32s apart.
func (g *gen) int8Kernel(rows, nvec int, name string) {
	zmm := name == "VNNI"
	reg := "Y"
	vbytes := 32
	if zmm {
		reg, vbytes = "Z", 64
	}
	r := func(i int) string { return fmt.Sprintf("%s%d", reg, i) }
	acc := func(i, v int) string { return r(i*nvec + v) }
	w := func(v int) string { return r(rows*nvec + v) }
	bc := r(rows*nvec + nvec)
	tmp := r(rows*nvec + nvec + 1)
	ones := r(rows*nvec + nvec + 2)
	rowReg := []string{"SI", "DI", "R8", "R9", "R10", "R11"}
	fn := fmt.Sprintf("int8Kernel%d%s", rows, name)
	g.p("")
	g.p("// func %s(a *uint8, lda int, b *int8, groups, pstride int, c *int32, ldc int)", fn)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-56", fn)
	g.i("MOVQ a+0(FP), SI")
	g.i("MOVQ lda+8(FP), AX")
	for i := 1; i < rows; i++ {
		g.i("LEAQ (%s)(AX*1), %s", rowReg[i-1], rowReg[i])
	}
	g.i("MOVQ b+16(FP), BX")
	g.i("MOVQ groups+24(FP), CX")
	g.i("MOVQ pstride+32(FP), R12")
	g.i("LEAQ (R12)(R12*2), R13")
	for i := 0; i < rows; i++ {
		for v := 0; v < nvec; v++ {
			if zmm {
				g.i("VPXORD %s, %s, %s", acc(i, v), acc(i, v), acc(i, v))
			} else {
				g.i("VPXOR %s, %s, %s", acc(i, v), acc(i, v), acc(i, v))
			}
		}
	}
	if !zmm {
		// Sixteen int16 ones for VPMADDWD.
		g.i("VPCMPEQW %s, %s, %s", ones, ones, ones)
		g.i("VPSRLW $15, %s, %s", ones, ones)
	}
	loop := fn + "loop"
	g.p("%s:", loop)
	for v := 0; v < nvec; v++ {
		if zmm {
			src := []string{"(BX)", "(BX)(R12*1)", "(BX)(R12*2)", "(BX)(R13*1)"}[v]
			g.i("VMOVDQU32 %s, %s", src, w(v))
		} else {
			g.i("VMOVDQU %d(BX), %s", v*vbytes, w(v))
		}
	}
	for i := 0; i < rows; i++ {
		g.i("VPBROADCASTD (%s), %s", rowReg[i], bc)
		for v := 0; v < nvec; v++ {
			if zmm {
				g.i("VPDPBUSD %s, %s, %s", w(v), bc, acc(i, v))
			} else {
				g.i("VPMADDUBSW %s, %s, %s", w(v), bc, tmp)
				g.i("VPMADDWD %s, %s, %s", ones, tmp, tmp)
				g.i("VPADDD %s, %s, %s", tmp, acc(i, v), acc(i, v))
			}
		}
		g.i("ADDQ $4, %s", rowReg[i])
	}
	g.i("ADDQ $64, BX")
	g.i("DECQ CX")
	g.i("JNZ %s", loop)
	g.i("MOVQ c+40(FP), DX")
	g.i("MOVQ ldc+48(FP), AX")
	g.i("SHLQ $2, AX")
	for i := 0; i < rows; i++ {
		for v := 0; v < nvec; v++ {
			if zmm {
				g.i("VMOVDQU32 %s, %d(DX)", acc(i, v), v*vbytes)
			} else {
				g.i("VMOVDQU %s, %d(DX)", acc(i, v), v*vbytes)
			}
		}
		if i < rows-1 {
			g.i("ADDQ AX, DX")
		}
	}
	g.i("VZEROUPPER")
	g.i("RET")
}
