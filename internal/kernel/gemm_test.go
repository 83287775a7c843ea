package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// refGemm is the definition of Gemm, summed in float64.
// It also returns, per element, the root of the sum of the squared terms:
// the scale that rounding errors grow with.
func refGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) (out, scale []float64) {
	out = make([]float64, m*n)
	scale = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, sq float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				t := float64(av) * float64(bv)
				s += t
				sq += t * t
			}
			if accumulate {
				s += float64(c[i*ldc+j])
				sq += float64(c[i*ldc+j]) * float64(c[i*ldc+j])
			}
			out[i*n+j] = s
			scale[i*n+j] = math.Sqrt(sq)
		}
	}
	return out, scale
}

func randSlice(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = r.Float32()*2 - 1
	}
	return x
}

// withArch runs f with Gemm using each implementation this machine has.
func withArch(t *testing.T, f func(t *testing.T)) {
	saved := arch
	defer func() { arch = saved }()
	for _, g := range allArchs() {
		arch = g
		t.Run(g.name, f)
	}
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	pad            int // extra stride beyond the logical width
	accumulate     bool
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%v,tB=%v,%dx%dx%d,pad=%d,acc=%v", tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.pad, tc.accumulate)
}

// operands builds random operands for tc, with stride padding filled with
// NaN so that reading it shows up in the result.
func (tc gemmCase) operands(r *rand.Rand) (a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	rowsA, colsA := tc.m, tc.k
	if tc.transA {
		rowsA, colsA = tc.k, tc.m
	}
	rowsB, colsB := tc.k, tc.n
	if tc.transB {
		rowsB, colsB = tc.n, tc.k
	}
	lda, ldb, ldc = colsA+tc.pad, colsB+tc.pad, tc.n+tc.pad
	fill := func(rows, cols, ld int) []float32 {
		x := make([]float32, rows*ld)
		nan := float32(math.NaN())
		for i := 0; i < rows; i++ {
			for j := 0; j < ld; j++ {
				if j < cols {
					x[i*ld+j] = r.Float32()*2 - 1
				} else {
					x[i*ld+j] = nan
				}
			}
		}
		return x
	}
	a, b = fill(rowsA, colsA, lda), fill(rowsB, colsB, ldb)
	c = fill(tc.m, tc.n, ldc)
	if !tc.accumulate {
		// C's old contents must be ignored entirely.
		for i := range c {
			c[i] = float32(math.NaN())
		}
	}
	return a, lda, b, ldb, c, ldc
}

func gemmCases() []gemmCase {
	sizes := [][3]int{
		{1, 1, 1}, {1, 7, 17}, {7, 1, 17}, {7, 7, 7}, {17, 17, 17}, {33, 33, 33},
		{1, 784, 256}, {1, 256, 784}, {1, 33, 513}, {2, 33, 513},
		{14, 32, 256}, {15, 33, 257}, {28, 64, 512},
		{7, 513, 33}, {513, 7, 33}, {33, 7, 513}, {64, 256, 784},
		{255, 255, 255}, {5, 3, 0}, {1, 5, 0},
	}
	var cs []gemmCase
	if !testing.Short() {
		for _, tr := range [4][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			cs = append(cs, gemmCase{tr[0], tr[1], 513, 513, 513, 3, tr[0]}, gemmCase{tr[0], tr[1], 100, 1100, 300, 0, tr[1]})
		}
	}
	for _, s := range sizes {
		for _, tr := range [4][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			for _, pad := range []int{0, 3} {
				for _, acc := range []bool{false, true} {
					cs = append(cs, gemmCase{tr[0], tr[1], s[0], s[1], s[2], pad, acc})
				}
			}
		}
	}
	return cs
}

