package kernel

// The vector loops. Each runs its bulk through a block function (assembly
// where the CPU has it, see vec_amd64.go, or the pure-Go twin in
// vec_go.go, which computes bit-identical results) and finishes the last
// few elements here.

// Axpy computes y[i] += alpha·x[i] for i < len(y).
//
// Reference loop:
//
//	for i := range y { y[i] += alpha * x[i] }
//
// The product is rounded before the addition (no fused multiply-add), as
// in the reference loop, on every platform.
func Axpy(alpha float32, x, y []float32) {
	x = x[:len(y)]
	n := len(y) &^ (vecBlock - 1)
	if n > 0 {
		axpyBlocks(alpha, x[:n], y[:n])
	}
	for i := n; i < len(y); i++ {
		y[i] += float32(alpha * x[i])
	}
}

// Dot returns Σ x[i]·y[i] over i < len(x).
//
// Reference loop:
//
//	var s float32
//	for i := range x { s += x[i] * y[i] }
//
// The sum is split over 32 partial sums (element i goes to sum i mod 32,
// for the first len(x) rounded down to a multiple of 32 elements), which
// are then added pairwise (s[l] += s[l+16], then s[l] += s[l+8], … down to
// s[0]); the remaining elements are added to that in order. Products are
// rounded before they are added. This changes rounding relative to the
// reference loop, but the result depends only on the inputs: it is the
// same on every platform and in every build.
func Dot(x, y []float32) float32 {
	y = y[:len(x)]
	n := len(x) &^ (vecBlock - 1)
	var s float32
	if n > 0 {
		s = dotBlocks(x[:n], y[:n])
	}
	for i := n; i < len(x); i++ {
		s += float32(x[i] * y[i])
	}
	return s
}

// Add computes dst[i] = x[i] + y[i].
//
// Reference loop:
//
//	for i := range dst { dst[i] = x[i] + y[i] }
func Add(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	n := len(dst) &^ (vecBlock - 1)
	if n > 0 {
		addBlocks(dst[:n], x[:n], y[:n])
	}
	for i := n; i < len(dst); i++ {
		dst[i] = x[i] + y[i]
	}
}

// AddTo computes dst[i] += x[i].
//
// Reference loop:
//
//	for i := range dst { dst[i] += x[i] }
func AddTo(dst, x []float32) {
	x = x[:len(dst)]
	n := len(dst) &^ (vecBlock - 1)
	if n > 0 {
		addToBlocks(dst[:n], x[:n])
	}
	for i := n; i < len(dst); i++ {
		dst[i] += x[i]
	}
}

// Scale computes dst[i] = alpha·x[i].
//
// Reference loop:
//
//	for i := range dst { dst[i] = alpha * x[i] }
func Scale(dst []float32, alpha float32, x []float32) {
	x = x[:len(dst)]
	n := len(dst) &^ (vecBlock - 1)
	if n > 0 {
		scaleBlocks(dst[:n], alpha, x[:n])
	}
	for i := n; i < len(dst); i++ {
		dst[i] = alpha * x[i]
	}
}

// Sum returns Σ x[i], accumulated in float64 so that long sums stay exact to
// float32 precision.
//
// Reference loop:
//
//	var s float64
//	for _, v := range x { s += float64(v) }
//	return float32(s)
//
// The float64 sum is split over 16 partial sums (element i goes to sum
// i mod 16, for the first len(x) rounded down to a multiple of 16
// elements), added pairwise (s[l] += s[l+8], … down to s[0]), and the
// remaining elements are added to that in order. The result is the same on
// every platform and in every build.
func Sum(x []float32) float32 {
	n := len(x) &^ (sumBlock - 1)
	var s float64
	if n > 0 {
		s = sumBlocks(x[:n])
	}
	for _, v := range x[n:] {
		s += float64(v)
	}
	return float32(s)
}

// AddRowVector computes m[i*n+j] += v[j] for every row i of the rows×n
// matrix m: a bias added to each sample of a batch.
func AddRowVector(m []float32, v []float32) {
	n := len(v)
	for off := 0; off+n <= len(m); off += n {
		AddTo(m[off:off+n], v)
	}
}

// SumRows computes dst[j] += Σᵢ m[i*n+j], with n = len(dst): the bias
// gradient of a batch.
func SumRows(dst []float32, m []float32) {
	n := len(dst)
	for off := 0; off+n <= len(m); off += n {
		AddTo(dst, m[off:off+n])
	}
}
