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
	g.i("XORQ DX, DX")
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
		g.i("VPBROADCASTD (%s)(DX*1), %s", rowReg[i], bc)
		for v := 0; v < nvec; v++ {
			if zmm {
				g.i("VPDPBUSD %s, %s, %s", w(v), bc, acc(i, v))
			} else {
				g.i("VPMADDUBSW %s, %s, %s", w(v), bc, tmp)
				g.i("VPMADDWD %s, %s, %s", ones, tmp, tmp)
				g.i("VPADDD %s, %s, %s", tmp, acc(i, v), acc(i, v))
			}
		}
	}
	g.i("ADDQ $4, DX")
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

// int8Vector emits the AVX2 loops around the int8 product: the range of
// a row, its quantization, and the rescaling of the int32 sums. They
// compute exactly what their Go twins in int8.go do, element by element,
// without fused multiply-adds.
func (g *gen) int8Vector() {
	// Minimum and maximum of x, starting from 0, ignoring NaN as Go's
	// comparisons do: VMINPS returns its second source when the first is
	// not smaller, so x goes first and the running value second. bad sums
	// x − x, which is 0 unless some x is ±Inf or NaN.
	g.p("")
	// Four sets of accumulators, 32 values a trip, so that the latency of
	// VMINPS, VMAXPS and VADDPS does not bound the loop; the order does
	// not matter, the results are exact.
	g.p("// func int8RangeAVX2(x *float32, n int) (lo, hi, bad float32), n a multiple of 32.")
	g.p("TEXT ·int8RangeAVX2(SB), NOSPLIT, $0-28")
	g.i("MOVQ x+0(FP), SI")
	g.i("MOVQ n+8(FP), CX")
	for i := range 12 {
		g.i("VXORPS Y%d, Y%d, Y%d", i, i, i)
	}
	g.p("int8RangeLoop:")
	for u := range 4 {
		x, d := 12+u%2*2, 13+u%2*2
		g.i("VMOVUPS %d(SI), Y%d", 32*u, x)
		g.i("VMINPS Y%d, Y%d, Y%d", u, x, u)
		g.i("VMAXPS Y%d, Y%d, Y%d", 4+u, x, 4+u)
		g.i("VSUBPS Y%d, Y%d, Y%d", x, x, d)
		g.i("VADDPS Y%d, Y%d, Y%d", d, 8+u, 8+u)
	}
	g.i("ADDQ $128, SI")
	g.i("SUBQ $32, CX")
	g.i("JNZ int8RangeLoop")
	for _, r := range []struct {
		op   string
		base int
		out  string
	}{{"VMINPS", 0, "lo"}, {"VMAXPS", 4, "hi"}, {"VADDPS", 8, "bad"}} {
		b := r.base
		g.i("%s Y%d, Y%d, Y%d", r.op, b, b+1, b)
		g.i("%s Y%d, Y%d, Y%d", r.op, b+2, b+3, b+2)
		g.i("%s Y%d, Y%d, Y%d", r.op, b, b+2, b)
		y, x := fmt.Sprintf("Y%d", b), fmt.Sprintf("X%d", b)
		g.i("VEXTRACTF128 $1, %s, X15", y)
		g.i("%s %s, X15, %s", r.op, x, x)
		g.i("VPERMILPS $0x4e, %s, X15", x)
		g.i("%s %s, X15, %s", r.op, x, x)
		g.i("VPERMILPS $0xb1, %s, X15", x)
		g.i("%s %s, X15, %s", r.op, x, x)
		off := map[string]int{"lo": 16, "hi": 20, "bad": 24}[r.out]
		g.i("VMOVSS %s, %s+%d(FP)", x, r.out, off)
	}
	g.i("VZEROUPPER")
	g.i("RET")

	// q[i] = clamp(round(x[i]·inv) + zero, 0, 127), 16 at a time: round
	// to nearest even (VROUNDPS $0, exact like the Go twin's magic number
	// for these small values), convert, and pack dwords to bytes in order.
	g.p("")
	g.p("// func int8QuantizeAVX2(q *uint8, x *float32, n int, inv, zero float32), n a multiple of 16.")
	g.p("TEXT ·int8QuantizeAVX2(SB), NOSPLIT, $0-32")
	g.i("MOVQ q+0(FP), DI")
	g.i("MOVQ x+8(FP), SI")
	g.i("MOVQ n+16(FP), CX")
	g.i("VBROADCASTSS inv+24(FP), Y6")
	g.i("VBROADCASTSS zero+28(FP), Y7")
	g.i("VXORPS Y8, Y8, Y8")
	g.i("MOVL $0x42fe0000, AX") // 127.0
	g.i("MOVL AX, X9")
	g.i("VBROADCASTSS X9, Y9")
	g.p("int8QuantizeLoop:")
	for h := range 2 {
		y := fmt.Sprintf("Y%d", h)
		g.i("VMULPS %d(SI), Y6, %s", 32*h, y)
		g.i("VROUNDPS $0, %s, %s", y, y)
		g.i("VADDPS Y7, %s, %s", y, y)
		g.i("VMAXPS Y8, %s, %s", y, y)
		g.i("VMINPS Y9, %s, %s", y, y)
		g.i("VCVTTPS2DQ %s, %s", y, y)
	}
	g.i("VPACKSSDW Y1, Y0, Y0")
	g.i("VPERMQ $0xd8, Y0, Y0")
	g.i("VEXTRACTI128 $1, Y0, X1")
	g.i("VPACKUSWB X1, X0, X0")
	g.i("VMOVDQU X0, (DI)")
	g.i("ADDQ $64, SI")
	g.i("ADDQ $16, DI")
	g.i("SUBQ $16, CX")
	g.i("JNZ int8QuantizeLoop")
	g.i("VZEROUPPER")
	g.i("RET")

	// y[o] = float32(acc[o] − zero·colSum[o]) · (xs·ws[o]) (+ bias[o]).
	g.p("")
	g.p("// func int8RescaleAVX2(y *float32, acc, colSum *int32, ws, bias *float32, n int, xs float32, zero int32, hasBias bool), n a multiple of 8.")
	g.p("TEXT ·int8RescaleAVX2(SB), NOSPLIT, $0-57")
	g.i("MOVQ y+0(FP), DI")
	g.i("MOVQ acc+8(FP), SI")
	g.i("MOVQ colSum+16(FP), DX")
	g.i("MOVQ ws+24(FP), R8")
	g.i("MOVQ bias+32(FP), R9")
	g.i("MOVQ n+40(FP), CX")
	g.i("VBROADCASTSS xs+48(FP), Y6")
	g.i("MOVL zero+52(FP), BX")
	g.i("MOVL BX, X7")
	g.i("VPBROADCASTD X7, Y7")
	g.i("MOVBQZX hasBias+56(FP), AX")
	g.p("int8RescaleLoop:")
	g.i("VPMULLD (DX), Y7, Y0")
	g.i("VMOVDQU (SI), Y1")
	g.i("VPSUBD Y0, Y1, Y1")
	g.i("VCVTDQ2PS Y1, Y1")
	g.i("VMULPS (R8), Y6, Y2")
	g.i("VMULPS Y2, Y1, Y1")
	g.i("TESTQ AX, AX")
	g.i("JZ int8RescaleStore")
	g.i("VADDPS (R9), Y1, Y1")
	g.i("ADDQ $32, R9")
	g.p("int8RescaleStore:")
	g.i("VMOVUPS Y1, (DI)")
	g.i("ADDQ $32, DI")
	g.i("ADDQ $32, SI")
	g.i("ADDQ $32, DX")
	g.i("ADDQ $32, R8")
	g.i("SUBQ $8, CX")
	g.i("JNZ int8RescaleLoop")
	g.i("VZEROUPPER")
	g.i("RET")
}
