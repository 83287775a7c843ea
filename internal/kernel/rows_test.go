package kernel

import (
	"math/rand/v2"
	"testing"
)

func TestCopyRowsExported(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for range 100 {
		rows, cols := 1+r.IntN(9), 1+r.IntN(70)
		lds, ldd := cols+r.IntN(4), cols+r.IntN(4)
		src := randSlice(r, (rows-1)*lds+cols)
		dst := randSlice(r, (rows-1)*ldd+cols+2)
		want := append([]float32(nil), dst...)
		for i := 0; i < rows; i++ {
			copy(want[i*ldd:i*ldd+cols], src[i*lds:])
		}
		CopyRows(dst, ldd, src, lds, rows, cols)
		if !sameBits(dst, want) {
			t.Fatalf("%d×%d, lds %d, ldd %d: got %v, want %v", rows, cols, lds, ldd, dst, want)
		}
	}
}

func TestFrameRows(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	for trial := range 400 {
		rows, cols := 1+r.IntN(9), 1+r.IntN(70)
		lo, hi := r.IntN(cols+6)-3, r.IntN(cols+6)-3
		ldd, lds := cols+r.IntN(4), cols+r.IntN(4)
		src := randSlice(r, rows*lds+cols)
		dst := randSlice(r, (rows-1)*ldd+cols+2)
		want := append([]float32(nil), dst...)
		clo, chi := min(max(lo, 0), cols), min(max(hi, 0), cols)
		for i := 0; i < rows; i++ {
			for c := 0; c < cols; c++ {
				if clo <= c && c < chi {
					want[i*ldd+c] = src[i*lds+c-clo]
				} else {
					want[i*ldd+c] = 0
				}
			}
		}
		FrameRows(dst, ldd, src, lds, rows, lo, hi, cols)
		if !sameBits(dst, want) {
			t.Fatalf("trial %d: %d×%d, columns [%d, %d), ldd %d, lds %d: got %v, want %v", trial, rows, cols, lo, hi, ldd, lds, dst, want)
		}
	}
}
