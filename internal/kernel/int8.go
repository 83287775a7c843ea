package kernel

import (
	"fmt"
	"math"
)

// Int8Matrix is an int8 weight matrix W [Out, In] packed for Int8Linear.
// Outputs go in panels of 16, padded with zero weights to a multiple of 64
// outputs; inputs go in groups of 4, padded with zeros to a multiple of 4.
// Within a panel, each group of inputs takes 64 bytes: output j's four
// weights at bytes 4j…4j+3.
type Int8Matrix struct {
	Out, In int
	groups  int    // ⌈In/4⌉
	panels  []int8 // ⌈Out/64⌉·4 panels of groups·64 bytes
	colSum  []int32
}

// int8Block is the number of outputs the packing pads to: the widest
// kernel's.
const int8Block = 64

// PackInt8 packs w [out, in] (row-major, PyTorch's Linear layout) for
// Int8Linear. It panics if a size is not positive or w is too short.
func PackInt8(w []int8, out, in int) *Int8Matrix {
	if out <= 0 || in <= 0 || len(w) < out*in {
		panic(fmt.Sprintf("kernel: PackInt8: %d weights for [%d %d]", len(w), out, in))
	}
	m := &Int8Matrix{Out: out, In: in, groups: (in + 3) / 4, colSum: make([]int32, out)}
	npan := (out + int8Block - 1) / int8Block * (int8Block / 16)
	m.panels = make([]int8, npan*m.groups*64)
	for o := range out {
		p, j := o/16, o%16
		panel := m.panels[p*m.groups*64:]
		var s int32
		for k, v := range w[o*in : o*in+in] {
			panel[k/4*64+4*j+k%4] = v
			s += int32(v)
		}
		m.colSum[o] = s
	}
	return m
}

// Int8Scratch holds the working buffers of Int8Linear, so that repeated
// calls do not allocate. The zero value is ready to use; one goroutine at
// a time may use it.
type Int8Scratch struct {
	q     []uint8
	scale []float32
	zero  []int32
	acc   []int32
}

// int8Chunk is how many rows Int8Linear quantizes and multiplies at a
// time, so that their activations and sums stay in cache.
const int8Chunk = 48

// quantMax is the largest quantized activation: 7 bits, as PyTorch's
// fbgemm backend quantizes dynamically (reduce_range), which keeps the
// int16 pair sums of VPMADDUBSW from saturating.
const quantMax = 127

// QuantizeRow quantizes x to 7-bit unsigned integers with an affine map
// chosen from x's own range, as PyTorch's dynamic quantization does:
//
//	lo, hi := min(0, min(x)), max(0, max(x))
//	scale = (hi − lo) / 127
//	zero = clamp(roundEven(−lo / scale), 0, 127)
//	q[i] = clamp(roundEven(x[i] · (1/scale)) + zero, 0, 127)
//
// so that x[i] ≈ scale · (q[i] − zero), with 0 exact. A row whose range
// is below 1e-30 (all zeros) gets scale 0 and q = 0; a row holding NaN or
// ±Inf gets scale NaN, so its outputs are NaN.
func QuantizeRow(q []uint8, x []float32) (scale float32, zero int32) {
	q = q[:len(x)]
	done, lo, hi, finite := int8RangeBlocks(x)
	for _, v := range x[done:] {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
		if v-v != 0 {
			finite = false
		}
	}
	if !finite || hi-lo > math.MaxFloat32 {
		clear(q)
		return float32(math.NaN()), 0
	}
	scale = (hi - lo) / quantMax
	if scale < 1e-30/quantMax {
		clear(q)
		return 0, 0
	}
	inv := 1 / scale
	zero = int32(clampQ(roundEven(-lo * inv)))
	z := float32(zero)
	done = int8QuantizeBlocks(q, x, inv, z)
	for i, v := range x[done:] {
		q[done+i] = uint8(clampQ(roundEven(float32(v*inv)) + z))
	}
	return scale, zero
}

// roundEven rounds v (|v| < 2²²) to the nearest integer, ties to even,
// by the float32 magic number: adding 1.5·2²³ leaves no fraction bits.
func roundEven(v float32) float32 {
	const magic = 1.5 * (1 << 23)
	return float32(v+magic) - magic
}

func clampQ(v float32) float32 {
	if !(v > 0) {
		return 0
	}
	return min(v, quantMax)
}

