package nn

import (
	"runtime"
	"sync/atomic"

	"github.com/bigfunc/bigfunc/internal/kernel"
)

// This file holds the arithmetic that Conv1d, Conv2d and ConvTranspose2d
// share. Everything is phrased from the point of view of one 2-d
// cross-correlation (a 1-d one has h = kh = 1), which reads an image of c
// channels of h×w and writes columns of o channels of ho×wo:
//
//	out[co][oh][ow] = Σ_{ci in co's group, i, j} w[co][ci'][i][j] · img[ci][oh·sh−ph+i·dh][ow·sw−pw+j·dw]
//
// with w of shape [o, c/groups, kh, kw] and zeros outside the image.
// Conv2d's forward pass is conv, its input gradient convT and its weight
// gradient wgrad. ConvTranspose2d, whose weight [in, out/groups, kh, kw]
// is that of the convolution it transposes, runs the same three with the
// roles of its input and output swapped: its forward pass is convT.

// convGeom is the geometry of one convolution as described above.
type convGeom struct {
	c, h, w int // image channels and size
	o       int // output channels
	ho, wo  int // output size
	kh, kw  int
	sh, sw  int // stride
	ph, pw  int // padding before the first row and column; the padding after follows from ho and wo
	dh, dw  int // dilation
	groups  int
}

// imgSize and outSize are the floats of one sample on each side.
func (g *convGeom) imgSize() int { return g.c * g.h * g.w }
func (g *convGeom) outSize() int { return g.o * g.ho * g.wo }

// kdim is the length of one group's dot products: (c/groups)·kh·kw, the
// row length of the weight matrix.
func (g *convGeom) kdim() int { return g.c / g.groups * g.kh * g.kw }

// identity reports whether the image and the columns are the same matrix
// (a 1×1 kernel with stride 1 and no padding), so that im2col is a no-op.
func (g *convGeom) identity() bool {
	return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 &&
		g.ho == g.h && g.wo == g.w
}

// span returns the output columns [lo, hi) whose kernel column j falls
// inside the image, and off, such that the image column read is ow·sw+off.
func (g *convGeom) span(j int) (lo, hi, off int) {
	off = j*g.dw - g.pw
	lo = ceilDiv(-off, g.sw)
	lo = max(lo, 0)
	hi = floorDiv(g.w-1-off, g.sw) + 1
	hi = min(hi, g.wo)
	return lo, max(hi, lo), off
}

// rowSpan is span for the rows and kernel row i.
func (g *convGeom) rowSpan(i int) (lo, hi, off int) {
	off = i*g.dh - g.ph
	lo = max(ceilDiv(-off, g.sh), 0)
	hi = min(floorDiv(g.h-1-off, g.sh)+1, g.ho)
	return lo, max(hi, lo), off
}

// ceilDiv is ⌈a/b⌉ for b > 0 (floorDiv is pooling's, in pool.go).
func ceilDiv(a, b int) int { return -floorDiv(-a, b) }

// Strided images are unfolded through their phases. With strides sh×sw
// an image plane splits into sh·sw phase planes of hp×wp = ⌈h/sh⌉×⌈w/sw⌉,
// phase (a, b) holding the elements whose row is a mod sh and column b mod
// sw (zeros past the image). Kernel tap (i, j) of output (oh, ow) reads
// image row oh·sh + i·dh − ph = (oh+du)·sh + a with a = (i·dh−ph) mod sh
// and du = ⌊(i·dh−ph)/sh⌋, and likewise for columns: in phase (a, b) it
// reads row oh+du and column ow+dv, a shift with stride 1. So every row of
// columns is a shifted copy of one phase plane, contiguous runs that copy
// at memory speed, rather than a strided gather element by element; when
// wo == wp a whole row of columns is one copy. With stride 1 the image is
// its only phase and needs no splitting.

// phases returns the number of phase planes of each channel and their size.
func (g *convGeom) phases() (count, hp, wp int) {
	return g.sh * g.sw, ceilDiv(g.h, g.sh), ceilDiv(g.w, g.sw)
}

// strided reports whether the image is unfolded through a split into
// phases.
func (g *convGeom) strided() bool { return g.sh > 1 || g.sw > 1 }

