// Command compare measures bigfunc against PyTorch on CPU and against
// numpy's OpenBLAS, on this machine, in one run, and prints each figure
// with the ratio. It ends with one line per target,
//
//	ratio NAME VALUE
//
// where VALUE > 1 means bigfunc is better (faster, or less memory).
//
// PyTorch and numpy come from Debian (apt-get install python3-torch, which
// brings python3-numpy); without them only bigfunc's figures are printed.
// For a fair comparison the command unsets OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE for numpy (they force an older OpenBLAS kernel) and runs
// PyTorch with OMP_WAIT_POLICY=PASSIVE and torch.set_num_threads matched to
// bigfunc's thread count (otherwise two-thread PyTorch spins and runs far
// slower).
//
// Usage:
//
//	go run ./bench/compare [--quick] [--threads 1,2] [--python /usr/bin/python3]
package main
