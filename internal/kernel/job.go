package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// gemmJob is one panel of columns of C in flight: the shared packed B and
// the split of the work into parts that the calling goroutine and any
// helpers claim one at a time.
type gemmJob struct {
	g    *gemmArch
	args gemmArgs

	jc, nb  int       // the panel: columns [jc, jc+nb) of C
	panels  int       // micro-panels of B in it: ⌈nb/nr⌉
	bp      []float32 // packed B: block p0 of k holds its panels at bp[p0*panels*nr:]
	packs   int       // parts of the packing of B
	mTiles  int       // row tiles of C: ⌈m/mr⌉
	rowCuts int       // C is cut into rowCuts×colCuts blocks
	colCuts int
	// own is set when C is cut by columns alone: each part then packs
	// its own columns of B and computes them, with no wait for the rest.
	own bool
	// claims marks the parts of an own-columns product, or of an
	// update, that a worker has taken (see claim).
	claims  []atomic.Bool
	workers int
	// upd, when set, makes the job an optimizer update rather than a
	// product (see runUpdate).
	upd  *update
	updv update

	packNext atomic.Int64  // next packing part to claim
	packDone atomic.Int64  // packing parts finished
	compNext atomic.Int64  // next block of C to claim
	state    atomic.Uint64 // sequence number and active helpers (see pool.go)
}

// setup prepares the job for columns [jc, jc+nb) and the given number of
// workers.
func (j *gemmJob) setup(jc, nb, workers int) {
	g, args := j.g, &j.args
	j.jc, j.nb = jc, nb
	j.panels = (nb + g.nr - 1) / g.nr
	// The packed B stays with the job, which its pool recycles, so that
	// steady-state calls do not allocate.
	if need := args.k * j.panels * g.nr; cap(j.bp) < need {
		j.bp = make([]float32, need)
	} else {
		j.bp = j.bp[:need]
	}
	j.packs = min(workers, j.panels)
	j.mTiles = (args.m + g.mr - 1) / g.mr
	j.rowCuts, j.colCuts = splitC(j.mTiles, j.panels, g.mr, g.nr, args.k, workers, 4*args.m*args.k > l3Bytes)
	j.own = j.rowCuts == 1 && j.colCuts > 1
	j.resetClaims(j.colCuts, workers)
	j.packNext.Store(0)
	j.packDone.Store(0)
	j.compNext.Store(0)
}

// splitC cuts mTiles row tiles × panels column panels into rowCuts×colCuts
// blocks for the given number of workers, minimising the estimated time of
// the slowest worker. Cutting columns makes every block of a row repack the
// same rows of A; cutting rows makes the blocks share one packed B, which
// each reads mostly from other cores' caches after waiting for all of it
// to be packed. The estimate charges both. On a two-core Zen 5 the shared
// B cost a 512×512 product a sixth of its speed at two threads, and a
// 64×784×256 layer more than the second core gained it. bigA says that A
// is larger than the last-level cache's budget: each block that packs all
// of it then streams it from memory, at twice the cost, and the workers
// share the memory's bandwidth. At 2048×2048 on two threads that made the
// row cut 3 % faster, where 1024 (A within the budget) stays 1.5 % faster
// cut by columns.
func splitC(mTiles, panels, mr, nr, k, workers int, bigA bool) (rowCuts, colCuts int) {
	// A product too narrow to cut for every worker leaves some idle.
	workers = min(workers, mTiles*panels)
	if workers == 1 {
		return 1, 1
	}
	packA := 16
	if bigA {
		packA = 32
	}
	best := -1
	for cc := 1; cc <= min(panels, 4*workers); cc++ {
		for rc := 1; rc <= min(mTiles, 4*workers); rc++ {
			parts := rc * cc
			if parts < workers {
				continue
			}
			rows := (mTiles + rc - 1) / rc * mr
			cols := (panels + cc - 1) / cc * nr
			// Multiply-adds of the largest block, plus packing its A
			// (worth about packA multiply-adds an element), plus
			// reading a shared B (16 an element), plus a fixed cost
			// per block; a worker runs ⌈parts/workers⌉ blocks.
			block := rows*k*(cols+packA) + 1<<14
			if rc > 1 {
				block += k * cols * 16
			}
			cost := (parts+workers-1)/workers*block + parts
			if best < 0 || cost < best {
				best, rowCuts, colCuts = cost, rc, cc
			}
		}
	}
	return rowCuts, colCuts
}

// participate claims and runs parts of the job until none is left.
//
// When C is cut by columns alone, a part is a block of columns: pack those
// columns of B, then compute them. The packed panels stay in the cache of
// the core that wrote them, and nobody waits for anybody.
//
// Otherwise every block of C needs all of B: first the packing of B is
// shared out, then blocks of C once all of B is packed.
func (j *gemmJob) participate(ws *workspace, worker int) {
	g, args := j.g, &j.args
	if j.own {
		for {
			part := j.claim(worker)
			if part < 0 {
				return
			}
			q0, q1 := part*j.panels/j.colCuts, (part+1)*j.panels/j.colCuts
			j.packPanels(q0, q1)
			j.block(ws, 0, args.m, q0, q1)
		}
	}
	for {
		part := int(j.packNext.Add(1) - 1)
		if part >= j.packs {
			break
		}
		j.packPanels(part*j.panels/j.packs, (part+1)*j.panels/j.packs)
		j.packDone.Add(1)
	}
	// Parts of B claimed by others may still be in progress; they never
	// wait on anything, so this ends.
	for j.packDone.Load() < int64(j.packs) {
		runtime.Gosched()
	}
	blocks := j.rowCuts * j.colCuts
	for {
		part := int(j.compNext.Add(1) - 1)
		if part >= blocks {
			break
		}
		rc, cc := part/j.colCuts, part%j.colCuts
		t0, t1 := rc*j.mTiles/j.rowCuts, (rc+1)*j.mTiles/j.rowCuts
		q0, q1 := cc*j.panels/j.colCuts, (cc+1)*j.panels/j.colCuts
		j.block(ws, t0*g.mr, min(t1*g.mr, args.m), q0, q1)
	}
}

