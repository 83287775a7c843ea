// Package kernel holds bigfunc's hot loops: matrix multiplication and the
// element-wise and reduction loops that training spends its time in.
//
// Every kernel's doc comment states its reference loop, so that a faster
// implementation can be checked against the plain definition. The rest of
// bigfunc calls only these functions for bulk arithmetic, which keeps the
// place where speed is won or lost in one small package.
//
// The package sits at the module root rather than under tensor so that
// autograd, loss and optim can run fused loops over raw slices without
// going through tensor's allocating API.
package kernel
