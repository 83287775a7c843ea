// Package autograd is reverse-mode automatic differentiation over tensors:
// forward propagation computes values and records how each was made;
// backward propagation walks that record from the loss back to every
// parameter.
//
// Each primitive is one function that computes its result at once and
// attaches, right beside it, a closure that adds its share of the gradient
// into its inputs (micrograd's way). Closures add, never assign, so a value
// used several times collects the sum of its gradients.
//
// The primitives:
//
//	Add Sub Mul Div          broadcasting arithmetic
//	Neg Scale AddScalar      scalar arithmetic
//	MatMul                   2-D and batched matrix product
//	Linear                   fused x·Wᵀ + b (the affine layer)
//	Sum Mean SumAxis MeanAxis MaxAxis
//	Reshape Transpose Slice Concat
//	Unary                    any element-wise f with its derivative f′
//	Exp Log Abs Square Sqrt Tanh Sigmoid ReLU (built on Unary or fused)
//	Softmax LogSoftmax       fused for numerical stability
//
// Packages activation and loss add fused operations of their own through
// New, the same mechanism the primitives use.
//
// Only Vars that need a gradient are recorded: an operation on Consts
// (inputs, or Detach-ed values) builds no graph, which is how inference
// runs without recording, safely in any number of goroutines. Package gradtest checks any operation's gradients by central
// differences.
package autograd
