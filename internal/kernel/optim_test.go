package kernel

import (
	"math"
	"testing"
)

// optimInputs returns awkward-length parameter, gradient and state slices
// with values spread over many magnitudes, zeros included.
func optimInputs(n int, seed uint64) (p, g, a, b []float32) {
	s := seed
	next := func() float32 {
		s = s*6364136223846793005 + 1442695040888963407
		v := float32(int32(s>>33)) / (1 << 30)
		switch (s >> 20) % 7 {
		case 0:
			return 0
		case 1:
			return v * 1e-6
		case 2:
			return v * 1e3
		}
		return v
	}
	p, g, a, b = make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range p {
		p[i], g[i], a[i], b[i] = next(), next(), next(), float32(math.Abs(float64(next())))
	}
	return
}

func optimSameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d]: got %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestOptimizerKernelsMatchGo checks the dispatched updates (vector ones
// where the CPU has them) against the Go loops bit for bit, and the Go
// loops against their reference definitions.
func TestOptimizerKernelsMatchGo(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 17, 33, 255, 1000} {
		p, g, buf, _ := optimInputs(n, uint64(n))
		p2, buf2 := append([]float32(nil), p...), append([]float32(nil), buf...)
		p3, buf3 := append([]float32(nil), p...), append([]float32(nil), buf...)
		SGDMomentum(p, g, buf, -0.05, 0.9, 0.7)
		sgdMomentumGo(p2, g, buf2, -0.05, 0.9, 0.7)
		for i := range p3 {
			buf3[i] = FMA32(0.7, g[i], float32(buf3[i]*0.9))
			p3[i] = FMA32(-0.05, buf3[i], p3[i])
		}
		optimSameBits(t, "sgd p", p, p2)
		optimSameBits(t, "sgd buf", buf, buf2)
		optimSameBits(t, "sgd reference p", p2, p3)

		p, g, m, v := optimInputs(n, uint64(n)+100)
		p2, m2, v2 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
		Adam(p, g, m, v, 0.1, 0.9, 0.001, 0.999, 0.03, 1e-8, -0.01)
		adamGo(p2, g, m2, v2, 0.1, 0.9, 0.001, 0.999, 0.03, 1e-8, -0.01)
		optimSameBits(t, "adam m", m, m2)
		optimSameBits(t, "adam v", v, v2)
		optimSameBits(t, "adam p", p, p2)
	}
}

func BenchmarkAdam(b *testing.B) {
	p, g, m, v := optimInputs(270000, 1)
	b.SetBytes(int64(len(p)) * 4 * 4)
	for i := 0; i < b.N; i++ {
		Adam(p, g, m, v, 0.1, 0.9, 0.001, 0.999, 0.03, 1e-8, -1e-9)
	}
}

func BenchmarkSGDMomentum(b *testing.B) {
	p, g, buf, _ := optimInputs(270000, 2)
	b.SetBytes(int64(len(p)) * 4 * 3)
	for i := 0; i < b.N; i++ {
		SGDMomentum(p, g, buf, -1e-9, 0.9, 1)
	}
}
