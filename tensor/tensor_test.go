package tensor

import (
	"math"
	"strings"
	"testing"
)

func near(a, b, tol float32) bool {
	return float32(math.Abs(float64(a-b))) <= tol*(1+float32(math.Abs(float64(b))))
}

func equalData(t *testing.T, name string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values %v, want %d values %v", name, len(got), got, len(want), want)
	}
	for i := range got {
		if !near(got[i], want[i], 1e-6) {
			t.Fatalf("%s: element %d: got %v, want %v (got %v, want %v)", name, i, got[i], want[i], got, want)
		}
	}
}

func mustPanic(t *testing.T, wantMsg string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one containing %q", wantMsg)
		}
		err, ok := r.(*ShapeError)
		if !ok {
			t.Fatalf("panic value %T %v, want *ShapeError", r, r)
		}
		if !strings.Contains(err.Error(), wantMsg) {
			t.Fatalf("panic %q, want it to contain %q", err.Error(), wantMsg)
		}
	}()
	f()
}

func TestCreation(t *testing.T) {
	equalData(t, "Zeros", Zeros(2, 2).Data(), []float32{0, 0, 0, 0})
	equalData(t, "Ones", Ones(3).Data(), []float32{1, 1, 1})
	equalData(t, "Full", Full(2.5, 2).Data(), []float32{2.5, 2.5})
	equalData(t, "Arange", Arange(0, 5, 1).Data(), []float32{0, 1, 2, 3, 4})
	equalData(t, "Arange step", Arange(1, 2, 0.25).Data(), []float32{1, 1.25, 1.5, 1.75})
	equalData(t, "Arange down", Arange(3, 0, -1).Data(), []float32{3, 2, 1})
	if n := Arange(0, 0, 1).Len(); n != 0 {
		t.Fatalf("empty Arange: got %d elements, want 0", n)
	}
	src := []float32{1, 2, 3}
	c := FromSlice(src, 3)
	src[0] = 9
	if c.At(0) != 1 {
		t.Fatalf("FromSlice shares storage: got %v, want 1", c.At(0))
	}
	mustPanic(t, "tensor: New: 3 values for [2 2]", func() { New([]float32{1, 2, 3}, 2, 2) })
	if s := Scalar(4); s.Dims() != 0 || s.Item() != 4 {
		t.Fatalf("Scalar: got dims %d item %v, want 0 and 4", s.Dims(), s.Item())
	}
}

