package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// int8Ref is the plain definition the packed kernels must reproduce: the
// int32 sums Σ_k a[r][k]·w[o][k].
func int8Ref(m, out, in int, a []uint8, lda int, w []int8) []int32 {
	c := make([]int32, m*out)
	for r := range m {
		for o := range out {
			var s int32
			for k := range in {
				s += int32(a[r*lda+k]) * int32(w[o*in+k])
			}
			c[r*out+o] = s
		}
	}
	return c
}

// TestInt8KernelsMatchReference runs every int8 kernel this machine has
// (VNNI, AVX2, Go) over sizes that leave partial panels, groups and row
// blocks, and over the worst case for VPMADDUBSW's int16 pair sums (all
// activations 127 against weights of −128 or 127), and checks the sums
// exactly.
func TestInt8KernelsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	type fill struct {
		name string
		a    func() uint8
		w    func() int8
	}
	fills := []fill{
		{"random", func() uint8 { return uint8(r.IntN(128)) }, func() int8 { return int8(r.IntN(256) - 128) }},
		{"max-neg", func() uint8 { return 127 }, func() int8 { return -128 }},
		{"max-pos", func() uint8 { return 127 }, func() int8 { return 127 }},
	}
	for _, arch := range int8Archs() {
		for _, f := range fills {
			for _, sz := range [][3]int{{1, 1, 1}, {1, 10, 784}, {7, 17, 5}, {13, 65, 33}, {6, 64, 8}, {5, 130, 259}, {25, 256, 784}} {
				m, out, in := sz[0], sz[1], sz[2]
				w := make([]int8, out*in)
				for i := range w {
					w[i] = f.w()
				}
				pw := PackInt8(w, out, in)
				lda := pw.groups*4 + 3
				a := make([]uint8, m*lda)
				for i := range a {
					a[i] = f.a()
				}
				// Padding bytes of a meet zero weights: any value works.
				opad := len(pw.panels) / (pw.groups * 64) * 16
				c := make([]int32, m*opad)
				int8GemmWith(arch, m, a, lda, pw, c, opad)
				want := int8Ref(m, out, in, a, lda, w)
				for i := range m {
					for o := range out {
						if got := c[i*opad+o]; got != want[i*out+o] {
							t.Fatalf("%s %s m=%d out=%d in=%d: c[%d][%d] = %d, want %d", arch.name, f.name, m, out, in, i, o, got, want[i*out+o])
						}
					}
				}
			}
		}
	}
}

// TestQuantizeRow checks the affine 7-bit map against its definition in
// float64: every value comes back within half a step, zero exactly, and
// the codes span 0…127.
func TestQuantizeRow(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		x    func(i int) float32
	}{
		{"mixed", func(int) float32 { return float32(r.NormFloat64() * 3) }},
		{"positive", func(int) float32 { return float32(r.Float64() * 5) }},
		{"negative", func(int) float32 { return -float32(r.Float64() * 0.01) }},
		{"relu", func(i int) float32 { return max(0, float32(r.NormFloat64())) }},
	} {
		x := make([]float32, 300)
		for i := range x {
			x[i] = tc.x(i)
		}
		x[17] = 0
		q := make([]uint8, len(x))
		s, z := QuantizeRow(q, x)
		if s <= 0 || z < 0 || z > 127 {
			t.Fatalf("%s: scale %v zero %d", tc.name, s, z)
		}
		if q[17] != uint8(z) {
			t.Errorf("%s: 0 quantized to %d, want the zero point %d", tc.name, q[17], z)
		}
		for i, v := range x {
			back := float64(s) * float64(int32(q[i])-z)
			if q[i] > 127 || math.Abs(back-float64(v)) > 0.5001*float64(s) {
				t.Fatalf("%s: x[%d] = %v quantized to %d, back %v (scale %v, zero %d)", tc.name, i, v, q[i], back, s, z)
			}
		}
	}
	q := make([]uint8, 3)
	if s, z := QuantizeRow(q, []float32{0, 0, 0}); s != 0 || z != 0 || q[0] != 0 {
		t.Errorf("zeros: scale %v zero %d q %v", s, z, q)
	}
	if s, _ := QuantizeRow(q, []float32{1, float32(math.Inf(1)), 0}); !math.IsNaN(float64(s)) {
		t.Errorf("Inf: scale %v, want NaN", s)
	}
	if s, _ := QuantizeRow(q, []float32{1, float32(math.NaN()), 0}); !math.IsNaN(float64(s)) {
		t.Errorf("NaN: scale %v, want NaN", s)
	}
}

