//go:build !noasm

package kernel

// reluBlocks runs the vector loop over whole blocks of eight and returns
// how many elements it handled.
func reluBlocks(y, x []float32) int {
	n := len(x) &^ 7
	if !useVecAsm || n == 0 {
		return 0
	}
	reluAVX2(&y[0], &x[0], n)
	return n
}

func reluBackBlocks(dx, dy, x []float32) int {
	n := len(dx) &^ 7
	if !useVecAsm || n == 0 {
		return 0
	}
	reluBackAVX2(&dx[0], &dy[0], &x[0], n)
	return n
}

//go:noescape
func reluAVX2(y, x *float32, n int)

//go:noescape
func reluBackAVX2(dx, dy, x *float32, n int)
