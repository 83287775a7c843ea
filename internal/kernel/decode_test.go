package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// decodeDivisors are the divisors TestDecodeBytes tries: MNIST's 255,
// exact and inexact quotients, divisors below one, one whose quotients
// are tiny, one whose smallest quotients are subnormal (b/3e38 is below
// 2^-126 for b ≤ 3), and a subnormal divisor whose quotient overflows to
// +Inf for every byte but 0.
var decodeDivisors = []float32{255, 1, 3, 7.5, 0.1, 1e-3, 1e30, 3e38, 1e-40}

// decodeRef is the reference value of byte b: float32 division, and, as a
// check on that which shares nothing with it, the quotient in float64
// rounded once to float32. Rounding twice is exact here: a float64
// quotient of float32 operands rounds to the same float32 as the true
// quotient (53 ≥ 2·24+2 bits).
func decodeRef(t *testing.T, b byte, divisor float32) float32 {
	want := float32(b) / divisor
	if w64 := float32(float64(b) / float64(divisor)); math.Float32bits(w64) != math.Float32bits(want) {
		t.Fatalf("byte %d / %v: float32 division %v, float64 division rounded %v", b, divisor, want, w64)
	}
	return want
}

// TestDecodeBytes checks DecodeBytes bit for bit against the reference at
// every byte value for every divisor, over every length from 0 to 70 at
// source and destination offsets 0 to 3 (whole blocks, blocks and a tail,
// tails alone), with the assembly loop and with the Go twin, and that
// nothing of dst past len(src) is written.
func TestDecodeBytes(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	r := rand.New(rand.NewPCG(7, 7))
	saved := useVecAsm
	defer func() { useVecAsm = saved }()
	for _, vec := range []bool{saved, false} {
		useVecAsm = vec
		for _, d := range decodeDivisors {
			// All 256 values in one call, and again shifted so that each
			// value falls in another lane of the vector and in the tail.
			for shift := range 9 {
				src := append(all[shift:], all[:shift]...)
				dst := make([]float32, len(src))
				DecodeBytes(dst, src, d)
				for i, b := range src {
					if w := decodeRef(t, b, d); math.Float32bits(dst[i]) != math.Float32bits(w) {
						t.Fatalf("vector=%v divisor %v shift %d: byte %d decoded to %v (%#08x), want %v (%#08x)",
							vec, d, shift, b, dst[i], math.Float32bits(dst[i]), w, math.Float32bits(w))
					}
				}
			}
			for n := 0; n <= 70; n++ {
				for off := range 4 {
					buf := make([]byte, off+n)
					for i := range buf {
						buf[i] = byte(r.Uint32())
					}
					src := buf[off:]
					guard := float32(math.Float32frombits(0x7fc0beef))
					dstBuf := make([]float32, 2*off+n+3)
					for i := range dstBuf {
						dstBuf[i] = guard
					}
					dst := dstBuf[off:]
					DecodeBytes(dst, src, d)
					for i := range dstBuf {
						got := dstBuf[i]
						want := guard
						if j := i - off; j >= 0 && j < n {
							want = decodeRef(t, src[j], d)
						}
						if math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("vector=%v divisor %v n=%d offset %d: dst[%d] = %v, want %v", vec, d, n, off, i-off, got, want)
						}
					}
				}
			}
		}
	}
}

func TestDecodeBytesShortDst(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("DecodeBytes with len(dst) < len(src) did not panic")
		}
	}()
	DecodeBytes(make([]float32, 15), make([]byte, 16), 255)
}

// TestPrefetch checks that Prefetch accepts any slice, empty, one byte,
// unaligned or spanning many lines, and leaves the bytes as they were.
func TestPrefetch(t *testing.T) {
	buf := make([]byte, 1000)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	for _, r := range [][2]int{{0, 0}, {5, 5}, {0, 1}, {63, 65}, {1, 1000}, {0, 1000}, {999, 1000}} {
		Prefetch(buf[r[0]:r[1]])
	}
	Prefetch(nil)
	for i := range buf {
		if buf[i] != byte(i*7) {
			t.Fatalf("byte %d is %d after Prefetch, want %d", i, buf[i], byte(i*7))
		}
	}
}

// BenchmarkDecodeBytes decodes one MNIST batch (128 images of 784 bytes)
// with DecodeBytes, with its Go twin, and with the 256-entry table lookup
// the data package used before.
func BenchmarkDecodeBytes(b *testing.B) {
	const n = 784 * 128
	src := make([]byte, n)
	r := rand.New(rand.NewPCG(8, 8))
	for i := range src {
		src[i] = byte(r.Uint32())
	}
	dst := make([]float32, n)
	const divisor = 255
	b.Run("kernel", func(b *testing.B) {
		b.SetBytes(n)
		b.ReportAllocs()
		for b.Loop() {
			DecodeBytes(dst, src, divisor)
		}
	})
	b.Run("go", func(b *testing.B) {
		b.SetBytes(n)
		b.ReportAllocs()
		for b.Loop() {
			decodeBlocksGo(dst, src, divisor)
		}
	})
	b.Run("table", func(b *testing.B) {
		var levels [256]float32
		for i := range levels {
			levels[i] = float32(i) / divisor
		}
		b.SetBytes(n)
		b.ReportAllocs()
		for b.Loop() {
			d := dst[:len(src)]
			for i, v := range src {
				d[i] = levels[v]
			}
		}
	})
}

func ExampleDecodeBytes() {
	pixels := []byte{0, 51, 128, 255}
	values := make([]float32, len(pixels))
	DecodeBytes(values, pixels, 255)
	fmt.Println(values)
	// Output: [0 0.2 0.5019608 1]
}
