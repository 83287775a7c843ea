//go:build !noasm

package kernel

import (
	"math/rand/v2"
	"testing"
)

// TestDepthwiseTapsLoopsAgree runs each of DepthwiseTaps's loops, the
// AVX-512 one where the machine has it, on the same problems: all must
// give the Go loop's bits.
func TestDepthwiseTapsLoopsAgree(t *testing.T) {
	saved512, savedVec := useDWAVX512, useVecAsm
	defer func() { useDWAVX512, useVecAsm = saved512, savedVec }()
	loops := []struct {
		name        string
		avx512, vec bool
	}{{"AVX2", false, true}}
	if saved512 {
		loops = append(loops, struct {
			name        string
			avx512, vec bool
		}{"AVX-512", true, true})
	}
	if !savedVec {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(9, 9))
	for trial := range 300 {
		c := randDWTapsCase(r)
		want := append([]float32(nil), c.y...)
		dwTapsGo(want, c.ldy, c.x, c.ldx, c.w, c.off, c.rows, c.cols, c.add, c.bias)
		for _, l := range loops {
			useDWAVX512, useVecAsm = l.avx512, l.vec
			got := append([]float32(nil), c.y...)
			DepthwiseTaps(got, c.ldy, c.x, c.ldx, c.w, c.off, c.rows, c.cols, c.add, c.bias)
			if !sameBits(got, want) {
				t.Fatalf("trial %d, %s loop (%d×%d, %d taps, add %v): differs from the Go loop", trial, l.name, c.rows, c.cols, len(c.w), c.add)
			}
		}
	}
}

// TestFrameRowsLoopsAgree runs FrameRows with and without its AVX-512
// loop on the same problems.
func TestFrameRowsLoopsAgree(t *testing.T) {
	if !useDWAVX512 {
		t.Skip("no AVX-512")
	}
	defer func() { useDWAVX512 = true }()
	r := rand.New(rand.NewPCG(12, 12))
	for trial := range 300 {
		rows, cols := 1+r.IntN(9), 1+r.IntN(70)
		lo, hi := r.IntN(cols+1), r.IntN(cols+1)
		src := randSlice(r, rows*cols+cols)
		var got [2][]float32
		for i, on := range []bool{false, true} {
			useDWAVX512 = on
			got[i] = randSlice(r, rows*(cols+1))
			FrameRows(got[i], cols+1, src, cols, rows, lo, hi, cols)
			for k := 0; k < rows; k++ {
				got[i][k*(cols+1)+cols] = 0 // not written: random
			}
		}
		if !sameBits(got[0], got[1]) {
			t.Fatalf("trial %d: %d×%d, columns [%d, %d): the loops differ", trial, rows, cols, lo, hi)
		}
	}
}
