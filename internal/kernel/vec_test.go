package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// vecLengths covers empty input, tails alone, whole blocks, and blocks
// with tails.
var vecLengths = []int{0, 1, 3, 7, 15, 16, 17, 31, 32, 33, 63, 64, 100, 1000, 4099}

// bothImpls runs f with the assembly loops (where there are any) and with
// the pure-Go twins, and returns both results to compare.
func bothImpls[T any](f func() T) (asm, pure T) {
	saved := useVecAsm
	defer func() { useVecAsm = saved }()
	asm = f()
	useVecAsm = false
	pure = f()
	return asm, pure
}

func sameBits(x, y []float32) bool {
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return false
		}
	}
	return len(x) == len(y)
}

func TestElementwise(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, n := range vecLengths {
		x, y := randSlice(r, n+1)[1:], randSlice(r, n)
		alpha := r.Float32()*4 - 2
		check := func(name string, f func(dst []float32), want func(i int) float32) {
			t.Helper()
			a, p := bothImpls(func() []float32 {
				dst := append([]float32(nil), y...)
				f(dst)
				return dst
			})
			if !sameBits(a, p) {
				t.Errorf("%s n=%d: assembly and Go differ", name, n)
			}
			for i := range a {
				if w := want(i); math.Float32bits(a[i]) != math.Float32bits(w) {
					t.Fatalf("%s n=%d: [%d] = %v, want %v", name, n, i, a[i], w)
				}
			}
		}
		check("Axpy", func(d []float32) { Axpy(alpha, x, d) }, func(i int) float32 { return y[i] + float32(alpha*x[i]) })
		check("Add", func(d []float32) { Add(d, x, y) }, func(i int) float32 { return x[i] + y[i] })
		check("AddTo", func(d []float32) { AddTo(d, x) }, func(i int) float32 { return y[i] + x[i] })
		check("Scale", func(d []float32) { Scale(d, alpha, x) }, func(i int) float32 { return alpha * x[i] })
	}
}

func TestDot(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for _, n := range vecLengths {
		x, y := randSlice(r, n), randSlice(r, n+3)
		a, p := bothImpls(func() float32 { return Dot(x, y) })
		if math.Float32bits(a) != math.Float32bits(p) {
			t.Errorf("n=%d: assembly %v, Go %v", n, a, p)
		}
		var want, scale float64
		for i := range x {
			want += float64(x[i]) * float64(y[i])
			scale += math.Abs(float64(x[i]) * float64(y[i]))
		}
		if d := math.Abs(float64(a) - want); d > 1e-6*scale+1e-7 {
			t.Errorf("n=%d: Dot = %v, want %v", n, a, want)
		}
	}
}

func TestSum(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, n := range vecLengths {
		x := randSlice(r, n)
		for i := range x {
			// Spread the magnitudes so that float64 rounding shows.
			x[i] *= float32(math.Ldexp(1, r.IntN(40)-20))
		}
		a, p := bothImpls(func() float32 { return Sum(x) })
		if math.Float32bits(a) != math.Float32bits(p) {
			t.Errorf("n=%d: assembly %v, Go %v", n, a, p)
		}
		var want float64
		for _, v := range x {
			want += float64(v)
		}
		if float32(want) != a {
			t.Errorf("n=%d: Sum = %v, want %v", n, a, float32(want))
		}
	}
}

func TestRowHelpers(t *testing.T) {
	m := []float32{1, 2, 3, 4, 5, 6}
	AddRowVector(m, []float32{10, 20, 30})
	if want := []float32{11, 22, 33, 14, 25, 36}; !sameBits(m, want) {
		t.Errorf("AddRowVector: %v, want %v", m, want)
	}
	dst := []float32{1, 1, 1}
	SumRows(dst, m)
	if want := []float32{26, 48, 70}; !sameBits(dst, want) {
		t.Errorf("SumRows: %v, want %v", dst, want)
	}
}

func BenchmarkDot(b *testing.B) {
	x, y := randSlice(rand.New(rand.NewPCG(1, 2)), 4096), randSlice(rand.New(rand.NewPCG(1, 3)), 4096)
	b.SetBytes(2 * 4 * 4096)
	for range b.N {
		Dot(x, y)
	}
}

func BenchmarkAxpy(b *testing.B) {
	x, y := randSlice(rand.New(rand.NewPCG(1, 2)), 4096), randSlice(rand.New(rand.NewPCG(1, 3)), 4096)
	b.SetBytes(3 * 4 * 4096)
	for range b.N {
		Axpy(0.5, x, y)
	}
}

func BenchmarkSum(b *testing.B) {
	x := randSlice(rand.New(rand.NewPCG(1, 2)), 4096)
	b.SetBytes(4 * 4096)
	for range b.N {
		Sum(x)
	}
}