// TestInt8Linear checks the whole product against the float product of
// the dequantized weights: the error of each output is bounded by the
// activation rounding, half a step per input, times the weights' sizes.
// It also checks that every kernel gives the same bits.
func TestInt8Linear(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	m, in, out := 100, 37, 21
	x := make([]float32, m*in)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	w := make([]int8, out*in)
	for i := range w {
		w[i] = int8(r.IntN(255) - 127)
	}
	ws := make([]float32, out)
	bias := make([]float32, out)
	for o := range ws {
		ws[o] = float32(0.001 + r.Float64()*0.01)
		bias[o] = float32(r.NormFloat64())
	}
	pw := PackInt8(w, out, in)
	var first []float32
	savedVec := useInt8Vec
	defer func() { useInt8Vec = savedVec }()
	for i, arch := range append(int8Archs(), goInt8) {
		saved := bestInt8
		bestInt8 = arch
		// The last round is all Go: the Go kernel and the Go loops
		// around it.
		useInt8Vec = savedVec && i < len(int8Archs())
		y := make([]float32, m*out)
		Int8Linear(y, x, m, pw, ws, bias, &Int8Scratch{})
		bestInt8 = saved
		q := make([]uint8, in)
		for i := range m {
			s, _ := QuantizeRow(q, x[i*in:(i+1)*in])
			for o := range out {
				want, bound := float64(bias[o]), 0.0
				for k := range in {
					wk := float64(w[o*in+k]) * float64(ws[o])
					want += float64(x[i*in+k]) * wk
					bound += 0.5 * float64(s) * math.Abs(wk)
				}
				got := float64(y[i*out+o])
				if math.Abs(got-want) > bound*1.01+1e-5 {
					t.Fatalf("%s: y[%d][%d] = %v, want %v ± %v", arch.name, i, o, got, want, bound)
				}
			}
		}
		if first == nil {
			first = y
			continue
		}
		for i := range y {
			if math.Float32bits(y[i]) != math.Float32bits(first[i]) {
				t.Fatalf("%s: y[%d] = %v, but %s gives %v", arch.name, i, y[i], int8Archs()[0].name, first[i])
			}
		}
	}
}