// checkGemm runs tc with each implementation in archs against one
// reference result.
func checkGemm(t *testing.T, tc gemmCase, seed uint64, archs []*gemmArch) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	a, lda, b, ldb, c0, ldc := tc.operands(r)
	want, scale := refGemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, c0, ldc, tc.accumulate)
	rel := 1e-5 * math.Sqrt(float64(tc.k)+1)
	saved := arch
	defer func() { arch = saved }()
	for _, g := range archs {
		arch = g
		c := append([]float32(nil), c0...)
		Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, c, ldc, tc.accumulate)
		for i := 0; i < tc.m; i++ {
			for j := 0; j < ldc; j++ {
				got := c[i*ldc+j]
				if j >= tc.n {
					if math.Float32bits(got) != math.Float32bits(c0[i*ldc+j]) {
						t.Fatalf("%s %v: C[%d,%d] beyond the width was written: %v", g.name, tc, i, j, got)
					}
					continue
				}
				w := want[i*tc.n+j]
				tol := rel * math.Max(math.Abs(w), scale[i*tc.n+j])
				if d := math.Abs(float64(got) - w); !(d <= tol) {
					t.Fatalf("%s %v: C[%d,%d] = %v, want %v (diff %g, tol %g)", g.name, tc, i, j, got, w, d, tol)
				}
			}
		}
	}
}

// TestGemm checks every implementation this machine can run (the AVX-512
// and AVX2 kernels, where present, and the pure-Go one) on awkward sizes,
// all four transpose combinations, padded strides, and both modes.
func TestGemm(t *testing.T) {
	archs := allArchs()
	if goArch.mr != 4 {
		// The 4×4 Go kernel serves other targets; check it here too.
		g := *goArch
		g.name, g.mr, g.kernel = "go4x4", 4, gemmKernelGo4x4
		archs = append(archs, &g)
	}
	for i, tc := range gemmCases() {
		checkGemm(t, tc, uint64(i), archs)
	}
}

// TestGemmParallel checks sizes large enough to be split across workers,
// with enough workers to split them many ways.
func TestGemmParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for i, s := range [][3]int{{300, 200, 100}, {64, 784, 256}, {256, 784, 64}, {20, 2000, 100}, {2000, 20, 100}, {3, 20, 60000}} {
		for _, tr := range [4][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			checkGemm(t, gemmCase{tr[0], tr[1], s[0], s[1], s[2], 1, i%2 == 0}, uint64(i), allArchs())
		}
	}
}

// TestGemmDeterministic checks that the number of threads does not change
// a single bit of the result, and that GemmSerial matches Gemm.
func TestGemmDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	withArch(t, func(t *testing.T) {
		for i, tc := range []gemmCase{
			{false, false, 300, 301, 600, 0, false},
			{false, true, 64, 256, 784, 0, true},
			{true, false, 256, 784, 64, 2, false},
			{true, true, 129, 130, 515, 1, true},
		} {
			var first []float32
			for _, procs := range []int{1, 2, 3, 4} {
				runtime.GOMAXPROCS(procs)
				r := rand.New(rand.NewPCG(uint64(i), 2))
				a, lda, b, ldb, c, ldc := tc.operands(r)
				serial := append([]float32(nil), c...)
				Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, c, ldc, tc.accumulate)
				// GemmSerial, which never shares the work, gives the same bits.
				GemmSerial(tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, serial, ldc, tc.accumulate)
				if first == nil {
					first = c
				}
				for e := range c {
					if math.Float32bits(c[e]) != math.Float32bits(first[e]) {
						t.Fatalf("%v: GOMAXPROCS=%d gives C[%d] = %v, GOMAXPROCS=1 gave %v", tc, procs, e, c[e], first[e])
					}
					if math.Float32bits(serial[e]) != math.Float32bits(first[e]) {
						t.Fatalf("%v: GemmSerial at GOMAXPROCS=%d gives C[%d] = %v, Gemm gave %v", tc, procs, e, serial[e], first[e])
					}
				}
			}
		}
	})
}

