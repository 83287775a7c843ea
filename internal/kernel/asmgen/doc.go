// Command asmgen writes the assembly of package kernel: gemm_amd64.s, the
// register-tiled matrix multiplication kernels, and vec_amd64.s, the vector
// loops. The kernels are long unrolled
// runs of the same few instructions, which are easier to get right from a
// loop than by hand.
//
// Usage, from internal/kernel:
//
//	go run ./asmgen
package main
