package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCopyRows checks each architecture's copyRows against its reference
// loop for every read and write width it takes, odd strides and row
// counts, and that it touches nothing outside the rows it writes: the
// destination is filled with NaN first, and the source ends exactly where
// the last row's reads do.
func TestCopyRows(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, g := range allArchs() {
		if g.copyRows == nil {
			continue
		}
		for width := 1; width <= g.copyWidth; width++ {
			for n := 0; n <= width; n++ {
				for _, rows := range []int{0, 1, 2, 3, 7} {
					lds, ldd := n+r.IntN(5), width+r.IntN(3)
					src := randSlice(r, max(0, (rows-1)*lds+n))
					dst := make([]float32, rows*ldd+8)
					for i := range dst {
						dst[i] = float32(math.NaN())
					}
					g.copyRows(dst, ldd, src, lds, rows, n, width)
					for i, v := range dst {
						row, j := i/ldd, i%ldd
						var want float32
						switch {
						case row >= rows || j >= width:
							if v == v {
								t.Fatalf("%s: n %d width %d rows %d: wrote %v at row %d column %d, outside the block", g.name, n, width, rows, v, row, j)
							}
							continue
						case j < n:
							want = src[row*lds+j]
						}
						if math.Float32bits(v) != math.Float32bits(want) {
							t.Fatalf("%s: n %d width %d rows %d: row %d column %d is %v, want %v", g.name, n, width, rows, row, j, v, want)
						}
					}
				}
			}
		}
	}
}

// TestSplitCBigA checks that a product whose A outgrows the cache is cut
// by rows at two threads, so that each worker streams only its own half
// of A from memory, while the same shape with A in the cache is cut by
// columns, as measured fastest on each side of that line.
func TestSplitCBigA(t *testing.T) {
	// The AVX-512 tiles, where it was measured: 2048 rows, a panel of
	// 1024 columns, k 2048.
	const mr, nr = 14, 32
	mTiles, panels := (2048+mr-1)/mr, 1024/nr
	if rc, cc := splitC(mTiles, panels, mr, nr, 2048, 2, false); rc != 1 || cc != 2 {
		t.Errorf("A in the cache: cut %d×%d, want 1×2", rc, cc)
	}
	if rc, cc := splitC(mTiles, panels, mr, nr, 2048, 2, true); rc != 2 || cc != 1 {
		t.Errorf("A beyond the cache: cut %d×%d, want 2×1", rc, cc)
	}
}

// TestSplitCModes checks that the products TestGemmParallel and
// TestGemmDeterministic run at two and four threads include both ways of
// sharing a product: C cut by columns alone, each part packing its own B,
// and C cut by rows, sharing one packed B.
func TestSplitCModes(t *testing.T) {
	own, shared := 0, 0
	for _, g := range allArchs() {
		for _, s := range [][3]int{{300, 200, 100}, {64, 784, 256}, {256, 784, 64}, {20, 2000, 100}, {2000, 20, 100}, {300, 301, 600}, {64, 256, 784}, {129, 130, 515}} {
			for _, workers := range []int{2, 4} {
				m, n, k := s[0], s[1], s[2]
				rc, cc := splitC((m+g.mr-1)/g.mr, (n+g.nr-1)/g.nr, g.mr, g.nr, k, workers, false)
				if rc < 1 || cc < 1 || rc*cc < min(workers, (m+g.mr-1)/g.mr*((n+g.nr-1)/g.nr)) {
					t.Errorf("%s: %d×%d×%d for %d workers: cut %d×%d", g.name, m, n, k, workers, rc, cc)
				}
				if rc == 1 && cc > 1 {
					own++
				} else if rc > 1 {
					shared++
				}
			}
		}
	}
	if own == 0 || shared == 0 {
		t.Errorf("the test products cut by columns alone %d times and by rows %d times; both should occur", own, shared)
	}
}
