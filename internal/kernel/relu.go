package kernel

// ReLU writes max(x[i], 0) to y[i], with NaN passed through and −0 mapped
// to +0, as Go's max(x, 0) gives.
//
// Reference loop:
//
//	for i := range x { y[i] = max(x[i], 0) }
func ReLU(y, x []float32) {
	y = y[:len(x)]
	done := reluBlocks(y, x)
	for i := done; i < len(x); i++ {
		y[i] = max(x[i], 0)
	}
}

// ReLUBackward adds dy[i] to dx[i] where x[i] > 0, leaving the others
// untouched, so that ReLU′(0) = 0 as in PyTorch.
//
// Reference loop:
//
//	for i := range dx { if x[i] > 0 { dx[i] += dy[i] } }
func ReLUBackward(dx, dy, x []float32) {
	dy, x = dy[:len(dx)], x[:len(dx)]
	done := reluBackBlocks(dx, dy, x)
	for i := done; i < len(dx); i++ {
		if x[i] > 0 {
			dx[i] += dy[i]
		}
	}
}