// TestInt8VectorLoopsMatchGo checks the vector loops around the product
// (range, quantization, rescaling) against their Go twins bit for bit, on
// lengths that leave tails, with −0, NaN, ±Inf and huge values among the
// inputs, with and without a bias.
func TestInt8VectorLoopsMatchGo(t *testing.T) {
	if !useInt8Vec {
		t.Skip("no vector loops on this machine or build")
	}
	defer func() { useInt8Vec = true }()
	r := rand.New(rand.NewPCG(5, 6))
	special := []float32{float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 3e38, -3e38, 1e-40}
	for _, n := range []int{1, 7, 8, 15, 16, 17, 33, 784} {
		for trial := range 12 {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(r.NormFloat64() * math.Pow(10, float64(trial%5-2)))
				if trial%4 == 3 {
					x[i] = max(x[i], 0) // a ReLU's output
				}
			}
			if trial >= 8 {
				x[r.IntN(n)] = special[(trial+n)%len(special)]
			}
			if trial == 7 {
				clear(x)
				x[0] = float32(math.Copysign(0, -1))
			}
			var qs [2][]uint8
			var ss [2]float32
			var zs [2]int32
			for v := range 2 {
				useInt8Vec = v == 0
				qs[v] = make([]uint8, n)
				ss[v], zs[v] = QuantizeRow(qs[v], x)
			}
			if math.Float32bits(ss[0]) != math.Float32bits(ss[1]) || zs[0] != zs[1] || string(qs[0]) != string(qs[1]) {
				t.Fatalf("n=%d trial %d: vector scale %v zero %d q %v; Go scale %v zero %d q %v", n, trial, ss[0], zs[0], qs[0], ss[1], zs[1], qs[1])
			}
			acc := make([]int32, n)
			colSum := make([]int32, n)
			ws := make([]float32, n)
			bias := make([]float32, n)
			for i := range acc {
				acc[i] = int32(r.Uint32())
				colSum[i] = int32(r.IntN(1 << 16))
				ws[i] = float32(r.Float64() * 0.01)
				bias[i] = float32(r.NormFloat64())
			}
			for _, b := range [][]float32{bias, nil} {
				var ys [2][]float32
				for v := range 2 {
					useInt8Vec = v == 0
					ys[v] = make([]float32, n)
					done := int8RescaleBlocks(ys[v], acc, colSum, ws, b, ss[0], zs[0]+3)
					for o := done; o < n; o++ {
						val := float32(float32(acc[o]-(zs[0]+3)*colSum[o]) * float32(ss[0]*ws[o]))
						if b != nil {
							val += b[o]
						}
						ys[v][o] = val
					}
				}
				for i := range ys[0] {
					if math.Float32bits(ys[0][i]) != math.Float32bits(ys[1][i]) {
						t.Fatalf("rescale n=%d: vector %v, Go %v at %d", n, ys[0][i], ys[1][i], i)
					}
				}
			}
		}
	}
}

func BenchmarkInt8Linear(b *testing.B) {
	for _, arch := range int8Archs() {
		for _, m := range []int{1, 1024} {
			b.Run(fmt.Sprintf("%s/784x256/m=%d", arch.name, m), func(b *testing.B) {
				in, out := 784, 256
				x := make([]float32, m*in)
				for i := range x {
					x[i] = float32(i%13) - 4
				}
				w := make([]int8, out*in)
				for i := range w {
					w[i] = int8(i%251 - 125)
				}
				pw := PackInt8(w, out, in)
				ws := make([]float32, out)
				for i := range ws {
					ws[i] = 0.01
				}
				y := make([]float32, m*out)
				s := &Int8Scratch{}
				saved := bestInt8
				bestInt8 = arch
				defer func() { bestInt8 = saved }()
				b.ReportAllocs()
				b.SetBytes(int64(in * out))
				for b.Loop() {
					Int8Linear(y, x, m, pw, ws, nil, s)
				}
				b.ReportMetric(float64(2*m*in*out)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOP/s")
			})
		}
	}
}

// TestSetInt8ISA checks that SetInt8ISA switches the int8 path and that
// its restore function puts the previous one back.
func TestSetInt8ISA(t *testing.T) {
	before, vec := Int8ISA(), useInt8Vec
	for _, name := range Int8ISAs() {
		restore := SetInt8ISA(name)
		if got := Int8ISA(); got != name {
			t.Errorf("SetInt8ISA(%q): Int8ISA() = %q", name, got)
		}
		if name == "go" && useInt8Vec {
			t.Errorf(`SetInt8ISA("go") left the vector loops on`)
		}
		restore()
		if Int8ISA() != before || useInt8Vec != vec {
			t.Errorf("after restore: %s, vector loops %v; want %s, %v", Int8ISA(), useInt8Vec, before, vec)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error(`SetInt8ISA("neon") did not panic`)
		}
	}()
	SetInt8ISA("neon")
}
