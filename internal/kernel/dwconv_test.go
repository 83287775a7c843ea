package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// dwTapsReference forms DepthwiseTaps's sums as one Axpy per tap, the way
// a depthwise convolution summed them before DepthwiseTaps.
func dwTapsReference(y []float32, ldy int, x []float32, ldx int, w []float32, off []int, rows, cols int, add bool, bias *float32) {
	s := make([]float32, cols)
	for r := 0; r < rows; r++ {
		clear(s)
		for t, wt := range w {
			Axpy(wt, x[r*ldx+off[t]:r*ldx+off[t]+cols], s)
		}
		for c, v := range s {
			if add {
				y[r*ldy+c] += v
			} else {
				y[r*ldy+c] = v
			}
			if bias != nil {
				y[r*ldy+c] += *bias
			}
		}
	}
}

// dwTapsCase is a random DepthwiseTaps problem: planes with strides wider
// than the rows, taps at random offsets.
type dwTapsCase struct {
	ldy, ldx, rows, cols int
	w                    []float32
	off                  []int
	x, y                 []float32
	add                  bool
	bias                 *float32
}

func randDWTapsCase(r *rand.Rand) dwTapsCase {
	c := dwTapsCase{rows: 1 + r.IntN(20), cols: 1 + r.IntN(40), add: r.IntN(2) == 0}
	c.ldy, c.ldx = c.cols+r.IntN(5), c.cols+r.IntN(9)
	taps := 1 + r.IntN(12)
	reach := 0
	for range taps {
		c.w = append(c.w, float32(r.NormFloat64()))
		c.off = append(c.off, r.IntN(3*c.ldx))
		reach = max(reach, c.off[len(c.off)-1])
	}
	c.x = randSlice(r, (c.rows-1)*c.ldx+c.cols+reach+r.IntN(3))
	c.y = randSlice(r, (c.rows-1)*c.ldy+c.cols+r.IntN(3))
	if r.IntN(2) == 0 {
		b := float32(r.NormFloat64())
		c.bias = &b
	}
	return c
}

func TestDepthwiseTapsMatchesAxpyPerTap(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for trial := range 400 {
		c := randDWTapsCase(r)
		want := append([]float32(nil), c.y...)
		dwTapsReference(want, c.ldy, c.x, c.ldx, c.w, c.off, c.rows, c.cols, c.add, c.bias)
		got := append([]float32(nil), c.y...)
		DepthwiseTaps(got, c.ldy, c.x, c.ldx, c.w, c.off, c.rows, c.cols, c.add, c.bias)
		for i := range want {
			// Bits, not values: the elements between rows and past the
			// last must be left as they were, and every sum rounded alike.
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("trial %d (%d×%d, ldy %d, ldx %d, %d taps, add %v, bias %v): y[%d] = %v, want %v",
					trial, c.rows, c.cols, c.ldy, c.ldx, len(c.w), c.add, c.bias != nil, i, got[i], want[i])
			}
		}
	}
}

func TestDepthwiseTapsNoTaps(t *testing.T) {
	y := []float32{1, 2, 3, 4, 5}
	DepthwiseTaps(y, 3, nil, 3, nil, nil, 2, 2, true, nil)
	DepthwiseTaps(y[:0], 3, nil, 3, nil, nil, 0, 2, false, nil)
	if want := []float32{1, 2, 3, 4, 5}; !sameBits(y, want) {
		t.Fatalf("adding no taps changed y: %v", y)
	}
	b := float32(0.5)
	DepthwiseTaps(y, 3, nil, 3, nil, nil, 2, 2, true, &b)
	if want := []float32{1.5, 2.5, 3, 4.5, 5.5}; !sameBits(y, want) {
		t.Fatalf("adding no taps and a bias: y = %v, want %v", y, want)
	}
	DepthwiseTaps(y, 3, nil, 3, nil, nil, 2, 2, false, nil)
	if want := []float32{0, 0, 3, 0, 0}; !sameBits(y, want) {
		t.Fatalf("setting no taps: y = %v, want %v", y, want)
	}
}

func TestDepthwiseTapsPanics(t *testing.T) {
	x, y := make([]float32, 20), make([]float32, 20)
	for name, f := range map[string]func(){
		"negative offset": func() { DepthwiseTaps(y, 4, x, 4, []float32{1}, []int{-1}, 2, 4, false, nil) },
		"short x":         func() { DepthwiseTaps(y, 4, x, 4, []float32{1}, []int{13}, 2, 4, false, nil) },
		"short y":         func() { DepthwiseTaps(y, 10, x, 4, []float32{1}, []int{0}, 3, 4, false, nil) },
		"narrow stride":   func() { DepthwiseTaps(y, 3, x, 4, []float32{1}, []int{0}, 2, 4, false, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func BenchmarkDepthwiseTaps(b *testing.B) {
	// A 3×3 kernel over a 16×16 plane padded by one: the shape of the
	// depthwise row of bench/compare.
	const h, w, wp = 16, 16, 18
	x := make([]float32, (h+2)*wp+2)
	y := make([]float32, h*w)
	var wt []float32
	var off []int
	for i := range 3 {
		for j := range 3 {
			wt = append(wt, float32(i+j)/4)
			off = append(off, i*wp+j)
		}
	}
	for range b.N {
		DepthwiseTaps(y, w, x, wp, wt, off, h, w, false, nil)
	}
	b.ReportMetric(float64(b.N*h*w)/b.Elapsed().Seconds()/1e9, "Gout/s")
}

func TestDotTapsMatchesDot(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	for trial := range 300 {
		n := 1 + r.IntN(300)
		if trial%2 == 0 {
			n = 32 * (1 + r.IntN(10)) // the lengths the vector loop takes
		}
		taps := 1 + r.IntN(20)
		y := randSlice(r, n)
		off := make([]int, taps)
		for t := range off {
			off[t] = r.IntN(50)
		}
		x := randSlice(r, n+50)
		dst := randSlice(r, taps)
		want := append([]float32(nil), dst...)
		for t, o := range off {
			want[t] += Dot(y, x[o:o+n])
		}
		DotTaps(dst, y, x, off)
		if !sameBits(dst, want) {
			t.Fatalf("trial %d (n %d, %d taps): got %v, want %v", trial, n, taps, dst, want)
		}
	}
}
