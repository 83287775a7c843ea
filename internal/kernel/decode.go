package kernel

// decodeBlock is the length that decodeBlocks takes multiples of.
const decodeBlock = 8

// DecodeBytes sets dst[i] = float32(src[i]) / divisor for i < len(src):
// bytes stored one per value turned back into the values they stand for.
//
// Reference loop:
//
//	for i, b := range src { dst[i] = float32(b) / divisor }
//
// Every byte converts to float32 exactly and the division is IEEE single
// precision, correctly rounded, in the vector loops as in the Go one, so
// the result is the reference loop's bit for bit on every platform and in
// every build. (Multiplying by a rounded reciprocal would be faster but is
// not exact.) DecodeBytes panics if len(dst) < len(src).
func DecodeBytes(dst []float32, src []byte, divisor float32) {
	dst = dst[:len(src)]
	n := len(src) &^ (decodeBlock - 1)
	if n > 0 {
		decodeBlocks(dst[:n], src[:n], divisor)
	}
	for i := n; i < len(src); i++ {
		dst[i] = float32(src[i]) / divisor
	}
}

// Prefetch asks the CPU to start bringing b into its caches, so that a
// pass over it a little later need not wait on memory: gathering rows in
// random order from a set larger than the caches, the next rows can be
// on their way while this one is decoded. It reads nothing into the
// program and changes no values; where there is no prefetch instruction
// to use it does nothing.
func Prefetch(b []byte) {
	if len(b) > 0 {
		prefetch(b)
	}
}
