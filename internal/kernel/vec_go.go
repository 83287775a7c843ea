package kernel

// vecBlock is the length that the block functions of Axpy, Dot, Add, AddTo
// and Scale take multiples of; sumBlock is Sum's.
const (
	vecBlock = 32
	sumBlock = 16
)

// axpyBlocksGo computes y[i] += alpha·x[i], rounding the product first.
//
// Reference loop:
//
//	for i := range y { y[i] += float32(alpha * x[i]) }
func axpyBlocksGo(alpha float32, x, y []float32) {
	x = x[:len(y)]
	for i := range y {
		// The conversion keeps the compiler from fusing the multiply
		// and add, which would round differently from the assembly.
		y[i] += float32(alpha * x[i])
	}
}

// dotBlocksGo returns Σ x[i]·y[i] for len(x) a multiple of vecBlock, summed
// in vecBlock partial sums that are then added pairwise (see Dot).
//
// Reference loop:
//
//	var s [32]float32
//	for i := range x { s[i%32] += float32(x[i] * y[i]) }
//	for h := 16; h >= 1; h /= 2 { for l < h { s[l] += s[l+h] } }
//	return s[0]
func dotBlocksGo(x, y []float32) float32 {
	var s [vecBlock]float32
	y = y[:len(x)]
	for i := 0; i+vecBlock <= len(x); i += vecBlock {
		xs := x[i : i+vecBlock : i+vecBlock]
		ys := y[i : i+vecBlock : i+vecBlock]
		for l := range s {
			s[l] += float32(xs[l] * ys[l])
		}
	}
	for h := vecBlock / 2; h >= 1; h /= 2 {
		for l := 0; l < h; l++ {
			s[l] += s[l+h]
		}
	}
	return s[0]
}

// addBlocksGo computes dst[i] = x[i] + y[i], the reference loop of Add.
func addBlocksGo(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

// addToBlocksGo computes dst[i] += x[i], the reference loop of AddTo.
func addToBlocksGo(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += x[i]
	}
}

// scaleBlocksGo computes dst[i] = alpha·x[i], the reference loop of Scale.
func scaleBlocksGo(dst []float32, alpha float32, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = alpha * x[i]
	}
}

// sumBlocksGo returns Σ x[i] in float64 for len(x) a multiple of sumBlock,
// summed in sumBlock partial sums that are then added pairwise (see Sum).
//
// Reference loop:
//
//	var s [16]float64
//	for i := range x { s[i%16] += float64(x[i]) }
//	for h := 8; h >= 1; h /= 2 { for l < h { s[l] += s[l+h] } }
//	return s[0]
func sumBlocksGo(x []float32) float64 {
	var s [sumBlock]float64
	for i := 0; i+sumBlock <= len(x); i += sumBlock {
		xs := x[i : i+sumBlock : i+sumBlock]
		for l := range s {
			s[l] += float64(xs[l])
		}
	}
	for h := sumBlock / 2; h >= 1; h /= 2 {
		for l := 0; l < h; l++ {
			s[l] += s[l+h]
		}
	}
	return s[0]
}

// decodeBlocksGo computes dst[i] = float32(src[i]) / divisor, the
// reference loop of DecodeBytes.
func decodeBlocksGo(dst []float32, src []byte, divisor float32) {
	dst = dst[:len(src)]
	for i, b := range src {
		dst[i] = float32(b) / divisor
	}
}