// phaseSize is the floats of one sample's phase planes, 0 without stride.
func (g *convGeom) phaseSize() int {
	if !g.strided() {
		return 0
	}
	count, hp, wp := g.phases()
	return g.c * count * hp * wp
}

// tap returns, for kernel tap (i, j), the phase plane it reads (its index
// among a channel's phases) and the shift (du, dv) of the read.
func (g *convGeom) tap(i, j int) (phase, du, dv int) {
	offH, offW := i*g.dh-g.ph, j*g.dw-g.pw
	du, dv = floorDiv(offH, g.sh), floorDiv(offW, g.sw)
	a, b := offH-du*g.sh, offW-dv*g.sw
	return a*g.sw + b, du, dv
}

// split writes the phase planes of every channel of the image x into ph,
// channel by channel, phase by phase.
func (g *convGeom) split(ph, x []float32) {
	count, hp, wp := g.phases()
	hw, size := g.h*g.w, hp*wp
	for ci := 0; ci < g.c; ci++ {
		xc := x[ci*hw : (ci+1)*hw]
		pc := ph[ci*count*size : (ci+1)*count*size]
		for a := 0; a < g.sh; a++ {
			for u := 0; u < hp; u++ {
				ih := u*g.sh + a
				if ih >= g.h {
					for b := 0; b < g.sw; b++ {
						clear(pc[(a*g.sw+b)*size+u*wp : (a*g.sw+b)*size+(u+1)*wp])
					}
					continue
				}
				src := xc[ih*g.w : (ih+1)*g.w]
				if g.sw == 2 {
					// The common stride, two phases at a time.
					r0 := pc[(a*2)*size+u*wp : (a*2)*size+(u+1)*wp]
					r1 := pc[(a*2+1)*size+u*wp : (a*2+1)*size+(u+1)*wp]
					deinterleave2(r0, r1, src)
					continue
				}
				for b := 0; b < g.sw; b++ {
					row := pc[(a*g.sw+b)*size+u*wp : (a*g.sw+b)*size+(u+1)*wp]
					v := 0
					for iw := b; iw < g.w; iw += g.sw {
						row[v] = src[iw]
						v++
					}
					clear(row[v:])
				}
			}
		}
	}
}

// deinterleave2 copies the even elements of src into r0 and the odd ones
// into r1, zero-filling both to their lengths (⌈len(src)/2⌉).
func deinterleave2(r0, r1, src []float32) {
	n := len(src) / 2
	e, o := r0[:n], r1[:n]
	for v := range e {
		p := src[2*v : 2*v+2 : 2*v+2]
		e[v], o[v] = p[0], p[1]
	}
	clear(r0[n:])
	clear(r1[n:])
	if len(src)%2 == 1 {
		r0[n] = src[2*n]
	}
}

// merge is split's inverse: it copies the phase planes in ph back into the
// image x (the zeros past the image are dropped).
func (g *convGeom) merge(x, ph []float32) {
	count, hp, wp := g.phases()
	hw, size := g.h*g.w, hp*wp
	for ci := 0; ci < g.c; ci++ {
		xc := x[ci*hw : (ci+1)*hw]
		pc := ph[ci*count*size : (ci+1)*count*size]
		for a := 0; a < g.sh; a++ {
			for u := 0; u*g.sh+a < g.h; u++ {
				dst := xc[(u*g.sh+a)*g.w : (u*g.sh+a+1)*g.w]
				if g.sw == 2 {
					r0 := pc[(a*2)*size+u*wp : (a*2)*size+(u+1)*wp]
					r1 := pc[(a*2+1)*size+u*wp : (a*2+1)*size+(u+1)*wp]
					interleave2(dst, r0, r1)
					continue
				}
				for b := 0; b < g.sw; b++ {
					row := pc[(a*g.sw+b)*size+u*wp : (a*g.sw+b)*size+(u+1)*wp]
					v := 0
					for iw := b; iw < g.w; iw += g.sw {
						dst[iw] = row[v]
						v++
					}
				}
			}
		}
	}
}

