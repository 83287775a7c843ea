//go:build !noasm && (amd64 || arm64)

package kernel

// kernelAsm adapts an mr×nr assembly micro-kernel to gemmArch.kernel,
// checking that the memory it touches lies inside the slices: a few
// compares per tile, against thousands of multiply-adds.
func kernelAsm(f func(k int, a, b, c *float32, ldc int, add bool), mr, nr int) func(k int, a, b, c []float32, ldc int, add bool) {
	return func(k int, a, b, c []float32, ldc int, add bool) {
		_ = a[k*mr-1]
		_ = b[k*nr-1]
		_ = c[(mr-1)*ldc+nr-1]
		f(k, &a[0], &b[0], &c[0], ldc, add)
	}
}
