// Package tensor provides dense, row-major float32 n-dimensional arrays:
// creation, shapes, broadcasting arithmetic, matrix products and reductions.
//
// A Tensor is always contiguous, so every operation runs as a flat loop over
// a []float32 and the hot ones delegate to bigfunc's kernel package. Views
// that would need strides (Transpose, Slice) return copies instead; Reshape
// alone shares storage.
//
// Tensors know nothing about gradients: that is package autograd's job.
//
// Misuse that is a programming error, such as adding tensors whose shapes do
// not broadcast, panics with a *ShapeError whose message names the operation
// and both shapes, for example
//
//	tensor: MatMul: shape mismatch [2 3] x [2 3]
package tensor
