package main

// dwKernels emits the depthwise convolution's kernels: the tap sums of
// DepthwiseTaps at sixteen and eight lanes, and the tap dot products of
// DotTaps.
func (g *gen) dwKernels() {
	g.p("")
	g.p("// dwMask<>+32−4n holds n words of ones then zeros: VMASKMOVPS's mask for")
	g.p("// the first n lanes.")
	for k := range 8 {
		g.p("DATA dwMask<>+%d(SB)/4, $0xffffffff", 4*k)
	}
	for k := range 8 {
		g.p("DATA dwMask<>+%d(SB)/4, $0", 32+4*k)
	}
	g.p("GLOBL dwMask<>(SB), RODATA|NOPTR, $64")
	g.dwTaps(avx512)
	g.dwTaps(avx2)
	g.dotTaps()
}

// dwTaps emits DepthwiseTaps's loop for s: eight rows of one vector of
// columns at a time, eight sums in flight so that the additions' latency
// is hidden, then single rows.
func (g *gen) dwTaps(s isa) {
	name := "dwTaps" + s.name
	lanes := s.lanes()
	wide := s == avx512
	bias, bc := s.r(14), s.r(8)
	if wide {
		bias = s.r(17)
	}
	var load func(addr, dst string)
	var store func(src, addr string)
	if wide {
		load = func(addr, dst string) { g.i("VMOVUPS.Z %s, K1, %s", addr, dst) }
		store = func(src, addr string) { g.i("VMOVUPS %s, K1, %s", src, addr) }
	} else {
		load = func(addr, dst string) { g.i("VMASKMOVPS %s, Y9, %s", addr, dst) }
		store = func(src, addr string) { g.i("VMASKMOVPS %s, Y9, %s", src, addr) }
	}
	g.p("")
	g.p("// func %s(y *float32, ldy int, x *float32, ldx int, w *float32, off *int, taps, rows, cols int, add bool, bias float32, hasBias bool)", name)
	g.p("//")
	g.p("// Columns go %d at a time, the last ones masked; rows eight at a time", lanes)
	g.p("// (eight sums in flight, so that the additions' latency is hidden), then")
	g.p("// one at a time. The old y, then the bias, are added after the sum.")
	g.p("TEXT ·%s(SB), NOSPLIT, $0-81", name)
	g.i("MOVQ ldy+8(FP), R8")
	g.i("SHLQ $2, R8")
	g.i("MOVQ ldx+24(FP), R9")
	g.i("SHLQ $2, R9")
	g.i("MOVQ w+32(FP), R10")
	g.i("MOVQ off+40(FP), R11")
	g.i("MOVQ taps+48(FP), R12")
	g.i("VBROADCASTSS bias+76(FP), %s", bias)
	g.i("MOVQ cols+64(FP), DX")
	g.i("XORQ R14, R14")
	g.p("col:")
	g.i("TESTQ DX, DX")
	g.i("JLE done")
	g.i("MOVQ DX, CX")
	g.i("CMPQ CX, $%d", lanes)
	g.i("JLE lanes")
	g.i("MOVQ $%d, CX", lanes)
	g.p("lanes:")
	if wide {
		g.i("MOVL $1, AX")
		g.i("SHLL CX, AX")
		g.i("DECL AX")
		g.i("KMOVW AX, K1")
	} else {
		g.i("SHLQ $2, CX")
		g.i("LEAQ dwMask<>+32(SB), AX")
		g.i("SUBQ CX, AX")
		g.i("VMOVUPS (AX), Y9")
	}
	g.i("MOVQ y+0(FP), DI")
	g.i("ADDQ R14, DI")
	g.i("MOVQ x+16(FP), SI")
	g.i("ADDQ R14, SI")
	g.i("MOVQ rows+56(FP), R13")
	g.p("eight:")
	g.i("CMPQ R13, $8")
	g.i("JL one")
	for k := range 8 {
		g.i("VXORPS %s, %s, %s", s.r(k), s.r(k), s.r(k))
	}
	g.i("XORQ CX, CX")
	g.p("tap8:")
	g.i("VBROADCASTSS (R10)(CX*4), %s", bc)
	g.i("MOVQ (R11)(CX*8), AX")
	g.i("LEAQ (SI)(AX*4), AX")
	g.i("LEAQ (AX)(R9*2), BX")
	g.i("ADDQ R9, BX")
	// Rows 0–2 from AX, 3–5 from BX = AX+3·ldx, 6–7 from BX+3·ldx.
	addrs := []string{"(AX)", "(AX)(R9*1)", "(AX)(R9*2)", "(BX)", "(BX)(R9*1)", "(BX)(R9*2)", "(BX)", "(BX)(R9*1)"}
	tmp := func(k int) string {
		if wide {
			return s.r(9 + k)
		}
		return s.r(10 + k%4)
	}
	for k := range 8 {
		if k == 6 {
			g.i("LEAQ (BX)(R9*2), BX")
			g.i("ADDQ R9, BX")
		}
		load(addrs[k], tmp(k))
		g.i("VMULPS %s, %s, %s", bc, tmp(k), tmp(k))
		g.i("VADDPS %s, %s, %s", tmp(k), s.r(k), s.r(k))
	}
	g.i("INCQ CX")
	g.i("CMPQ CX, R12")
	g.i("JL tap8")
	t := tmp(0)
	g.i("MOVBQZX add+72(FP), AX")
	g.i("MOVQ DI, BX")
	g.i("TESTQ AX, AX")
	g.i("JZ bias8")
	for k := range 8 {
		load("(BX)", t)
		g.i("VADDPS %s, %s, %s", t, s.r(k), s.r(k))
		if k < 7 {
			g.i("ADDQ R8, BX")
		}
	}
	g.i("MOVQ DI, BX")
	g.p("bias8:")
	g.i("MOVBQZX hasBias+80(FP), AX")
	g.i("TESTQ AX, AX")
	g.i("JZ set8")
	for k := range 8 {
		g.i("VADDPS %s, %s, %s", bias, s.r(k), s.r(k))
	}
	g.p("set8:")
	for k := range 8 {
		store(s.r(k), "(BX)")
		if k < 7 {
			g.i("ADDQ R8, BX")
		}
	}
	g.i("LEAQ (SI)(R9*8), SI")
	g.i("LEAQ (DI)(R8*8), DI")
	g.i("SUBQ $8, R13")
	g.i("JMP eight")
	g.p("one:")
	g.i("TESTQ R13, R13")
	g.i("JZ nextcol")
	g.i("VXORPS %s, %s, %s", s.r(0), s.r(0), s.r(0))
	g.i("XORQ CX, CX")
	g.p("tap1:")
	g.i("VBROADCASTSS (R10)(CX*4), %s", bc)
	g.i("MOVQ (R11)(CX*8), AX")
	load("(SI)(AX*4)", t)
	g.i("VMULPS %s, %s, %s", bc, t, t)
	g.i("VADDPS %s, %s, %s", t, s.r(0), s.r(0))
	g.i("INCQ CX")
	g.i("CMPQ CX, R12")
	g.i("JL tap1")
	g.i("MOVBQZX add+72(FP), AX")
	g.i("TESTQ AX, AX")
	g.i("JZ bias1")
	load("(DI)", t)
	g.i("VADDPS %s, %s, %s", t, s.r(0), s.r(0))
	g.p("bias1:")
	g.i("MOVBQZX hasBias+80(FP), AX")
	g.i("TESTQ AX, AX")
	g.i("JZ set1")
	g.i("VADDPS %s, %s, %s", bias, s.r(0), s.r(0))
	g.p("set1:")
	store(s.r(0), "(DI)")
	g.i("ADDQ R9, SI")
	g.i("ADDQ R8, DI")
	g.i("DECQ R13")
	g.i("JMP one")
	g.p("nextcol:")
	g.i("ADDQ $%d, R14", 4*lanes)
	g.i("SUBQ $%d, DX", lanes)
	g.i("JMP col")
	g.p("done:")
	g.i("VZEROUPPER")
	g.i("RET")
}