// interleave2 is deinterleave2's inverse: dst's even elements from r0,
// its odd ones from r1.
func interleave2(dst, r0, r1 []float32) {
	n := len(dst) / 2
	e, o := r0[:n], r1[:n]
	for v := range e {
		p := dst[2*v : 2*v+2 : 2*v+2]
		p[0], p[1] = e[v], o[v]
	}
	if len(dst)%2 == 1 {
		dst[2*n] = r0[n]
	}
}

// shiftSpan returns the outputs [lo, hi) of a line of n outputs whose
// shifted read d lands inside a line of m inputs.
func shiftSpan(n, m, d int) (lo, hi int) {
	// A read shifted past the whole line (a padding wider than the
	// output with a dilated tap) leaves lo = hi = n: nothing inside.
	lo, hi = min(n, max(0, -d)), min(n, m-d)
	return lo, max(lo, hi)
}

// shiftCopy sets dst[oh][ow] (ho×wo) to src[oh+du][ow+dv] (hp×wp), zero
// where that falls outside src.
func shiftCopy(dst []float32, ho, wo int, src []float32, hp, wp, du, dv int) {
	rlo, rhi := shiftSpan(ho, hp, du)
	lo, hi := shiftSpan(wo, wp, dv)
	dst = dst[:ho*wo]
	clear(dst[:rlo*wo])
	clear(dst[rhi*wo:])
	if rlo == rhi || lo == hi {
		// No element of src lands in dst: the rows inside are zeros.
		clear(dst[rlo*wo : rhi*wo])
		return
	}
	kernel.FrameRows(dst[rlo*wo:], wo, src[(rlo+du)*wp+lo+dv:], wp, rhi-rlo, lo, hi, wo)
}

// shiftAdd is shiftCopy's adjoint: it adds src[oh][ow] (ho×wo) into
// dst[oh+du][ow+dv] (hp×wp) wherever that lies inside dst. It may
// overwrite the entries of src that it drops.
func shiftAdd(dst []float32, hp, wp int, src []float32, ho, wo, du, dv int) {
	rlo, rhi := shiftSpan(ho, hp, du)
	lo, hi := shiftSpan(wo, wp, dv)
	if rlo == rhi {
		return
	}
	if wo == wp {
		// Zero the entries that would wrap into the neighbouring row,
		// then add all rows at once.
		shift := du*wp + dv
		t0, t1 := max(rlo*wo, -shift), min(rhi*wo, hp*wp-shift)
		zeroEdges(src, rlo, rhi, wo, lo, hi)
		kernel.AddTo(dst[t0+shift:t1+shift], src[t0:t1])
		return
	}
	for oh := rlo; oh < rhi; oh++ {
		kernel.AddTo(dst[(oh+du)*wp+lo+dv:(oh+du)*wp+hi+dv], src[oh*wo+lo:oh*wo+hi])
	}
}

// im2col writes the columns of one sample's image x into col, one row per
// (channel, i, j) in that order and ho·wo entries per row, rows ld apart:
//
//	col[((ci·kh+i)·kw+j)·ld + oh·wo+ow] = x[ci][oh·sh−ph+i·dh][ow·sw−pw+j·dw]  (0 outside)
//
// A strided image is first split into ph (phaseSize floats).
func (g *convGeom) im2col(col []float32, ld int, x, ph []float32) {
	count, hp, wp := 1, g.h, g.w
	planes := x
	if g.strided() {
		count, hp, wp = g.phases()
		g.split(ph, x)
		planes = ph
	}
	n, kk := g.ho*g.wo, g.kh*g.kw
	for i := 0; i < g.kh; i++ {
		for j := 0; j < g.kw; j++ {
			phase, du, dv := g.tap(i, j)
			for ci := 0; ci < g.c; ci++ {
				r := ci*kk + i*g.kw + j
				pl := planes[(ci*count+phase)*hp*wp : (ci*count+phase+1)*hp*wp]
				shiftCopy(col[r*ld:r*ld+n], g.ho, g.wo, pl, hp, wp, du, dv)
			}
		}
	}
}

