// Command asmgen writes the assembly of package kernel: gemm_amd64.s and
// gemm_arm64.s, the register-tiled matrix multiplication kernels (AVX-512,
// AVX2, NEON), vec_amd64.s and vec_arm64.s, the vector loops, and
// gelu_amd64.s, the exact GELU and its derivative in PyTorch's rounding. The
// kernels are long unrolled runs of the same few instructions, which are
// easier to get right from a loop than by hand. (relu_amd64.s and
// optim_amd64.s are short and written by hand.)
//
// Usage, from internal/kernel (go generate runs it):
//
//	go run ./asmgen
//
// Its test fails when the files in the package differ from what it
// writes, so that neither can be edited alone.
package main