// TestGemmKernelsAgree checks that the assembly kernels, which all sum with
// fused multiply-adds in the same order, give identical bits.
func TestGemmKernelsAgree(t *testing.T) {
	var fma []*gemmArch
	for _, g := range allArchs() {
		if g != goArch {
			fma = append(fma, g)
		}
	}
	if len(fma) < 2 {
		t.Skip("fewer than two fused multiply-add kernels on this machine")
	}
	saved := arch
	defer func() { arch = saved }()
	for i, tc := range []gemmCase{{false, false, 100, 200, 600, 1, true}, {true, true, 37, 45, 300, 0, false}, {false, false, 1, 45, 300, 0, false}} {
		var first []float32
		for _, g := range fma {
			arch = g
			r := rand.New(rand.NewPCG(uint64(i), 3))
			a, lda, b, ldb, c, ldc := tc.operands(r)
			Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, c, ldc, tc.accumulate)
			if first == nil {
				first = c
				continue
			}
			for e := range c {
				if math.Float32bits(c[e]) != math.Float32bits(first[e]) {
					t.Fatalf("%v: %s gives C[%d] = %v, %s gave %v", tc, g.name, e, c[e], fma[0].name, first[e])
				}
			}
		}
	}
}

func TestGemmPanics(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	x := make([]float32, 12)
	mustPanic("short A", func() { Gemm(false, false, 4, 3, 4, x, 4, x, 3, x, 3, false) })
	mustPanic("short C", func() { Gemm(false, false, 4, 4, 3, x, 3, x, 4, x[:15], 4, false) })
	mustPanic("small stride", func() { Gemm(false, false, 2, 3, 4, x, 3, x, 3, x, 3, false) })
	mustPanic("negative", func() { Gemm(false, false, -1, 3, 4, x, 4, x, 3, x, 3, false) })
}

func TestGemmNoAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts need a warm pool that keeps its buffers")
	}
	r := rand.New(rand.NewPCG(9, 9))
	for _, s := range [][3]int{{1, 784, 256}, {64, 256, 784}, {200, 200, 200}} {
		m, n, k := s[0], s[1], s[2]
		a, b, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
		f := func() { Gemm(false, false, m, n, k, a, k, b, n, c, n, false) }
		f()
		if allocs := testing.AllocsPerRun(20, f); allocs > 0.5 {
			t.Errorf("%dx%dx%d: %v allocations per call", m, n, k, allocs)
		}
	}
}

func benchGemm(b *testing.B, transA, transB bool, m, n, k int) {
	r := rand.New(rand.NewPCG(1, 1))
	x, y, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	b.ReportAllocs()
	b.ResetTimer()
	// A counted loop rather than b.Loop: with b.Loop the whole measurement
	// happens in the first call, before -cpu has set GOMAXPROCS.
	for range b.N {
		Gemm(transA, transB, m, n, k, x, lda, y, ldb, c, n, false)
	}
	b.StopTimer()
	flops := 2 * float64(m) * float64(n) * float64(k) * float64(b.N)
	b.ReportMetric(flops/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
}

func BenchmarkGemm(b *testing.B) {
	for _, n := range []int{256, 512, 1024, 2048} {
		b.Run(fmt.Sprintf("NN%d", n), func(b *testing.B) { benchGemm(b, false, false, n, n, n) })
	}
	// The shapes of a 784-256 layer at batch 64: forward x·Wᵀ, the weight
	// gradient gᵀ·x, and inference at batch 1.
	b.Run("MLPForward64x784x256NT", func(b *testing.B) { benchGemm(b, false, true, 64, 256, 784) })
	b.Run("MLPWeightGrad256x784x64TN", func(b *testing.B) { benchGemm(b, true, false, 256, 784, 64) })
	b.Run("MLPInfer1x784x256NT", func(b *testing.B) { benchGemm(b, false, true, 1, 256, 784) })
	b.Run("MLPInfer1x784x256NN", func(b *testing.B) { benchGemm(b, false, false, 1, 256, 784) })
}

// TestGemmConcurrent runs parallel-sized products from several goroutines
// at once: they share the worker pool, and each must still get its own,
// deterministic result.
func TestGemmConcurrent(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	const m, n, k = 150, 170, 190
	r := rand.New(rand.NewPCG(4, 4))
	a, b := randSlice(r, m*k), randSlice(r, k*n)
	want := make([]float32, m*n)
	Gemm(false, false, m, n, k, a, k, b, n, want, n, false)
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			c := make([]float32, m*n)
			for it := 0; it < 20; it++ {
				Gemm(false, false, m, n, k, a, k, b, n, c, n, false)
				if !sameBits(c, want) {
					errs <- fmt.Errorf("goroutine %d, call %d: result differs", g, it)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