// zeroEdges zeroes columns [0, lo) and [hi, w) of rows [rlo, rhi) of the
// plane p of width w.
func zeroEdges(p []float32, rlo, rhi, w, lo, hi int) {
	if lo == 0 && hi == w {
		return
	}
	// Loops rather than clear: the edges are a few elements, too short
	// to be worth a call.
	p = p[rlo*w : rhi*w]
	for oh := 0; oh+w <= len(p); oh += w {
		r := p[oh : oh+w]
		for q := range r[:lo] {
			r[q] = 0
		}
		for q := hi; q < len(r); q++ {
			r[q] = 0
		}
	}
}

// col2im is the adjoint of im2col: it adds every entry of col to the
// image element it was read from, dx[ci][ih][iw] += col[…] (entries that
// fall in the padding are dropped), each element receiving its taps in
// (i, j) order. It may overwrite those dropped entries of col. A strided
// image's gradient is split into ph, added to there and merged back.
func (g *convGeom) col2im(dx []float32, col []float32, ld int, ph []float32) {
	count, hp, wp := 1, g.h, g.w
	planes := dx
	if g.strided() {
		count, hp, wp = g.phases()
		g.split(ph, dx)
		planes = ph
	}
	// Taps in the outer loop: each element still receives its taps in
	// (i, j) order.
	n, kk := g.ho*g.wo, g.kh*g.kw
	for i := 0; i < g.kh; i++ {
		for j := 0; j < g.kw; j++ {
			phase, du, dv := g.tap(i, j)
			for ci := 0; ci < g.c; ci++ {
				r := ci*kk + i*g.kw + j
				pl := planes[(ci*count+phase)*hp*wp : (ci*count+phase+1)*hp*wp]
				shiftAdd(pl, hp, wp, col[r*ld:r*ld+n], g.ho, g.wo, du, dv)
			}
		}
	}
	if g.strided() {
		g.merge(dx, ph)
	}
}

// convImpl computes the products of one convolution geometry on batches
// of n samples. Each writes or adds its result as its comment says and
// keeps any scratch memory it needs from one call to the next, so a warm
// call allocates nothing.
type convImpl interface {
	// conv computes out = conv(img) + bias for n samples, or adds
	// conv(img) to out if add is set (bias is then nil).
	conv(out, img, w, bias []float32, n int, add bool)
	// convT adds the transpose of conv applied to out into img: the
	// gradient of conv with respect to its image.
	convT(img, out, w []float32, n int)
	// backward adds convT(out) into dimg and the gradient of the weight,
	// Σ out ⊗ columns(img), into dw; either may be nil.
	backward(dimg, dw, img, out, w []float32, n int)
	// backwardT adds conv(img) into dout and the weight gradient into dw,
	// either of which may be nil: the backward pass of a transposed
	// convolution, whose output gradient is img.
	backwardT(dout, dw, img, out, w []float32, n int)
}

// newConvImpl returns the implementation that suits g, with scratch space
// for up to rows samples: direct loops for depthwise convolutions, whose
// products are too thin for a matrix multiply, and im2col with matrix
// products for the rest.
func newConvImpl(g convGeom, rows int) convImpl {
	if g.c == g.groups && g.groups > 1 {
		return newDepthwiseConv(g)
	}
	return newGemmConv(g, rows)
}

// colBudget bounds, in floats, the columns unfolded at once: enough
// samples that the matrix products are large (long rows for the forward
// product, a deep sum for the weight gradient), few enough that the
// columns stay in cache between being written and being read.
const colBudget = 1 << 18

// gemmConv runs a convolution as matrix products over the unfolded
// columns of chunk samples at a time. For group gi, with K = kdim() and
// P = chunk·ho·wo,
//
//	out_gi (o/groups × P) = w_gi (o/groups × K) · col_gi (K × P)
//
// where col holds the samples' columns side by side. The chunk depends on
// the geometry alone, never on the batch or the number of threads.
//
// A batch of several chunks is shared among goroutines a chunk at a
// time, each with its own scratch and its matrix products on its own
// goroutine: one hand-off per call, where splitting every product and
// copy loop of every chunk cost a hand-off each and gained nothing at two
// threads. Each chunk writes its own samples' outputs and input
// gradients; its share of the weight gradient goes to a slot of its own,
// and the slots are added in chunk order. So the results are the same
// bits for any GOMAXPROCS. A batch of one chunk runs on one worker, whose
// products and loops are then split as before.
type gemmConv struct {
	g     convGeom
	chunk int
	plane []float32 // o × ho·wo: the bias of each channel, repeated
	bias  bool      // whether phaseScatter adds plane
	dwT   []float32 // the weight gradient of a batch, transposed per group
	parts []float32 // the chunks' weight gradients, a slot each, before they are added to dwT

	workers []*convWorker // workers[0] serves batches of one chunk

	// The call in flight, which the chunks of a batch share.
	op             int
	out, img, w    []float32
	dimg, dout, dw []float32
	add            bool
	n, count       int
	next           atomic.Int64
	job            forJob
	runner         chunkRunner
}

