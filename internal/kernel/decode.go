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
