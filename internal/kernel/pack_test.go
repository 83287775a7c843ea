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