// The calls that run chunk by chunk.
const (
	opConv      = iota // out (+)= conv(img)
	opConvT            // img += convT(out)
	opBackward         // dimg += convT(out), dw += wgrad(img, out)
	opBackwardT        // dout += conv(img), dw += wgrad(img, out)
)

// convWorker is one goroutine's scratch and the copy loops of the chunk
// it is on.
type convWorker struct {
	e   *gemmConv
	col []float32 // c·kh·kw × chunk·ho·wo
	mat []float32 // o × chunk·ho·wo: out of chunk samples side by side
	ph  []float32 // the phase planes of chunk samples (strided images only)
	// alone is set while the batch's chunks are shared among goroutines:
	// this worker's products and loops then stay on its goroutine.
	alone bool

	// The loop over the samples of a chunk that run does, and its operands.
	job   forJob
	phase int
	img   []float32
	out   []float32
	s0, b int
	add   bool
}

// The loops of a chunk, which run does for one sample each.
const (
	phaseIm2col  = iota // columns of img into col
	phaseGather         // out into mat
	phaseScatter        // mat into out (added if add), plus the bias plane
	phaseAddBias        // the bias plane into out
	phaseCol2im         // col into img
)

func newGemmConv(g convGeom, rows int) *gemmConv {
	per := g.c * g.kh * g.kw * g.ho * g.wo
	e := &gemmConv{g: g, chunk: max(1, colBudget/max(per, 1))}
	e.runner.e = e
	e.plane = make([]float32, g.outSize())
	e.dwT = make([]float32, g.o*g.kdim())
	e.workers = []*convWorker{e.newWorker(min(e.chunk, max(rows, 1)))}
	return e
}

// newWorker returns a worker with scratch for chunks of up to b samples.
func (e *gemmConv) newWorker(b int) *convWorker {
	g := &e.g
	wk := &convWorker{e: e}
	if !g.identity() || b > 1 {
		wk.col = make([]float32, b*g.c*g.kh*g.kw*g.ho*g.wo)
	}
	if b > 1 {
		wk.mat = make([]float32, b*g.outSize())
	}
	wk.ph = make([]float32, b*g.phaseSize())
	return wk
}

// chunkRunner is the parallel loop over workers: item i is worker i,
// which takes chunks until none is left.
type chunkRunner struct{ e *gemmConv }

func (r *chunkRunner) run(i int) {
	e := r.e
	wk := e.workers[i]
	wk.alone = true
	for {
		c := int(e.next.Add(1) - 1)
		if c >= e.count {
			break
		}
		e.doChunk(wk, c)
	}
	wk.alone = false
}

// forChunks runs the call set in e over the n samples, chunk by chunk,
// sharing the chunks among goroutines when there are several.
func (e *gemmConv) forChunks(n int) {
	e.n, e.count = n, (n+e.chunk-1)/e.chunk
	workers := min(runtime.GOMAXPROCS(0), e.count)
	if e.op == opBackward || e.op == opBackwardT {
		if e.dw != nil && e.count > 1 {
			slots := 1
			if workers > 1 {
				slots = e.count
			}
			if need := slots * len(e.dwT); len(e.parts) < need {
				e.parts = make([]float32, need)
			}
		}
	}
	if workers < 2 {
		wk := e.workers[0]
		if b := min(e.chunk, n); !wk.fits(b) {
			// A batch larger than the one the kernel was made for.
			wk = e.newWorker(b)
			e.workers[0] = wk
		}
		for c := range e.count {
			e.doChunk(wk, c)
		}
		return
	}
	for len(e.workers) < workers {
		e.workers = append(e.workers, nil)
	}
	for i := range workers {
		if wk := e.workers[i]; wk == nil || !wk.fits(e.chunk) {
			e.workers[i] = e.newWorker(e.chunk)
		}
	}
	e.next.Store(0)
	e.job.parallelFor(&e.runner, workers, 1<<62)
	if e.dw != nil && e.count > 1 {
		// The chunks' shares, in chunk order.
		size := len(e.dwT)
		for c := range e.count {
			kernel.AddTo(e.dwT, e.parts[c*size:(c+1)*size])
		}
	}
}

