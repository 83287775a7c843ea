package kernel

import (
	"math"
	"runtime"
	"sync"
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
		checkAdamMatchesGo(t, n, uint64(n)+100)
	}
}

// checkAdamMatchesGo runs Adam and adamGo on the same n-element inputs and
// checks that they leave the same bits, returning the inputs Adam updated.
func checkAdamMatchesGo(t *testing.T, n int, seed uint64) (p, g, m, v []float32) {
	t.Helper()
	p, g, m, v = optimInputs(n, seed)
	p2, m2, v2 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
	Adam(p, g, m, v, 0.1, 0.9, 0.001, 0.999, 0.03, 1e-8, -0.01)
	adamGo(p2, g, m2, v2, 0.1, 0.9, 0.001, 0.999, 0.03, 1e-8, -0.01)
	optimSameBits(t, "adam m", m, m2)
	optimSameBits(t, "adam v", v, v2)
	optimSameBits(t, "adam p", p, p2)
	return p, g, m, v
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

// TestSharedUpdates checks that updates large enough to be shared among
// goroutines give the bits of the Go loops run over the whole parameter
// at once, for cuts into two, three and four parts at awkward lengths,
// and that they are in fact shared at those sizes.
func TestSharedUpdates(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{2, 3, 4} {
		runtime.GOMAXPROCS(procs)
		n := procs*minUpdateWork + 37
		if w := updateWorkers(n); w != procs {
			t.Fatalf("GOMAXPROCS %d: an update of %d parameters goes to %d goroutines, want %d", procs, n, w, procs)
		}
		p, g, buf, _ := optimInputs(n, uint64(procs))
		p2, buf2 := append([]float32(nil), p...), append([]float32(nil), buf...)
		SGDMomentum(p, g, buf, -0.05, 0.9, 0.7)
		sgdMomentumGo(p2, g, buf2, -0.05, 0.9, 0.7)
		optimSameBits(t, "shared sgd p", p, p2)
		optimSameBits(t, "shared sgd buf", buf, buf2)

		p, g, m, v := checkAdamMatchesGo(t, n, uint64(procs)+100)
		// Training calls these every step: sharing must not allocate.
		if a := testing.AllocsPerRun(5, func() { Adam(p, g, m, v, 0.1, 0.9, 0.001, 0.999, 0.03, 1e-8, -0.01) }); a != 0 && !raceEnabled {
			t.Errorf("GOMAXPROCS %d: a shared Adam update allocates %v times", procs, a)
		}
	}
}

// TestUpdatePartsCover checks that the parts of an update cover every
// parameter exactly once, start at multiples of 16, and that a wrong cut
// is caught by the comparison TestSharedUpdates makes.
func TestUpdatePartsCover(t *testing.T) {
	for _, n := range []int{minUpdateWork * 2, minUpdateWork*3 + 5, 100003} {
		for parts := 1; parts <= 5; parts++ {
			seen := make([]int, n)
			u := update{p: make([]float32, n)}
			for part := 0; part < parts; part++ {
				lo, hi := u.bounds(part, parts)
				if lo%16 != 0 {
					t.Errorf("n %d, %d parts: part %d starts at %d", n, parts, part, lo)
				}
				for i := lo; i < hi; i++ {
					seen[i]++
				}
			}
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("n %d, %d parts: element %d is updated %d times", n, parts, i, c)
				}
			}
		}
	}
}

// TestClaimOwnPartsFirst checks that a worker takes its own parts before
// others', and that concurrent workers never take a part twice.
func TestClaimOwnPartsFirst(t *testing.T) {
	j := new(gemmJob)
	j.resetClaims(5, 2)
	var order []int
	for p := j.claim(1); p >= 0; p = j.claim(1) {
		order = append(order, p)
	}
	if want := []int{1, 3, 0, 2, 4}; len(order) != len(want) || order[0] != 1 || order[1] != 3 || order[2] != 0 {
		t.Fatalf("worker 1 claimed %v, want %v", order, want)
	}
	for round := 0; round < 200; round++ {
		j.resetClaims(8, 3)
		var mu sync.Mutex
		got := map[int]int{}
		var wg sync.WaitGroup
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for p := j.claim(w); p >= 0; p = j.claim(w) {
					mu.Lock()
					got[p]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		for p := 0; p < 8; p++ {
			if got[p] != 1 {
				t.Fatalf("round %d: part %d taken %d times", round, p, got[p])
			}
		}
	}
}
