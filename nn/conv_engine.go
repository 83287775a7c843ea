package nn

import (
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

// flat reports whether image rows and output rows line up (strides 1,
// wo == w), so that one kernel tap's rows form one contiguous run in both
// the image and the columns, shifted by a constant.
func (g *convGeom) flat() bool { return g.sh == 1 && g.sw == 1 && g.wo == g.w }

// im2col writes the columns of one sample's image x into col, one row per
// (channel, i, j) in that order and ho·wo entries per row, rows ld apart:
//
//	col[((ci·kh+i)·kw+j)·ld + oh·wo+ow] = x[ci][oh·sh−ph+i·dh][ow·sw−pw+j·dw]  (0 outside)
func (g *convGeom) im2col(col []float32, ld int, x []float32) {
	hw, n := g.h*g.w, g.ho*g.wo
	r := 0
	for ci := 0; ci < g.c; ci++ {
		xc := x[ci*hw : (ci+1)*hw]
		for i := 0; i < g.kh; i++ {
			rlo, rhi, roff := g.rowSpan(i)
			for j := 0; j < g.kw; j++ {
				lo, hi, off := g.span(j)
				row := col[r*ld : r*ld+n]
				r++
				clear(row[:rlo*g.wo])
				clear(row[rhi*g.wo:])
				if g.flat() && rlo < rhi {
					// One copy for all rows; the entries it takes from the
					// neighbouring row (past either edge) are then zeroed.
					shift := roff*g.w + off
					t0, t1 := max(rlo*g.w, -shift), min(rhi*g.w, hw-shift)
					copy(row[t0:t1], xc[t0+shift:t1+shift])
					clear(row[rlo*g.w : t0])
					clear(row[t1 : rhi*g.w])
					zeroEdges(row, rlo, rhi, g.w, lo, hi)
					continue
				}
				for oh := rlo; oh < rhi; oh++ {
					dst := row[oh*g.wo : (oh+1)*g.wo]
					src := xc[(oh*g.sh+roff)*g.w:]
					clear(dst[:lo])
					if g.sw == 1 {
						copy(dst[lo:hi], src[lo+off:hi+off])
					} else {
						for ow := lo; ow < hi; ow++ {
							dst[ow] = src[ow*g.sw+off]
						}
					}
					clear(dst[hi:])
				}
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
	for oh := rlo; oh < rhi; oh++ {
		r := p[oh*w : (oh+1)*w]
		for q := 0; q < lo; q++ {
			r[q] = 0
		}
		for q := hi; q < w; q++ {
			r[q] = 0
		}
	}
}

// col2im is the adjoint of im2col: it adds every entry of col to the
// image element it was read from, dx[ci][ih][iw] += col[…] (entries that
// fall in the padding are dropped). It may overwrite those dropped
// entries of col.
func (g *convGeom) col2im(dx []float32, col []float32, ld int) {
	hw := g.h * g.w
	r := 0
	for ci := 0; ci < g.c; ci++ {
		dc := dx[ci*hw : (ci+1)*hw]
		for i := 0; i < g.kh; i++ {
			rlo, rhi, roff := g.rowSpan(i)
			for j := 0; j < g.kw; j++ {
				lo, hi, off := g.span(j)
				row := col[r*ld:]
				r++
				if g.flat() && rlo < rhi {
					// Zero the entries that would wrap into the
					// neighbouring row, then add all rows at once.
					shift := roff*g.w + off
					t0, t1 := max(rlo*g.w, -shift), min(rhi*g.w, hw-shift)
					zeroEdges(row, rlo, rhi, g.w, lo, hi)
					kernel.AddTo(dc[t0+shift:t1+shift], row[t0:t1])
					continue
				}
				for oh := rlo; oh < rhi; oh++ {
					src := row[oh*g.wo : (oh+1)*g.wo]
					dst := dc[(oh*g.sh+roff)*g.w:]
					if g.sw == 1 {
						kernel.AddTo(dst[lo+off:hi+off], src[lo:hi])
					} else {
						for ow := lo; ow < hi; ow++ {
							dst[ow*g.sw+off] += src[ow]
						}
					}
				}
			}
		}
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
// the geometry alone, never on the batch or the number of threads, so
// results are the same bits for any batch capacity and GOMAXPROCS.
type gemmConv struct {
	g     convGeom
	chunk int
	col   []float32 // c·kh·kw × chunk·ho·wo
	mat   []float32 // o × chunk·ho·wo: out of chunk samples side by side
	plane []float32 // o × ho·wo: the bias of each channel, repeated
	dwT   []float32 // the weight gradient of a batch, transposed per group

	// The loop over the samples of a chunk that run does, and its operands.
	job   forJob
	phase int
	img   []float32
	out   []float32
	s0, b int
	add   bool
	bias  bool // whether phaseScatter adds plane
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
	chunk := max(1, colBudget/max(per, 1))
	e := &gemmConv{g: g, chunk: chunk}
	b := min(chunk, max(rows, 1))
	if !g.identity() || b > 1 {
		e.col = make([]float32, b*per)
	}
	if b > 1 {
		e.mat = make([]float32, b*g.outSize())
	}
	e.plane = make([]float32, g.outSize())
	e.dwT = make([]float32, g.o*g.kdim())
	return e
}

// forChunk runs phase for each of the b samples of the chunk at s0, in
// parallel when it is worth it.
func (e *gemmConv) forChunk(phase, s0, b int, img, out []float32) {
	e.phase, e.s0, e.b, e.img, e.out = phase, s0, b, img, out
	work := b * e.g.outSize()
	if phase == phaseIm2col || phase == phaseCol2im {
		work = b * e.g.c * e.g.kh * e.g.kw * e.g.ho * e.g.wo
	}
	e.job.parallelFor(e, b, work)
	e.img, e.out = nil, nil
}

func (e *gemmConv) run(s int) {
	g := &e.g
	is, os, howo := g.imgSize(), g.outSize(), g.ho*g.wo
	ld := e.b * howo
	switch e.phase {
	case phaseIm2col:
		g.im2col(e.col[s*howo:], ld, e.img[(e.s0+s)*is:(e.s0+s+1)*is])
	case phaseCol2im:
		g.col2im(e.img[(e.s0+s)*is:(e.s0+s+1)*is], e.col[s*howo:], ld)
	case phaseGather:
		src := e.out[(e.s0+s)*os:]
		for co := 0; co < g.o; co++ {
			copy(e.mat[co*ld+s*howo:co*ld+(s+1)*howo], src[co*howo:(co+1)*howo])
		}
	case phaseScatter:
		dst := e.out[(e.s0+s)*os : (e.s0+s+1)*os]
		for co := 0; co < g.o; co++ {
			d, m := dst[co*howo:(co+1)*howo], e.mat[co*ld+s*howo:co*ld+(s+1)*howo]
			switch {
			case e.add:
				kernel.AddTo(d, m)
			case e.bias:
				kernel.Add(d, m, e.plane[co*howo:(co+1)*howo])
			default:
				copy(d, m)
			}
		}
	case phaseAddBias:
		kernel.AddTo(e.out[(e.s0+s)*os:(e.s0+s+1)*os], e.plane)
	}
}

// columns returns the columns of samples [s0, s0+b) of img and their row
// stride: the image itself when im2col would only copy it, else unfolded
// into e.col.
func (e *gemmConv) columns(img []float32, s0, b int) ([]float32, int) {
	g := &e.g
	if b == 1 && g.identity() {
		is := g.imgSize()
		return img[s0*is : (s0+1)*is], g.ho * g.wo
	}
	e.forChunk(phaseIm2col, s0, b, img, nil)
	return e.col, b * g.ho * g.wo
}

// gather returns out's samples [s0, s0+b) as one o × b·ho·wo matrix and
// its row stride: out itself for one sample, else copied into e.mat.
func (e *gemmConv) gather(out []float32, s0, b int) ([]float32, int) {
	g := &e.g
	if b == 1 {
		os := g.outSize()
		return out[s0*os : (s0+1)*os], g.ho * g.wo
	}
	e.forChunk(phaseGather, s0, b, nil, out)
	return e.mat, b * g.ho * g.wo
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
func (e *gemmConv) convChunk(out, col []float32, ldb int, w []float32, s0, b int, add bool) {
	g := &e.g
	os, howo, k := g.outSize(), g.ho*g.wo, g.kdim()
	og := g.o / g.groups
	if b == 1 {
		// One sample: straight into out.
		c := out[s0*os : (s0+1)*os]
		for gi := 0; gi < g.groups; gi++ {
			kernel.Gemm(false, false, og, howo, k, w[gi*og*k:], k, col[gi*k*ldb:], ldb, c[gi*og*howo:], howo, add)
		}
		if e.bias {
			kernel.AddTo(c, e.plane)
		}
		return
	}
	// Several: into e.mat, then scattered to their places in out.
	ld := b * howo
	for gi := 0; gi < g.groups; gi++ {
		kernel.Gemm(false, false, og, ld, k, w[gi*og*k:], k, col[gi*k*ldb:], ldb, e.mat[gi*og*ld:], ld, false)
	}
	e.add = add
	e.forChunk(phaseScatter, s0, b, nil, out)
}

// convTChunk adds the transposed convolution of the chunk's m (o × b·ho·wo,
// row stride ldm) into img.
func (e *gemmConv) convTChunk(img, m []float32, ldm int, w []float32, s0, b int) {
	g := &e.g
	is, howo, k := g.imgSize(), g.ho*g.wo, g.kdim()
	og := g.o / g.groups
	if b == 1 && g.identity() {
		// The columns are the image: accumulate into it directly.
		dst := img[s0*is : (s0+1)*is]
		for gi := 0; gi < g.groups; gi++ {
			kernel.Gemm(true, false, k, howo, og, w[gi*og*k:], k, m[gi*og*ldm:], ldm, dst[gi*k*howo:], howo, true)
		}
		return
	}
	ld := b * howo
	for gi := 0; gi < g.groups; gi++ {
		kernel.Gemm(true, false, k, ld, og, w[gi*og*k:], k, m[gi*og*ldm:], ldm, e.col[gi*k*ld:], ld, false)
	}
	e.forChunk(phaseCol2im, s0, b, img, nil)
}

// wgradChunk adds the chunk's weight gradient into e.dwT, transposed:
//
//	dwT_gi (K × o/groups) += col_gi (K × P) · m_giᵀ (P × o/groups)
//
// This way round the product has K rows rather than o/groups, which
// fills the matrix kernel's tiles better and runs faster than
// dw += m·colᵀ. flushWgrad adds e.dwT to dw once the batch is done.
func (e *gemmConv) wgradChunk(m []float32, ldm int, col []float32, ldc, b int) {
	g := &e.g
	k, og := g.kdim(), g.o/g.groups
	for gi := 0; gi < g.groups; gi++ {
		kernel.Gemm(false, true, k, og, b*g.ho*g.wo, col[gi*k*ldc:], ldc, m[gi*og*ldm:], ldm, e.dwT[gi*k*og:], og, true)
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

func (e *gemmConv) conv(out, img, w, bias []float32, n int, add bool) {
	e.setBias(bias)
	for s0 := 0; s0 < n; s0 += e.chunk {
		b := min(e.chunk, n-s0)
		col, ldb := e.columns(img, s0, b)
		e.convChunk(out, col, ldb, w, s0, b, add)
	}
	e.bias = false
}

func (e *gemmConv) convT(img, out, w []float32, n int) {
	for s0 := 0; s0 < n; s0 += e.chunk {
		b := min(e.chunk, n-s0)
		m, ldm := e.gather(out, s0, b)
		e.convTChunk(img, m, ldm, w, s0, b)
	}
}

func (e *gemmConv) backward(dimg, dw, img, out, w []float32, n int) {
	for s0 := 0; s0 < n; s0 += e.chunk {
		b := min(e.chunk, n-s0)
		m, ldm := e.gather(out, s0, b)
		if dw != nil {
			col, ldc := e.columns(img, s0, b)
			e.wgradChunk(m, ldm, col, ldc, b)
		}
		if dimg != nil {
			// This overwrites the columns, which the weight no longer needs.
			e.convTChunk(dimg, m, ldm, w, s0, b)
		}
	}
	if dw != nil {
		e.flushWgrad(dw)
	}
}

func (e *gemmConv) backwardT(dout, dw, img, out, w []float32, n int) {
	e.bias = false
	for s0 := 0; s0 < n; s0 += e.chunk {
		b := min(e.chunk, n-s0)
		col, ldc := e.columns(img, s0, b)
		if dout != nil {
			e.convChunk(dout, col, ldc, w, s0, b, true)
		}
		if dw != nil {
			// After convChunk, which uses e.mat for its result.
			m, ldm := e.gather(out, s0, b)
			e.wgradChunk(m, ldm, col, ldc, b)
		}
	}
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