// work is one pool worker's share of the job: parts of an update, or of a
// product with a workspace of its own.
func (j *gemmJob) work(worker int) {
	if j.upd != nil {
		for part := j.claim(worker); part >= 0; part = j.claim(worker) {
			j.upd.run(part, len(j.claims))
		}
		return
	}
	ws := getWorkspace(j.g)
	j.participate(ws, worker)
	workspacePool.Put(ws)
}

// resetClaims prepares claims for parts parts shared by workers workers.
func (j *gemmJob) resetClaims(parts, workers int) {
	if cap(j.claims) < parts {
		j.claims = make([]atomic.Bool, parts)
	}
	j.claims = j.claims[:parts]
	for i := range j.claims {
		j.claims[i].Store(false)
	}
	j.workers = workers
}

// claim returns a part for worker to run, or -1 when all are taken. A
// worker takes its own parts first (worker, worker+workers, …), so that
// calls cut alike give the same worker the same data each time and it
// stays in that core's cache; then whatever is left.
func (j *gemmJob) claim(worker int) int {
	n := len(j.claims)
	for p := worker; p < n; p += j.workers {
		if !j.claims[p].Load() && j.claims[p].CompareAndSwap(false, true) {
			return p
		}
	}
	for p := 0; p < n; p++ {
		if !j.claims[p].Load() && j.claims[p].CompareAndSwap(false, true) {
			return p
		}
	}
	return -1
}

// packPanels packs micro-panels [lo, hi) of the panel's B, every block of
// k.
func (j *gemmJob) packPanels(lo, hi int) {
	g, args := j.g, &j.args
	kc := kBlock(args.k)
	cols := min(hi*g.nr, j.nb) - lo*g.nr
	for p0 := 0; p0 < args.k; p0 += kc {
		kb := min(kc, args.k-p0)
		dst := j.bp[p0*j.panels*g.nr+lo*kb*g.nr:]
		packB(g, dst, g.nr, args.b, args.ldb, args.transB, p0, kb, j.jc+lo*g.nr, cols)
	}
}

// block computes rows [i0, i1) of C times micro-panels [q0, q1) of the
// packed B: for each block of k, for each group of mc rows, pack those rows
// of A, then sweep the micro-kernel over the tiles, column panel by column
// panel so that a micro-panel of B stays in L1 while the packed A streams
// from L2.
func (j *gemmJob) block(ws *workspace, i0, i1, q0, q1 int) {
	g, args := j.g, &j.args
	mr, nr := g.mr, g.nr
	kc := kBlock(args.k)
	for p0 := 0; p0 < args.k; p0 += kc {
		kb := min(kc, args.k-p0)
		add := args.accumulate || p0 > 0
		bBlock := j.bp[p0*j.panels*nr:]
		for ic := i0; ic < i1; ic += g.mc {
			mb := min(g.mc, i1-ic)
			packA(g, ws.a, mr, args.a, args.lda, args.transA, ic, mb, p0, kb)
			for q := q0; q < q1; q++ {
				bq := bBlock[q*kb*nr : (q+1)*kb*nr]
				col := j.jc + q*nr
				cols := min(nr, j.jc+j.nb-col)
				for ir := 0; ir < mb; ir += mr {
					aq := ws.a[ir*kb : (ir+mr)*kb]
					row := ic + ir
					rows := min(mr, args.m-row)
					if cols == nr {
						if rows == mr {
							g.kernel(kb, aq, bq, args.c[row*args.ldc+col:], args.ldc, add)
							continue
						}
						// A tile that C cuts short below: the edge
						// kernel computes only the rows that exist.
						if g.edge != nil {
							g.edge[rows](kb, aq, bq, args.c[row*args.ldc+col:], args.ldc, add)
							continue
						}
					}
					// Any other edge tile (a column edge, or no
					// edge kernels): compute it whole into scratch,
					// then keep the part inside C. The additions
					// are the kernel's own, so edges round alike.
					g.kernel(kb, aq, bq, ws.tile, nr, false)
					for i := 0; i < rows; i++ {
						ci := args.c[(row+i)*args.ldc+col : (row+i)*args.ldc+col+cols]
						ti := ws.tile[i*nr : i*nr+cols]
						if add {
							for jj, v := range ti {
								ci[jj] += v
							}
						} else {
							copy(ci, ti)
						}
					}
				}
			}
		}
	}
}

// workspace is one goroutine's scratch memory: its packed rows of A and an
// edge tile.
type workspace struct {
	a    []float32
	tile []float32
}

var workspacePool = sync.Pool{New: func() any { return new(workspace) }}

// getWorkspace returns a workspace large enough for g.
func getWorkspace(g *gemmArch) *workspace {
	ws := workspacePool.Get().(*workspace)
	if n := (g.mc + g.mr) * gemmKC; cap(ws.a) < n {
		ws.a = make([]float32, n)
	}
	ws.a = ws.a[:cap(ws.a)]
	if n := g.mr * g.nr; cap(ws.tile) < n {
		ws.tile = make([]float32, n)
	}
	ws.tile = ws.tile[:cap(ws.tile)]
	return ws
}