func TestBroadcastArithmetic(t *testing.T) {
	a := New([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	tests := []struct {
		name string
		got  *Tensor
		want []float32
		shp  []int
	}{
		{"same", Add(a, a), []float32{2, 4, 6, 8, 10, 12}, []int{2, 3}},
		{"row", Add(a, New([]float32{10, 20, 30}, 3)), []float32{11, 22, 33, 14, 25, 36}, []int{2, 3}},
		{"col", Sub(a, New([]float32{1, 4}, 2, 1)), []float32{0, 1, 2, 0, 1, 2}, []int{2, 3}},
		{"scalar", Mul(a, Scalar(2)), []float32{2, 4, 6, 8, 10, 12}, []int{2, 3}},
		{"scalar left", Div(Scalar(12), a), []float32{12, 6, 4, 3, 2.4, 2}, []int{2, 3}},
		{"outer", Mul(New([]float32{1, 2}, 2, 1), New([]float32{1, 10, 100}, 1, 3)), []float32{1, 10, 100, 2, 20, 200}, []int{2, 3}},
		{"3d", Add(Zeros(2, 1, 2), New([]float32{1, 2, 3, 4, 5, 6}, 3, 2)), []float32{1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}, []int{2, 3, 2}},
		{"max", Maximum(a, Scalar(3.5)), []float32{3.5, 3.5, 3.5, 4, 5, 6}, []int{2, 3}},
	}
	for _, tc := range tests {
		equalData(t, tc.name, tc.got.Data(), tc.want)
		if !equalShape(tc.got.Shape(), tc.shp) {
			t.Errorf("%s: got shape %v, want %v", tc.name, tc.got.Shape(), tc.shp)
		}
	}
	mustPanic(t, "tensor: Add: shapes do not broadcast [2 3] x [2]", func() { Add(a, Zeros(2)) })
}

func TestSumTo(t *testing.T) {
	g := New([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	equalData(t, "rows", SumTo(g, []int{3}).Data(), []float32{5, 7, 9})
	equalData(t, "cols", SumTo(g, []int{2, 1}).Data(), []float32{6, 15})
	equalData(t, "all", SumTo(g, []int{1}).Data(), []float32{21})
	mustPanic(t, "SumTo", func() { SumTo(g, []int{4}) })
}

// refMatMul is the plain triple loop that the fast product must equal.
func refMatMul(a, b *Tensor, ta, tb bool) *Tensor {
	if ta {
		a = a.Transpose()
	}
	if tb {
		b = b.Transpose()
	}
	m, k, n := a.shape[0], a.shape[1], b.shape[1]
	out := Zeros(m, n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += float64(a.data[i*k+p]) * float64(b.data[p*n+j])
			}
			out.data[i*n+j] = float32(s)
		}
	}
	return out
}

func TestMatMulAwkwardSizes(t *testing.T) {
	rng := NewRNG(7)
	sizes := [][3]int{{1, 1, 1}, {7, 17, 33}, {33, 1, 7}, {17, 255, 3}, {64, 65, 66}, {255, 33, 128}}
	for _, s := range sizes {
		m, k, n := s[0], s[1], s[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				ashape, bshape := []int{m, k}, []int{k, n}
				if ta {
					ashape = []int{k, m}
				}
				if tb {
					bshape = []int{n, k}
				}
				a, b := Randn(rng, ashape...), Randn(rng, bshape...)
				got, want := MatMulT(a, b, ta, tb), refMatMul(a, b, ta, tb)
				for i := range got.data {
					if !near(got.data[i], want.data[i], 1e-4) {
						t.Fatalf("MatMul %v ta=%v tb=%v: element %d: got %v, want %v", s, ta, tb, i, got.data[i], want.data[i])
					}
				}
			}
		}
	}
}

func TestMatMulBatchedAndErrors(t *testing.T) {
	rng := NewRNG(1)
	a, b := Randn(rng, 3, 4, 5), Randn(rng, 3, 5, 2)
	got := MatMul(a, b)
	for i := 0; i < 3; i++ {
		want := refMatMul(a.Slice(0, i, i+1).Reshape(4, 5), b.Slice(0, i, i+1).Reshape(5, 2), false, false)
		equalData(t, "batch", got.Slice(0, i, i+1).Data(), want.Data())
	}
	shared := Randn(rng, 5, 2)
	got = MatMul(a, shared)
	want := refMatMul(a.Reshape(12, 5), shared, false, false)
	for i := range want.data {
		if !near(got.data[i], want.data[i], 1e-5) {
			t.Fatalf("shared b: element %d: got %v, want %v", i, got.data[i], want.data[i])
		}
	}
	mustPanic(t, "tensor: MatMul: shape mismatch [2 3] x [2 3]", func() { MatMul(Zeros(2, 3), Zeros(2, 3)) })
	mustPanic(t, "MatMul", func() { MatMul(Zeros(3), Zeros(3)) })
}

func TestShapeOps(t *testing.T) {
	a := Arange(0, 6, 1).Reshape(2, 3)
	if s := a.Reshape(-1, 2).Shape(); !equalShape(s, []int{3, 2}) {
		t.Fatalf("Reshape -1: got %v, want [3 2]", s)
	}
	mustPanic(t, "Reshape", func() { a.Reshape(4, 2) })
	equalData(t, "Transpose", a.Transpose().Data(), []float32{0, 3, 1, 4, 2, 5})
	b := Arange(0, 24, 1).Reshape(2, 3, 4)
	p := b.Permute(2, 0, 1)
	if got, want := p.At(3, 1, 2), b.At(1, 2, 3); got != want {
		t.Fatalf("Permute: got %v, want %v", got, want)
	}
	equalData(t, "Slice cols", a.Slice(1, 1, 3).Data(), []float32{1, 2, 4, 5})
	equalData(t, "Slice rows", a.Slice(0, 1, 2).Data(), []float32{3, 4, 5})
	mustPanic(t, "out of bounds", func() { a.Slice(1, 2, 4) })
	equalData(t, "Concat 0", Concat(0, a, a.Slice(0, 0, 1)).Data(), []float32{0, 1, 2, 3, 4, 5, 0, 1, 2})
	equalData(t, "Concat 1", Concat(1, a, a.Slice(1, 0, 1)).Data(), []float32{0, 1, 2, 0, 3, 4, 5, 3})
	mustPanic(t, "dimension 1 differs", func() { Concat(0, a, Zeros(1, 2)) })
	equalData(t, "Gather", Gather(a, 1, []int{2, 0}).Data(), []float32{2, 3})
	equalData(t, "Gather axis 0", Gather(a, 0, []int{1, 0, 1}).Data(), []float32{3, 1, 5})
	mustPanic(t, "out of range", func() { Gather(a, 1, []int{3, 0}) })
	equalData(t, "OneHot", OneHot([]int{1, 0}, 3).Data(), []float32{0, 1, 0, 1, 0, 0})
	mustPanic(t, "label 3 out of range", func() { OneHot([]int{3}, 3) })
	mustPanic(t, "axis 2 out of range", func() { Sum(a, 2) })
}

func TestReductions(t *testing.T) {
	a := New([]float32{1, 5, 3, 4, 2, 6}, 2, 3)
	equalData(t, "SumAll", SumAll(a).Data(), []float32{21})
	equalData(t, "MeanAll", MeanAll(a).Data(), []float32{3.5})
	equalData(t, "Sum 0", Sum(a, 0).Data(), []float32{5, 7, 9})
	equalData(t, "Sum -1", Sum(a, -1).Data(), []float32{9, 12})
	equalData(t, "Mean 1", Mean(a, 1).Data(), []float32{3, 4})
	equalData(t, "Max 0", Max(a, 0).Data(), []float32{4, 5, 6})
	equalData(t, "MaxAll", MaxAll(a).Data(), []float32{6})
	if got := ArgMax(a, 1); got[0] != 1 || got[1] != 2 {
		t.Fatalf("ArgMax: got %v, want [1 2]", got)
	}
	if got := ArgMax(New([]float32{2, 2, 1}, 3), 0); got[0] != 0 {
		t.Fatalf("ArgMax tie: got %v, want first index 0", got)
	}
}

func TestSoftmaxStable(t *testing.T) {
	x := New([]float32{1e4, 0, -1e4, 1, 2, 3}, 2, 3)
	s := Softmax(x, 1)
	ls := LogSoftmax(x, 1)
	for i, v := range append(s.Data(), ls.Data()...) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 1) {
			t.Fatalf("element %d not finite: %v", i, v)
		}
	}
	equalData(t, "softmax row 0", s.Data()[:3], []float32{1, 0, 0})
	var sum float32
	for _, v := range s.Data()[3:] {
		sum += v
	}
	if !near(sum, 1, 1e-6) {
		t.Fatalf("softmax row sums to %v, want 1", sum)
	}
	if !near(ls.Data()[4], 2-float32(math.Log(math.Exp(1)+math.Exp(2)+math.Exp(3))), 1e-6) {
		t.Fatalf("log-softmax: got %v", ls.Data()[4])
	}
}

