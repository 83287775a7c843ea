package kernel

// Axpy computes y[i] += alpha·x[i] for i < len(y).
//
// Reference loop:
//
//	for i := range y { y[i] += alpha * x[i] }
func Axpy(alpha float32, x, y []float32) {
	x = x[:len(y)]
	i := 0
	for ; i+4 <= len(y); i += 4 {
		y[i] += alpha * x[i]
		y[i+1] += alpha * x[i+1]
		y[i+2] += alpha * x[i+2]
		y[i+3] += alpha * x[i+3]
	}
	for ; i < len(y); i++ {
		y[i] += alpha * x[i]
	}
}

// Dot returns Σ x[i]·y[i] over i < len(x).
//
// Reference loop:
//
//	var s float32
//	for i := range x { s += x[i] * y[i] }
//
// The sum is split over four accumulators, which changes rounding relative
// to the reference loop but is fixed for a given length.
func Dot(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// Add computes dst[i] = x[i] + y[i].
func Add(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

// AddTo computes dst[i] += x[i].
func AddTo(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += x[i]
	}
}

// Scale computes dst[i] = alpha·x[i].
func Scale(dst []float32, alpha float32, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = alpha * x[i]
	}
}

// Sum returns Σ x[i], accumulated in float64 so that long sums stay exact to
// float32 precision.
func Sum(x []float32) float32 {
	var s float64
	for _, v := range x {
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