// Int8Linear computes y = x·Wᵀ + bias in integer arithmetic: x [m, In] is
// quantized row by row with QuantizeRow, multiplied by the int8 weights w
// with int32 sums, and scaled back with the per-output weight scales
// wScale [Out]. bias may be nil. y is [m, Out].
//
// Reference loop:
//
//	for r := range m {
//		s, z := QuantizeRow(q, x[r*In:(r+1)*In])
//		for o := range Out {
//			var acc int32
//			for k := range In { acc += (int32(q[k]) − z) · int32(W[o][k]) }
//			y[r*Out+o] = float32(float32(acc) · float32(s·wScale[o])) + bias[o]
//		}
//	}
//
// The sums are exact integers (they wrap only beyond 2³¹, at In > 133,000),
// so every implementation, assembly or Go, gives the same bits.
func Int8Linear(y, x []float32, m int, w *Int8Matrix, wScale, bias []float32, s *Int8Scratch) {
	in, out := w.In, w.Out
	if m == 0 {
		return
	}
	_ = x[m*in-1]
	_ = y[m*out-1]
	_ = wScale[out-1]
	if bias != nil {
		_ = bias[out-1]
	}
	if s == nil {
		s = &Int8Scratch{}
	}
	ld := w.groups * 4
	opad := len(w.panels) / (w.groups * 64) * 16
	chunk := min(m, int8Chunk)
	s.q = resize(s.q, chunk*ld)
	s.scale = resize(s.scale, chunk)
	s.zero = resize(s.zero, chunk)
	s.acc = resize(s.acc, chunk*opad)
	for lo := 0; lo < m; lo += chunk {
		n := min(chunk, m-lo)
		for r := range n {
			row := s.q[r*ld : (r+1)*ld]
			s.scale[r], s.zero[r] = QuantizeRow(row, x[(lo+r)*in:(lo+r+1)*in])
			clear(row[in:])
		}
		int8Gemm(n, s.q, ld, w, s.acc, opad)
		for r := range n {
			acc := s.acc[r*opad : r*opad+out]
			yr := y[(lo+r)*out : (lo+r+1)*out]
			xs, z := s.scale[r], s.zero[r]
			done := int8RescaleBlocks(yr, acc, w.colSum, wScale, bias, xs, z)
			for o := done; o < out; o++ {
				a := acc[o]
				v := float32(float32(a-z*w.colSum[o]) * float32(xs*wScale[o]))
				if bias != nil {
					v += bias[o]
				}
				yr[o] = v
			}
		}
	}
}