// fits reports whether the worker's scratch holds chunks of b samples.
func (wk *convWorker) fits(b int) bool {
	g := &wk.e.g
	return len(wk.ph) >= b*g.phaseSize() && (b == 1 || len(wk.mat) >= b*g.outSize()) &&
		(g.identity() && b == 1 || len(wk.col) >= b*g.c*g.kh*g.kw*g.ho*g.wo)
}

// doChunk runs chunk c of the call in flight on worker wk.
func (e *gemmConv) doChunk(wk *convWorker, c int) {
	s0 := c * e.chunk
	b := min(e.chunk, e.n-s0)
	switch e.op {
	case opConv:
		col, ldb := wk.columns(e.img, s0, b)
		wk.convChunk(e.out, col, ldb, e.w, s0, b, e.add)
	case opConvT:
		m, ldm := wk.gather(e.out, s0, b)
		wk.convTChunk(e.img, m, ldm, e.w, s0, b)
	case opBackward:
		m, ldm := wk.gather(e.out, s0, b)
		if e.dw != nil {
			col, ldc := wk.columns(e.img, s0, b)
			e.wgrad(wk, c, m, ldm, col, ldc, b)
		}
		if e.dimg != nil {
			// This overwrites the columns, which the weight no longer needs.
			wk.convTChunk(e.dimg, m, ldm, e.w, s0, b)
		}
	case opBackwardT:
		col, ldc := wk.columns(e.img, s0, b)
		if e.dout != nil {
			wk.convChunk(e.dout, col, ldc, e.w, s0, b, true)
		}
		if e.dw != nil {
			// After convChunk, which uses the worker's mat for its result.
			m, ldm := wk.gather(e.out, s0, b)
			e.wgrad(wk, c, m, ldm, col, ldc, b)
		}
	}
}