func TestRNGDeterministic(t *testing.T) {
	a, b := NewRNG(42), NewRNG(42)
	for i := 0; i < 1000; i++ {
		if x, y := a.Normal(), b.Normal(); x != y {
			t.Fatalf("draw %d: %v != %v", i, x, y)
		}
	}
	if NewRNG(1).Uint64() == NewRNG(2).Uint64() {
		t.Fatal("different seeds gave the same first draw")
	}
	// Saving and restoring mid-stream continues the same stream.
	r := NewRNG(5)
	r.Normal()
	state, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{r.Normal(), r.Normal(), r.Float64()}
	var r2 RNG
	if err := r2.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	got := []float64{r2.Normal(), r2.Normal(), r2.Float64()}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("restored stream draw %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func TestRNGMoments(t *testing.T) {
	r := NewRNG(3)
	const n = 200000
	var s, s2, u float64
	for i := 0; i < n; i++ {
		v := r.Normal()
		s += v
		s2 += v * v
		u += r.Float64()
	}
	if mean, variance := s/n, s2/n-(s/n)*(s/n); math.Abs(mean) > 0.01 || math.Abs(variance-1) > 0.01 {
		t.Fatalf("normal: got mean %v variance %v, want 0 and 1", mean, variance)
	}
	if m := u / n; math.Abs(m-0.5) > 0.005 {
		t.Fatalf("uniform: got mean %v, want 0.5", m)
	}
	seen := make([]int, 7)
	for i := 0; i < 7000; i++ {
		seen[r.Intn(7)]++
	}
	for k, c := range seen {
		if c < 850 || c > 1150 {
			t.Fatalf("Intn(7): value %d seen %d times of 7000, want about 1000", k, c)
		}
	}
}

func TestPortableLog(t *testing.T) {
	for _, x := range []float64{1e-300, 1e-10, 0.1, 0.5, 0.70710678, 1, 1.5, 2, 10, 1e10} {
		if got, want := portableLog(x), math.Log(x); math.Abs(got-want) > 1e-15*math.Abs(want)+1e-300 {
			t.Errorf("portableLog(%g): got %v, want %v", x, got, want)
		}
	}
}

// TestPermuteLeavesAxesAlone checks that Permute does not rewrite its
// caller's axes slice when it normalises negative axes.
func TestPermuteLeavesAxesAlone(t *testing.T) {
	x := Arange(0, 6, 1).Reshape(2, 3)
	axes := []int{-1, 0}
	y := x.Permute(axes...)
	if axes[0] != -1 || axes[1] != 0 {
		t.Fatalf("Permute changed its argument to %v", axes)
	}
	if y.At(2, 1) != 5 {
		t.Fatalf("Permute(-1, 0)[2][1]: got %v, want 5", y.At(2, 1))
	}
}
