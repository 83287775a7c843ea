// Command compare measures bigfunc against PyTorch on CPU and against
// numpy's OpenBLAS, on this machine, in one run, and prints each figure
// with the ratio. It ends with one line per target,
//
//	ratio NAME VALUE
//
// where VALUE > 1 means bigfunc is better (faster, or less memory). SGEMM
// is judged against the faster of OpenBLAS and PyTorch, everything else
// against PyTorch.
//
// It first prints the CPU model, the caches bigfunc detected (and where it
// read them), a measured FMA peak per core, and the kernel and blocking
// bigfunc chose. The peak is the fastest 5 ms round of chains of
// independent fused multiply-adds on the widest vector unit: every timing
// here is the fastest round of at least 5 ms, and shorter rounds of the
// same instructions can catch a clock that no 5 ms round keeps (it prints
// what 0.2 ms bursts reach too), measured on each CPU and taken from the
// fastest. Every GFLOP/s figure is also given as a share of that peak
// times the threads used.
//
// One virtual CPU of a shared machine can run slower than another for
// minutes, so the one-thread figures of every side are pinned to each CPU
// in turn, one pass on each, and each side keeps its best; the anchors'
// core-type probes all run on the fastest CPU.
//
// The anchors run in their best configuration for the CPU: Debian's
// OpenBLAS (behind numpy, and behind PyTorch as the system BLAS) picks its
// kernel at start-up and on CPUs newer than itself can pick a slow,
// generic one. So compare times a short SGEMM probe under each
// OPENBLAS_CORETYPE that fits the CPU's features (unset, SkylakeX,
// Cooperlake, Haswell, Zen, … on x86; Neoverse and Cortex types on arm64),
// separately for numpy and PyTorch, keeps the fastest and prints what it
// tried. Only those child processes get OPENBLAS_CORETYPE; it unsets
// OPENBLAS_L2_SIZE for them, and runs PyTorch with OMP_WAIT_POLICY=PASSIVE
// and torch.set_num_threads matched to bigfunc's thread count (otherwise
// two-thread PyTorch spins and runs far slower).
//
// Convolutional rows: one training step of a Conv2d alone (forward, then
// the input, weight and bias gradients; milliseconds) at the shapes of nn's
// BenchmarkConv2d, and training steps (samples a second) of the LeNet-like
// network of examples/mnist-cnn.yaml at batch 64 and 128 and of one basic
// ResNet block (32 channels, 14×14, batch norm) at batch 64. PyTorch runs
// each of these with NCHW tensors and with channels_last, and the faster
// counts; its note says which.
//
// Every timing is the fastest of several rounds of calls, on both sides:
// the machine may be shared, and the fastest round is the least disturbed.
// A shared machine's speed also drifts by a tenth or more over minutes, so
// the timed workloads run in passes (--passes, 2 by default), bigfunc,
// OpenBLAS and PyTorch taking turns within each, and every side keeps its
// best figure of all passes.
//
// The full run (without --quick) adds the nanoGPT CPU configuration of
// BENCHMARKS.md's Transformer section: training tokens/s (a forward and
// backward pass at batch 12) and generation tokens/s at batch 1, bigfunc's
// key/value cache against PyTorch recomputing the context (gpt_generate)
// and against a PyTorch loop with a cache of its own
// (gpt_generate_cached). It also adds the whole job: seconds for the
// 784-256-256-10 MLP with Adam (lr 1e-3) at batch 128 to reach 98 % test
// accuracy on MNIST (checked every 100 steps), against the same loop in
// PyTorch: the median over seeds 1–5 on each side (the steps it takes move
// by a third with the seed), the mean time per step, and the peak
// resident memory of both processes.
//
// PyTorch and numpy come from Debian (apt-get install python3-torch, which
// brings python3-numpy); without them only bigfunc's figures are printed.
//
// Usage:
//
//	go run ./bench/compare [--quick] [--threads 1,2] [--passes 2] [--python /usr/bin/python3]
package main