func resize[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// int8Arch is one implementation of the int8 product: a kernel taking up
// to rows rows of activations and width outputs per call.
type int8Arch struct {
	name   string
	rows   int
	width  int
	kernel func(rows int, a []uint8, lda int, b []int8, groups, pstride int, c []int32, ldc int)
}

// int8Gemm writes the int32 sums Σ_k a[r·lda+k]·W[o][k] into c[r·ldc+o]
// for r < m and every padded output o, using the best kernels.
func int8Gemm(m int, a []uint8, lda int, w *Int8Matrix, c []int32, ldc int) {
	int8GemmWith(bestInt8, m, a, lda, w, c, ldc)
}

func int8GemmWith(arch *int8Arch, m int, a []uint8, lda int, w *Int8Matrix, c []int32, ldc int) {
	pstride := w.groups * 64
	npan := len(w.panels) / pstride
	step := arch.width / 16
	for p := 0; p < npan; p += step {
		b := w.panels[p*pstride:]
		for r := 0; r < m; r += arch.rows {
			n := min(arch.rows, m-r)
			arch.kernel(n, a[r*lda:], lda, b, w.groups, pstride, c[r*ldc+p*16:], ldc)
		}
	}
}

// int8KernelGo is the portable kernel: rows × 16 outputs (one panel),
// two rows and four outputs at a time so that the eight sums stay in
// registers and each weight loaded serves both rows (an odd last row
// goes alone).
func int8KernelGo(rows int, a []uint8, lda int, b []int8, groups, _ int, c []int32, ldc int) {
	b = b[:groups*64]
	r := 0
	for ; r+1 < rows; r += 2 {
		a0 := a[r*lda : r*lda+groups*4]
		a1 := a[(r+1)*lda : (r+1)*lda+groups*4]
		for j := 0; j < 16; j += 4 {
			var s00, s01, s02, s03, s10, s11, s12, s13 int32
			for g := range groups {
				x := a0[4*g : 4*g+4 : 4*g+4]
				y := a1[4*g : 4*g+4 : 4*g+4]
				w := b[g*64+4*j : g*64+4*j+16 : g*64+4*j+16]
				x0, x1, x2, x3 := int32(x[0]), int32(x[1]), int32(x[2]), int32(x[3])
				y0, y1, y2, y3 := int32(y[0]), int32(y[1]), int32(y[2]), int32(y[3])
				w0, w1, w2, w3 := int32(w[0]), int32(w[1]), int32(w[2]), int32(w[3])
				s00 += x0*w0 + x1*w1 + x2*w2 + x3*w3
				s10 += y0*w0 + y1*w1 + y2*w2 + y3*w3
				w0, w1, w2, w3 = int32(w[4]), int32(w[5]), int32(w[6]), int32(w[7])
				s01 += x0*w0 + x1*w1 + x2*w2 + x3*w3
				s11 += y0*w0 + y1*w1 + y2*w2 + y3*w3
				w0, w1, w2, w3 = int32(w[8]), int32(w[9]), int32(w[10]), int32(w[11])
				s02 += x0*w0 + x1*w1 + x2*w2 + x3*w3
				s12 += y0*w0 + y1*w1 + y2*w2 + y3*w3
				w0, w1, w2, w3 = int32(w[12]), int32(w[13]), int32(w[14]), int32(w[15])
				s03 += x0*w0 + x1*w1 + x2*w2 + x3*w3
				s13 += y0*w0 + y1*w1 + y2*w2 + y3*w3
			}
			cr := c[r*ldc+j : r*ldc+j+4 : r*ldc+j+4]
			cr[0], cr[1], cr[2], cr[3] = s00, s01, s02, s03
			cr = c[(r+1)*ldc+j : (r+1)*ldc+j+4 : (r+1)*ldc+j+4]
			cr[0], cr[1], cr[2], cr[3] = s10, s11, s12, s13
		}
	}
	if r < rows {
		a0 := a[r*lda : r*lda+groups*4]
		for j := 0; j < 16; j += 4 {
			var s0, s1, s2, s3 int32
			for g := range groups {
				x := a0[4*g : 4*g+4 : 4*g+4]
				w := b[g*64+4*j : g*64+4*j+16 : g*64+4*j+16]
				x0, x1, x2, x3 := int32(x[0]), int32(x[1]), int32(x[2]), int32(x[3])
				s0 += x0*int32(w[0]) + x1*int32(w[1]) + x2*int32(w[2]) + x3*int32(w[3])
				s1 += x0*int32(w[4]) + x1*int32(w[5]) + x2*int32(w[6]) + x3*int32(w[7])
				s2 += x0*int32(w[8]) + x1*int32(w[9]) + x2*int32(w[10]) + x3*int32(w[11])
				s3 += x0*int32(w[12]) + x1*int32(w[13]) + x2*int32(w[14]) + x3*int32(w[15])
			}
			cr := c[r*ldc+j : r*ldc+j+4 : r*ldc+j+4]
			cr[0], cr[1], cr[2], cr[3] = s0, s1, s2, s3
		}
	}
}

var goInt8 = &int8Arch{name: "go", rows: 4, width: 16, kernel: int8KernelGo}

// bestInt8 is the fastest int8 kernel this machine runs.
var bestInt8 = int8Archs()[0]

// Int8ISA names the int8 kernel in use: "vnni" (AVX-512 VNNI), "avx2" or
// "go".
func Int8ISA() string { return bestInt8.name }

// int8VecDefault is the choice of vector loops around the int8 product
// that this machine makes, which SetInt8ISA restores.
var int8VecDefault = useInt8Vec

// Int8ISAs names the int8 kernel paths this build can run, best first:
// some of "vnni" and "avx2", then "go" (the Go kernel with the Go loops
// around it). Every path gives the same bits.
func Int8ISAs() []string {
	var names []string
	for _, a := range int8Archs() {
		names = append(names, a.name)
	}
	return names
}

// SetInt8ISA makes Int8Linear run the path named (one of Int8ISAs), so
// that tests elsewhere can compare the paths, and returns a function that
// restores the previous choice. It must not run while Int8Linear does. It
// panics if the name is not one of Int8ISAs.
func SetInt8ISA(name string) (restore func()) {
	savedArch, savedVec := bestInt8, useInt8Vec
	for _, a := range int8Archs() {
		if a.name == name {
			bestInt8, useInt8Vec = a, int8VecDefault && a != goInt8
			return func() { bestInt8, useInt8Vec = savedArch, savedVec }
		}
	}
	panic(fmt.Sprintf("kernel: SetInt8ISA: no int8 path %q here (have %v)", name, Int8ISAs()))
}
