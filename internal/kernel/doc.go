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
//
// # Matrix multiplication
//
// Gemm follows the blocked scheme of BLIS and GotoBLAS. For each panel of
// columns of C, the matching columns of op(B) are packed once, in blocks
// of at most gemmKC rows, into micro-panels nr columns wide (packing reads
// B in whatever layout it has, so one micro-kernel serves every
// combination of transposes). The panel of C is then cut into blocks;
// each block packs its rows of op(A), mc at a time, into micro-panels mr
// rows tall, and sweeps the micro-kernel over its mr×nr tiles. The packed
// rows of A (mc×gemmKC) stay in L2 while the kernel streams a micro-panel
// of B past each of their micro-panels in turn.
//
// The block sizes come from the caches found when the program starts
// (Caches: CPUID leaf 4 on Intel, 0x8000001D or 0x80000005/6 on AMD, else
// /sys/devices/system/cpu/cpu0/cache, else typical sizes): gemmKC makes
// the micro-panel of B a sixteenth of L2, as deep as L2 allows so that C
// is passed over as few times as possible, mc makes the block of A a
// quarter of L2, and the column panels are bounded by the share of L3
// that falls to the CPUs of the process. gemmKC fixes where sums are
// split, so results can differ in the last bits between machines with
// different L2 caches, never between runs or thread counts on one machine.
//
// The micro-kernels are chosen when the program starts, by what the CPU
// supports:
//
//   - AVX-512: 14×32 tiles, 28 zmm accumulators (gemm_amd64.s).
//   - AVX2 with FMA: 6×16 tiles, 12 ymm accumulators.
//   - NEON on arm64: 8×12 tiles, 24 accumulators, multiply-adds by
//     element (gemm_arm64.s).
//   - Go (any platform, or the noasm build tag): 4×4 tiles, or 2×4 where
//     only 16 floating-point registers exist.
//
// The assembly is written by asmgen (go generate); on amd64 packing
// transposes with in-register 16×16 (or 8×8) transposes where the source
// layout needs it, and copies whole micro-panels with masked vector moves
// where it does not.
// A tile that C cuts short in rows only goes to a row-edge kernel of that
// many rows (amd64), which reads the same packed panels and writes the same
// bits as the full kernel would. Other edge tiles, and every edge tile on
// the other kernels, are computed whole into scratch memory against
// zero-padded panels, then the valid part is copied out.
//
// Large products are shared between the calling goroutine and a pool of
// helper goroutines started on first use. Where C is cut by columns
// alone, each part packs its own columns of B and computes them, so the
// packed panels stay in the cache of the core that wrote them, and worker
// p (the caller is worker 0) takes part p first, so that a product cut
// the same way every step gives each core the same rows of a weight.
// Otherwise the packing of B is split by micro-panels, then the blocks of
// C are claimed one at a time. The optimizer updates of large parameters
// (SGDMomentum, Adam) are cut into contiguous parts and shared the same
// way, so that each core updates the rows it last read and wrote. Each
// element of C is computed by one goroutine, in an order fixed by k alone,
// so results do not depend on the number of threads. Products with one row
// (inference on a single sample) skip packing and run on the calling
// goroutine.
//
// # Build tags
//
// Files ending in _amd64 and _arm64 (.go and .s) hold the assembly and are
// built unless the noasm tag is set; the _noasm.go files stand in for them
// with the pure-Go twins (gemm_go.go, vec_go.go, and the loops named …Go),
// which are also the fallback on amd64 CPUs without AVX2. The vector loops
// round exactly as their twins do, on both architectures, and tests check
// them bit for bit. (cpuid_amd64.s, which only reads the machine, is built
// either way.)
package kernel