// dotTaps emits DotTaps's AVX-512 loop: eight taps at a time, each with
// its 32 partial sums in two registers, then single taps, each reduced
// as dotAVX2 reduces its sums so that the bits are Dot's.
func (g *gen) dotTaps() {
	g.p("")
	g.p("// func dotTapsAVX512(dst, y *float32, n int, x *float32, off *int, taps int)")
	g.p("//")
	g.p("// dst[t] += the dot product of y[:n] with x[off[t]:][:n] for each tap t,")
	g.p("// n a positive multiple of 32, with Dot's arithmetic: 32 partial sums,")
	g.p("// products rounded before they are added, then added pairwise. Taps go")
	g.p("// eight at a time (sixteen sums in registers), then one at a time.")
	g.p("TEXT ·dotTapsAVX512(SB), NOSPLIT, $0-48")
	g.i("MOVQ dst+0(FP), SI")
	g.i("MOVQ off+32(FP), DX")
	g.i("MOVQ taps+40(FP), R13")
	ptrs := []string{"R8", "R9", "R10", "R11", "R12", "R14", "BX", "AX"}
	g.p("eight:")
	g.i("CMPQ R13, $8")
	g.i("JL one")
	for k := range 16 {
		g.i("VXORPS Z%d, Z%d, Z%d", k, k, k)
	}
	g.i("MOVQ x+24(FP), DI")
	for k, r := range ptrs {
		g.i("MOVQ %d(DX), %s", 8*k, r)
		g.i("LEAQ (DI)(%s*4), %s", r, r)
	}
	g.i("MOVQ y+8(FP), DI")
	g.i("MOVQ n+16(FP), CX")
	g.i("SHRQ $5, CX")
	g.p("block8:")
	g.i("VMOVUPS (DI), Z16")
	g.i("VMOVUPS 64(DI), Z17")
	for k, r := range ptrs {
		g.i("VMULPS (%s), Z16, Z18", r)
		g.i("VADDPS Z18, Z%d, Z%d", 2*k, 2*k)
		g.i("VMULPS 64(%s), Z17, Z19", r)
		g.i("VADDPS Z19, Z%d, Z%d", 2*k+1, 2*k+1)
	}
	for _, r := range append(ptrs, "DI") {
		g.i("ADDQ $128, %s", r)
	}
	g.i("DECQ CX")
	g.i("JNZ block8")
	for k := range 8 {
		g.reduceTap(2*k, 2*k+1, 4*k)
	}
	g.i("ADDQ $32, SI")
	g.i("ADDQ $64, DX")
	g.i("SUBQ $8, R13")
	g.i("JMP eight")
	g.p("one:")
	g.i("TESTQ R13, R13")
	g.i("JZ done")
	g.i("VXORPS Z0, Z0, Z0")
	g.i("VXORPS Z1, Z1, Z1")
	g.i("MOVQ x+24(FP), DI")
	g.i("MOVQ (DX), AX")
	g.i("LEAQ (DI)(AX*4), AX")
	g.i("MOVQ y+8(FP), DI")
	g.i("MOVQ n+16(FP), CX")
	g.i("SHRQ $5, CX")
	g.p("block1:")
	g.i("VMOVUPS (DI), Z16")
	g.i("VMOVUPS 64(DI), Z17")
	g.i("VMULPS (AX), Z16, Z18")
	g.i("VADDPS Z18, Z0, Z0")
	g.i("VMULPS 64(AX), Z17, Z19")
	g.i("VADDPS Z19, Z1, Z1")
	g.i("ADDQ $128, AX")
	g.i("ADDQ $128, DI")
	g.i("DECQ CX")
	g.i("JNZ block1")
	g.reduceTap(0, 1, 0)
	g.i("ADDQ $4, SI")
	g.i("ADDQ $8, DX")
	g.i("DECQ R13")
	g.i("JMP one")
	g.p("done:")
	g.i("VZEROUPPER")
	g.i("RET")
}