// gemm is kernel.Gemm, kept on the calling goroutine while the worker
// shares a batch with others.
func (wk *convWorker) gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	if wk.alone {
		kernel.GemmSerial(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
		return
	}
	kernel.Gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// forChunk runs phase for each of the b samples of the chunk at s0, in
// parallel when it is worth it and the worker is not sharing a batch.
func (wk *convWorker) forChunk(phase, s0, b int, img, out []float32) {
	g := &wk.e.g
	wk.phase, wk.s0, wk.b, wk.img, wk.out = phase, s0, b, img, out
	if wk.alone {
		for s := range b {
			wk.run(s)
		}
	} else {
		work := b * g.outSize()
		if phase == phaseIm2col || phase == phaseCol2im {
			work = b * g.c * g.kh * g.kw * g.ho * g.wo
		}
		wk.job.parallelFor(wk, b, work)
	}
	wk.img, wk.out = nil, nil
}

func (wk *convWorker) run(s int) {
	e := wk.e
	g := &e.g
	is, os, howo := g.imgSize(), g.outSize(), g.ho*g.wo
	ld := wk.b * howo
	switch wk.phase {
	case phaseIm2col:
		g.im2col(wk.col[s*howo:], ld, wk.img[(wk.s0+s)*is:(wk.s0+s+1)*is], wk.ph[s*g.phaseSize():])
	case phaseCol2im:
		g.col2im(wk.img[(wk.s0+s)*is:(wk.s0+s+1)*is], wk.col[s*howo:], ld, wk.ph[s*g.phaseSize():])
	case phaseGather:
		src := wk.out[(wk.s0+s)*os:]
		for co := 0; co < g.o; co++ {
			copy(wk.mat[co*ld+s*howo:co*ld+(s+1)*howo], src[co*howo:(co+1)*howo])
		}
	case phaseScatter:
		dst := wk.out[(wk.s0+s)*os : (wk.s0+s+1)*os]
		for co := 0; co < g.o; co++ {
			d, m := dst[co*howo:(co+1)*howo], wk.mat[co*ld+s*howo:co*ld+(s+1)*howo]
			switch {
			case wk.add:
				kernel.AddTo(d, m)
			case e.bias:
				kernel.Add(d, m, e.plane[co*howo:(co+1)*howo])
			default:
				copy(d, m)
			}
		}
	case phaseAddBias:
		kernel.AddTo(wk.out[(wk.s0+s)*os:(wk.s0+s+1)*os], e.plane)
	}
}

// columns returns the columns of samples [s0, s0+b) of img and their row
// stride: the image itself when im2col would only copy it, else unfolded
// into the worker's col.
func (wk *convWorker) columns(img []float32, s0, b int) ([]float32, int) {
	g := &wk.e.g
	if b == 1 && g.identity() {
		is := g.imgSize()
		return img[s0*is : (s0+1)*is], g.ho * g.wo
	}
	wk.forChunk(phaseIm2col, s0, b, img, nil)
	return wk.col, b * g.ho * g.wo
}

// gather returns out's samples [s0, s0+b) as one o × b·ho·wo matrix and
// its row stride: out itself for one sample, else copied into the
// worker's mat.
func (wk *convWorker) gather(out []float32, s0, b int) ([]float32, int) {
	g := &wk.e.g
	if b == 1 {
		os := g.outSize()
		return out[s0*os : (s0+1)*os], g.ho * g.wo
	}
	wk.forChunk(phaseGather, s0, b, nil, out)
	return wk.mat, b * g.ho * g.wo
}

// setBias fills e.plane with bias, or notes that there is none.
func (e *gemmConv) setBias(bias []float32) {
	e.bias = bias != nil
	if bias == nil {
		return
	}
	howo := e.g.ho * e.g.wo
	for co, v := range bias {
		p := e.plane[co*howo : (co+1)*howo]
		for i := range p {
			p[i] = v
		}
	}
}

// convChunk computes the convolution of the chunk [s0, s0+b) from its
// columns into out, added if add is set, plus the bias set by setBias.
func (wk *convWorker) convChunk(out, col []float32, ldb int, w []float32, s0, b int, add bool) {
	e := wk.e
	g := &e.g
	os, howo, k := g.outSize(), g.ho*g.wo, g.kdim()
	og := g.o / g.groups
	if b == 1 {
		// One sample: straight into out.
		c := out[s0*os : (s0+1)*os]
		for gi := 0; gi < g.groups; gi++ {
			wk.gemm(false, false, og, howo, k, w[gi*og*k:], k, col[gi*k*ldb:], ldb, c[gi*og*howo:], howo, add)
		}
		if e.bias {
			kernel.AddTo(c, e.plane)
		}
		return
	}
	// Several: into the worker's mat, then scattered to their places in out.
	ld := b * howo
	for gi := 0; gi < g.groups; gi++ {
		wk.gemm(false, false, og, ld, k, w[gi*og*k:], k, col[gi*k*ldb:], ldb, wk.mat[gi*og*ld:], ld, false)
	}
	wk.add = add
	wk.forChunk(phaseScatter, s0, b, nil, out)
}

// convTChunk adds the transposed convolution of the chunk's m (o × b·ho·wo,
// row stride ldm) into img.
func (wk *convWorker) convTChunk(img, m []float32, ldm int, w []float32, s0, b int) {
	g := &wk.e.g
	is, howo, k := g.imgSize(), g.ho*g.wo, g.kdim()
	og := g.o / g.groups
	if b == 1 && g.identity() {
		// The columns are the image: accumulate into it directly.
		dst := img[s0*is : (s0+1)*is]
		for gi := 0; gi < g.groups; gi++ {
			wk.gemm(true, false, k, howo, og, w[gi*og*k:], k, m[gi*og*ldm:], ldm, dst[gi*k*howo:], howo, true)
		}
		return
	}
	ld := b * howo
	for gi := 0; gi < g.groups; gi++ {
		wk.gemm(true, false, k, ld, og, w[gi*og*k:], k, m[gi*og*ldm:], ldm, wk.col[gi*k*ld:], ld, false)
	}
	wk.forChunk(phaseCol2im, s0, b, img, nil)
}

// wgrad adds chunk c's weight gradient, transposed, to e.dwT:
//
//	dwT_gi (K × o/groups) += col_gi (K × P) · m_giᵀ (P × o/groups)
//
// This way round the product has K rows rather than o/groups, which
// fills the matrix kernel's tiles better and runs faster than
// dw += m·colᵀ. A batch of one chunk accumulates straight into e.dwT.
// With several, each chunk's product goes to a slot of its own first
// and is added to e.dwT in chunk order: at once when one goroutine runs
// the chunks in order, after all of them when several share them, the
// same additions either way. flushWgrad adds e.dwT to dw once the batch
// is done.
func (e *gemmConv) wgrad(wk *convWorker, c int, m []float32, ldm int, col []float32, ldc, b int) {
	g := &e.g
	k, og := g.kdim(), g.o/g.groups
	dst, add := e.dwT, true
	// A worker that is alone shares the batch with others (see forChunks).
	shared := wk.alone
	if e.count > 1 {
		slot := 0
		if shared {
			slot = c
		}
		dst, add = e.parts[slot*len(e.dwT):(slot+1)*len(e.dwT)], false
	}
	for gi := 0; gi < g.groups; gi++ {
		wk.gemm(false, true, k, og, b*g.ho*g.wo, col[gi*k*ldc:], ldc, m[gi*og*ldm:], ldm, dst[gi*k*og:], og, add)
	}
	if e.count > 1 && !shared {
		kernel.AddTo(e.dwT, dst)
	}
}

// flushWgrad adds the transposed gradient e.dwT into dw and zeroes it.
func (e *gemmConv) flushWgrad(dw []float32) {
	g := &e.g
	k, og := g.kdim(), g.o/g.groups
	for gi := 0; gi < g.groups; gi++ {
		t := e.dwT[gi*k*og : (gi+1)*k*og]
		for co := 0; co < og; co++ {
			d := dw[(gi*og+co)*k : (gi*og+co+1)*k]
			for kk := range d {
				d[kk] += t[kk*og+co]
			}
		}
		clear(t)
	}
}

// call runs op over n samples with the operands given, then drops them.
func (e *gemmConv) call(op, n int) {
	e.op = op
	e.forChunks(n)
	e.out, e.img, e.w, e.dimg, e.dout, e.dw = nil, nil, nil, nil, nil, nil
}

func (e *gemmConv) conv(out, img, w, bias []float32, n int, add bool) {
	e.setBias(bias)
	e.out, e.img, e.w, e.add = out, img, w, add
	e.call(opConv, n)
	e.bias = false
}

func (e *gemmConv) convT(img, out, w []float32, n int) {
	e.out, e.img, e.w = out, img, w
	e.call(opConvT, n)
}

func (e *gemmConv) backward(dimg, dw, img, out, w []float32, n int) {
	e.out, e.img, e.w, e.dimg, e.dw = out, img, w, dimg, dw
	e.call(opBackward, n)
	if dw != nil {
		e.flushWgrad(dw)
	}
}

func (e *gemmConv) backwardT(dout, dw, img, out, w []float32, n int) {
	e.bias = false
	e.out, e.img, e.w, e.dout, e.dw = out, img, w, dout, dw
	e.call(opBackwardT, n)
	if dw != nil {
		e.flushWgrad(dw)
	}
}

// sumChannels adds, for each of the channels of every one of the n
// samples of x (each channels × size), the sum of that channel into
// dst[channel]: the bias gradient of a convolution.
func sumChannels(dst, x []float32, n, channels, size int) {
	for s := 0; s < n; s++ {
		for c := 0; c < channels; c++ {
			off := (s*channels + c) * size
			dst[c] += kernel.Sum(x[off : off+size])
		}
	}
}

// addScalar adds v to every element of d.
func addScalar(d []float32, v float32) {
	for i := range d {
		d[i] += v
	}
}
