package kernel

import (
	"fmt"
	"runtime"
	"sync"
)

// Gemm computes C = op(A)·op(B), or C += op(A)·op(B) when accumulate is set,
// where op(X) is X or Xᵀ as transA and transB say. C is m×n with row stride
// ldc; op(A) is m×k and op(B) is k×n, stored row-major with strides lda and
// ldb (A is k×m when transA is set, B is n×k when transB is set).
//
// Reference loop:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += opA(i, p) * opB(p, j)
//			}
//			if accumulate { C[i*ldc+j] += s } else { C[i*ldc+j] = s }
//		}
//	}
//
// The products are summed in blocks of k (see kBlock; the length depends
// on k alone): within a block in increasing p, with fused multiply-adds
// where the kernel has them, and the block sums are added to C in
// increasing p. How C is split across goroutines never changes that order,
// so the result is bit-for-bit the same for any GOMAXPROCS. A single row
// times a transposed B (m == 1 with transB) follows another order, just as
// fixed: each element is then Dot of a row of A and a row of B. Results may
// differ in the last bits from the reference loop, between builds, and
// between machines with different vector units.
//
// Products of fewer than 2·minParallelWork (about 3·10⁶) multiply-adds, and
// every product with m == 1 (a batch of one), run on the calling goroutine;
// larger ones are shared with a pool of worker goroutines that is started
// on first use. Gemm panics if a slice is too short for the sizes and
// strides given.
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	gemm(false, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// GemmSerial is Gemm on the calling goroutine alone, for callers that
// already share their work among goroutines. Its results are the same
// bits as Gemm's.
func GemmSerial(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	gemm(true, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

func gemm(serial, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernel.Gemm: negative size %d×%d×%d", m, n, k))
	}
	if m == 0 || n == 0 {
		return
	}
	checkMatrix("C", c, m, n, ldc)
	if k == 0 {
		if !accumulate {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	if transA {
		checkMatrix("A", a, k, m, lda)
	} else {
		checkMatrix("A", a, m, k, lda)
	}
	if transB {
		checkMatrix("B", b, n, k, ldb)
	} else {
		checkMatrix("B", b, k, n, ldb)
	}
	g := arch
	if m == 1 {
		gemv(g, transA, transB, n, k, a, lda, b, ldb, c, accumulate)
		return
	}
	j := jobPool.Get().(*gemmJob)
	j.args = gemmArgs{
		transA: transA, transB: transB,
		m: m, n: n, k: k,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
		accumulate: accumulate,
		serial:     serial,
	}
	gemmPacked(g, j)
	// Drop the references to the caller's memory before pooling the job.
	j.args = gemmArgs{}
	jobPool.Put(j)
}

// checkMatrix panics unless x can hold a rows×cols matrix with row stride
// ld. Assembly kernels do not check bounds, so this is where a bad call is
// caught.
func checkMatrix(name string, x []float32, rows, cols, ld int) {
	if rows > 1 && ld < cols {
		panic(fmt.Sprintf("kernel.Gemm: stride of %s is %d, less than its width %d", name, ld, cols))
	}
	if need := (rows-1)*ld + cols; len(x) < need {
		panic(fmt.Sprintf("kernel.Gemm: %s has %d elements, a %d×%d matrix with stride %d needs %d", name, len(x), rows, cols, ld, need))
	}
}

// gemmKC bounds the depth of one block of k: the packed panels of A and B
// are at most gemmKC deep, and products are summed in blocks of that
// length (see Gemm). It is the same for every kernel of a process so that
// they all round alike, and it comes from the size of the L2 cache (see
// blockK).
var gemmKC = blockK(hw.l2, arch.nr)

// blockK returns the depth of the k blocks for an L2 cache of l2 bytes and
// micro-panels of B nr floats wide: a micro-panel of B (kc×nr) takes a
// sixteenth of L2, next to the quarter that the block of A takes (see
// blockM). On a 1 MiB L2 with 32-wide panels that is 512 (64 KiB). The
// result is a multiple of 16 between 128 and 512.
//
// The depth is bounded by L2, not L1: the kernel reads both micro-panels
// as two forward streams at about 13 bytes a cycle, which L2 and the
// hardware prefetchers sustain. What a shallow block costs is passes over
// C, which every block of k loads and stores once and which, from 1024×1024
// on, lives in L3 or memory. On a two-core Zen 5, 512 instead of the
// L1-sized 192 made the 2048 product 5 % faster at one thread and
// 3–15 % faster at two, and the 1024 product 9 % faster while the machine
// was busy.
func blockK(l2, nr int) int {
	kc := l2 / 16 / (nr * 4)
	return min(max(kc&^15, 128), 512)
}

// kBlock returns the length of the blocks k is summed in: at most gemmKC,
// and as equal as possible so that no block is a short, inefficient sliver.
// It depends on k alone, never on the number of workers.
func kBlock(k int) int {
	blocks := (k + gemmKC - 1) / gemmKC
	return (k + blocks - 1) / blocks
}

// gemmArch is one implementation of the inner kernels with the blocking that
// suits it.
type gemmArch struct {
	name string
	// mr×nr is the register tile that kernel computes.
	mr, nr int
	// mc bounds the rows of A packed at once: mc×gemmKC floats should sit
	// in the L2 cache (see blockM).
	mc int
	// kernel computes one full mr×nr tile of C from a packed micro-panel of
	// A (a[p*mr+i]) and one of B (b[p*nr+j]), k deep:
	//
	//	for i < mr, j < nr:
	//		s := 0
	//		for p < k { s += a[p*mr+i] * b[p*nr+j] }
	//		if add { c[i*ldc+j] += s } else { c[i*ldc+j] = s }
	kernel func(k int, a, b, c []float32, ldc int, add bool)
	// edge, where there are edge kernels, holds for each rows < mr
	// (edge[rows]; edge[0] is nil) a kernel that computes only the first
	// rows rows of such a tile, straight into C, from the same packed
	// micro-panels: a[p*mr+i] for i < rows. Each element it writes must
	// be the same bits kernel would write there. Without them a tile
	// that C cuts short is computed whole into scratch and copied.
	edge []func(k int, a, b, c []float32, ldc int, add bool)
	// gemvN is the same computation for a single row of C read straight
	// from unpacked B, for n a multiple of gemvWidth:
	//
	//	for j < n:
	//		s := 0
	//		for p < k { s += a[p] * b[p*ldb+j] }
	//		if add { c[j] += s } else { c[j] = s }
	gemvN     func(k int, a, b []float32, ldb int, c []float32, n int, add bool)
	gemvWidth int
	// transpose, where there is one, packs transposed blocks with
	// transposeWidth rows at a time (see transposeAVX512); packing falls
	// back to plain loops without it.
	transpose      func(dst []float32, ldd int, src []float32, lds int, rows, lanes, cols int)
	transposeWidth int
	// copyRows, where there is one, packs blocks that need no transposing:
	//
	//	for r < rows, j < width:
	//		dst[r*ldd+j] = src[r*lds+j] if j < n, else 0
	//
	// for n ≤ width ≤ copyWidth. Packing falls back to copy and clear,
	// row by row, without it; at one call per row of a micro-panel that
	// took a tenth of a 256×256 product.
	copyRows  func(dst []float32, ldd int, src []float32, lds int, rows, n, width int)
	copyWidth int
}

// arch is the implementation Gemm uses, chosen once for the machine.
var arch = bestArch()

func init() {
	for _, g := range allArchs() {
		g.mc = blockM(hw.l2, gemmKC, g.mr)
	}
}

// blockM returns how many rows of A to pack at once for an L2 cache of l2
// bytes, k blocks kc deep and micro-panels mr rows tall: the packed block
// of A (mc×kc floats) takes a quarter of L2, so that it stays there while
// the micro-panels of B stream through from L3 and the tiles of C come and
// go. On a 1 MiB L2 with kc = 512 and 14-row panels that is 126 rows
// (252 KiB). The result is a multiple of mr, at least 2·mr.
func blockM(l2, kc, mr int) int {
	mc := l2 / 4 / (kc * 4)
	return max(mc/mr*mr, 2*mr)
}

// minParallelWork is the number of multiply-adds each worker should get at
// least: handing a part to another goroutine costs a few microseconds, and
// below about 128³ splitting a product does not pay for that. Products get
// one worker per minParallelWork, up to GOMAXPROCS.
const minParallelWork = 3 << 19

// maxPackedB bounds, in floats, the panel of B packed at once, and
// maxPanelC the panel of C computed from it: columns are taken in panels of
// at most maxPackedB/k and maxPanelC/m. Every block of k passes over the
// whole panel of C, which should therefore stay in the last-level cache
// between passes rather than go back to memory: the packed B takes half of
// the L3 budget (see l3Budget), the panel of C a quarter.
var maxPackedB, maxPanelC = l3Bytes / 8, l3Bytes / 16

// l3Bytes is the share of the last-level cache a product may count on
// (see l3Budget).
var l3Bytes = l3Budget(hw)

// minPanel is the fewest columns a panel is cut to, whatever the cache:
// every panel packs the rows of A again, and below about a thousand
// columns that repacking costs more than letting C stream from memory,
// which a core can feed at these rates (a block of k does 2·kc
// floating-point operations for each element of C it reads and writes).
// maxPackedMem bounds the packed B in floats all the same.
const (
	minPanel     = 1024
	maxPackedMem = 1 << 24
)

// gemmArgs holds one call's operands.
type gemmArgs struct {
	transA, transB bool
	m, n, k        int
	a              []float32
	lda            int
	b              []float32
	ldb            int
	c              []float32
	ldc            int
	accumulate     bool
	serial         bool // no helpers (GemmSerial)
}

// gemmPacked runs the packed, cache-blocked algorithm: for each panel of
// columns of C, B is packed once into micro-panels shared by all workers,
// then the panel of C is cut into blocks of rows and columns, and each
// block packs its own rows of A and runs the micro-kernel over its tiles.
func gemmPacked(g *gemmArch, j *gemmJob) {
	m, n, k := j.args.m, j.args.n, j.args.k
	workers := max(1, min(runtime.GOMAXPROCS(0), m*n*k/minParallelWork))
	if j.args.serial {
		workers = 1
	}
	nc := max(min(maxPackedB/k, maxPanelC/m), min(minPanel, maxPackedMem/k))
	nc = max(g.nr, nc/g.nr*g.nr)
	if nc < n {
		// Equal panels rather than full ones and a sliver.
		panels := (n + nc - 1) / nc
		nc = ((n+panels-1)/panels + g.nr - 1) / g.nr * g.nr
	}
	j.g = g
	for jc := 0; jc < n; jc += nc {
		j.setup(jc, min(nc, n-jc), workers)
		if workers == 1 {
			ws := getWorkspace(g)
			j.participate(ws, 0)
			workspacePool.Put(ws)
		} else {
			runParallel(j, workers)
		}
	}
	j.g = nil
}

var jobPool = sync.Pool{New: func() any { return new(gemmJob) }}