// reduceTap adds the 32 partial sums in Za (lanes 0–15) and Zb (16–31)
// pairwise, lane l taking lane l+16, then l+8, l+4, l+2 and l+1, and adds
// the sum to the float32 at off(SI).
func (g *gen) reduceTap(a, b, off int) {
	g.i("VADDPS Z%d, Z%d, Z%d", b, a, a)
	g.i("VEXTRACTF64X4 $1, Z%d, Y20", a)
	g.i("VADDPS Y20, Y%d, Y%d", a, a)
	g.i("VEXTRACTF32X4 $1, Y%d, X21", a)
	g.i("VADDPS X21, X%d, X%d", a, a)
	g.i("VMOVHLPS X%d, X%d, X21", a, a)
	g.i("VADDPS X21, X%d, X%d", a, a)
	g.i("VMOVSHDUP X%d, X21", a)
	g.i("VADDSS X21, X%d, X%d", a, a)
	g.i("VADDSS %d(SI), X%d, X%d", off, a, a)
	g.i("VMOVSS X%d, %d(SI)", a, off)
}

// frameRows emits FrameRows's AVX-512 loop: sixteen columns at a time, a
// load masked to the columns in [lo, hi), whose other lanes read nothing
// and come back zero, then a store masked to the columns below cols.
func (g *gen) frameRows() {
	g.p("")
	g.p("// func frameRowsAVX512(dst *float32, ldd int, src *float32, lds int, rows, lo, hi, cols int)")
	g.p("//")
	g.p("// Sixteen columns at a time: a load masked to the columns in [lo, hi),")
	g.p("// whose other lanes read nothing and come back zero, then a store")
	g.p("// masked to the columns below cols.")
	g.p("TEXT ·frameRowsAVX512(SB), NOSPLIT, $0-64")
	g.i("MOVQ ldd+8(FP), R8")
	g.i("SHLQ $2, R8")
	g.i("MOVQ lds+24(FP), R9")
	g.i("SHLQ $2, R9")
	g.i("MOVQ lo+40(FP), R10")
	g.i("MOVQ hi+48(FP), R11")
	g.i("MOVQ cols+56(FP), R12")
	g.i("XORQ R13, R13")
	g.p("chunk:")
	g.i("CMPQ R13, R12")
	g.i("JGE done")
	// K2: the columns below cols in this chunk.
	g.i("MOVQ R12, CX")
	g.i("SUBQ R13, CX")
	g.i("CMPQ CX, $16")
	g.i("JLE smask")
	g.i("MOVQ $16, CX")
	g.p("smask:")
	g.i("MOVL $1, AX")
	g.i("SHLL CX, AX")
	g.i("DECL AX")
	g.i("KMOVW AX, K2")
	// K1: the lanes below hi, less those below lo, each count clamped
	// to [0, 16].
	clamp := func(bound string) {
		g.i("MOVQ %s, CX", bound)
		g.i("SUBQ R13, CX")
		g.i("MOVQ $0, DX")
		g.i("CMPQ CX, $0")
		g.i("CMOVQLT DX, CX")
		g.i("MOVQ $16, DX")
		g.i("CMPQ CX, $16")
		g.i("CMOVQGT DX, CX")
	}
	clamp("R11")
	g.i("MOVL $1, AX")
	g.i("SHLL CX, AX")
	g.i("DECL AX")
	clamp("R10")
	g.i("MOVL $1, BX")
	g.i("SHLL CX, BX")
	g.i("DECL BX")
	g.i("NOTL BX")
	g.i("ANDL BX, AX")
	g.i("KMOVW AX, K1")
	g.i("MOVQ dst+0(FP), DI")
	g.i("LEAQ (DI)(R13*4), DI")
	g.i("MOVQ R13, AX")
	g.i("SUBQ R10, AX")
	g.i("MOVQ src+16(FP), SI")
	g.i("LEAQ (SI)(AX*4), SI")
	g.i("MOVQ rows+32(FP), CX")
	g.p("row:")
	g.i("TESTQ CX, CX")
	g.i("JZ next")
	g.i("VMOVUPS.Z (SI), K1, Z0")
	g.i("VMOVUPS Z0, K2, (DI)")
	g.i("ADDQ R9, SI")
	g.i("ADDQ R8, DI")
	g.i("DECQ CX")
	g.i("JMP row")
	g.p("next:")
	g.i("ADDQ $16, R13")
	g.i("JMP chunk")
	g.p("done:")
	g.i("VZEROUPPER")
	g.i("RET")
}
