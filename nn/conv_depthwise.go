package nn

import "github.com/bigfunc/bigfunc/internal/kernel"

// depthwiseConv runs a convolution in which every group holds one image
// channel (groups == c: depthwise, with o/groups outputs per channel). Its
// products are kh·kw deep, far too thin for a matrix multiply, so it works
// plane by plane instead.
//
// With stride 1 the image is copied into a zero-padded plane xp of width
// wp = wo+(kw−1)·dw, in which tap (i, j) of output element t is
// xp[t + i·dh·wp + j·dw]: kernel.DepthwiseTaps sums the taps of a block
// of outputs in registers and writes them to the output plane.
//
// The input gradient is the same kind of sum, gathered from the output
// gradient: each plane of it is placed in q, a zero plane of the same
// width with zero rows above, and dx[r][c] sums w[m][i][j] ·
// dy[r+ph−i·dh][c+pw−j·dw] over the channel's outputs m and the taps
// (i, j) in that order, the zeros around dy standing in for the terms
// outside it. A term outside adds float32(w·0), a zero, which leaves a
// sum that starts at +0 unchanged; so the sums are those of scattering
// each tap over the whole plane in turn, bit for bit. The weight gradient
// is a dot product per tap of the placed dy with the shifted xp.
//
// xp and q keep their borders at zero: they are cleared when allocated,
// and each pass writes the same interior positions. Other strides run
// plain loops.
type depthwiseConv struct {
	g      convGeom
	hp, wp int // padded plane, stride 1 only
	// rows×cols is the part of the image inside the padded plane: all of
	// it unless the padding after is negative (a crop).
	rows, cols int
	// qTop is the zero rows above a placed output gradient in q, and
	// qLen the floats of one placed plane.
	qTop, qLen int
	// fwdOff and gradOff are the offsets of the taps of the forward sums
	// in xp, and of the input gradient's sums in q (see the type's
	// comment).
	fwdOff, gradOff []int
	// Samples are independent, so the loops run over ranges of them in
	// parallel, each range with planes of its own and a weight gradient
	// of its own, which are added up in range order at the end. How a
	// batch is cut into ranges depends on its size alone, so the sums
	// are the same for any number of threads.
	ranges []dwRange

	// The loop in flight and its operands.
	job            forJob
	phase          int
	out, img, w    []float32
	bias, dimg, dw []float32
	n              int
	add            bool
}

// dwRange is a range of samples, the planes its loop works in and its
// part of the weight gradient.
type dwRange struct {
	s0, s1 int
	dw     []float32
	xp     []float32 // hp×wp: padded image channel
	q      []float32 // one placed output gradient plane per output of a channel, qLen apart
}

// dwRanges is the most sample ranges a batch is cut into.
const dwRanges = 8

// The loops run over the channel ranges.
const (
	dwConv     = iota // the forward pass
	dwConvT           // the input gradient
	dwWgrad           // the weight gradient
	dwBackward        // both gradients at once
)

func newDepthwiseConv(g convGeom) *depthwiseConv {
	e := &depthwiseConv{g: g}
	e.ranges = make([]dwRange, dwRanges)
	for r := range e.ranges {
		e.ranges[r].dw = make([]float32, g.o*g.kh*g.kw)
	}
	if g.sh == 1 && g.sw == 1 {
		e.hp, e.wp = g.ho+(g.kh-1)*g.dh, g.wo+(g.kw-1)*g.dw
		e.rows, e.cols = max(0, min(g.h, e.hp-g.ph)), max(0, min(g.w, e.wp-g.pw))
		for i := 0; i < g.kh; i++ {
			for j := 0; j < g.kw; j++ {
				e.fwdOff = append(e.fwdOff, e.shift(i, j))
			}
		}
		// One zero row more than the taps reach up, so that every
		// offset into q is positive: a term left of a row then reads
		// the zeros past the row before.
		e.qTop = (g.kh-1)*g.dh + 1
		mult := g.o / g.groups
		// Room below for the rows of the image past the output, and
		// for the dot products' span (see span) past the last row.
		e.qLen = (e.qTop+max(g.ho, e.rows+g.ph)+1)*e.wp + 32
		for m := 0; m < mult; m++ {
			for i := 0; i < g.kh; i++ {
				for j := 0; j < g.kw; j++ {
					e.gradOff = append(e.gradOff, m*e.qLen+(e.qTop+g.ph-i*g.dh)*e.wp+g.pw-j*g.dw)
				}
			}
		}
		// Room for span() rounded up to whole vector blocks past the last
		// tap, so that no dot product ends in a slow scalar tail.
		l := e.span()
		for r := range e.ranges {
			rg := &e.ranges[r]
			rg.xp = make([]float32, max(e.hp*e.wp, e.shift(g.kh-1, g.kw-1)+l))
			rg.q = make([]float32, mult*e.qLen)
		}
	}
	return e
}

// weightGrad reports whether the loop in flight computes the weight
// gradient.
func (e *depthwiseConv) weightGrad() bool {
	return e.phase == dwWgrad || e.phase == dwBackward
}

// loop runs phase over every channel range, in parallel when it is worth
// it, then drops the operands.
func (e *depthwiseConv) loop(phase int) {
	e.phase = phase
	g := &e.g
	parts := min(max(e.n, 1), dwRanges)
	for r := 0; r < parts; r++ {
		rg := &e.ranges[r]
		rg.s0, rg.s1 = r*e.n/parts, (r+1)*e.n/parts
		if e.weightGrad() {
			clear(rg.dw)
		}
	}
	work := e.n * g.o * (g.h*g.w + g.ho*g.wo)
	e.job.parallelFor(e, parts, work)
	if e.weightGrad() {
		for r := 0; r < parts; r++ {
			kernel.AddTo(e.dw, e.ranges[r].dw)
		}
	}
	e.out, e.img, e.w, e.bias, e.dimg, e.dw = nil, nil, nil, nil, nil, nil
}

func (e *depthwiseConv) run(r int) {
	rg := &e.ranges[r]
	switch e.phase {
	case dwConv:
		e.convRange(rg)
	case dwConvT:
		e.convTRange(rg)
	case dwWgrad:
		e.wgradRange(rg)
	case dwBackward:
		e.backwardRange(rg)
	}
}

// strided reports whether the plain loops run.
func (e *depthwiseConv) strided() bool { return e.wp == 0 }

// span returns the flat length of a tap's vector operation: through the
// last output element, rounded up to a multiple of 32 (the vector loops'
// block); the extra elements are garbage in the forward pass and zeros in
// the backward ones, like the columns past wo.
func (e *depthwiseConv) span() int { return ((e.g.ho-1)*e.wp + e.g.wo + 31) &^ 31 }

// shift is the offset in xp of tap (i, j).
func (e *depthwiseConv) shift(i, j int) int { return i*e.g.dh*e.wp + j*e.g.dw }

// pad copies the image plane x into xp's interior; the zeros around it
// are never written.
func (e *depthwiseConv) pad(rg *dwRange, x []float32) {
	g := &e.g
	kernel.CopyRows(rg.xp[g.ph*e.wp+g.pw:], e.wp, x, g.w, e.rows, e.cols)
}

// place copies the output gradient plane dy into q's plane m, below its
// qTop zero rows; the zeros around it are never written.
func (e *depthwiseConv) place(rg *dwRange, m int, dy []float32) {
	g := &e.g
	kernel.CopyRows(rg.q[m*e.qLen+e.qTop*e.wp:], e.wp, dy, g.wo, g.ho, g.wo)
}

// placed returns q's plane m from its first output row on, as the dot
// products of the weight gradient read it.
func (e *depthwiseConv) placed(rg *dwRange, m int) []float32 {
	return rg.q[m*e.qLen+e.qTop*e.wp : (m+1)*e.qLen]
}

// gather adds the input gradient of one image channel, whose weights
// (all of its outputs') are wc, into dx from the planes placed in q.
func (e *depthwiseConv) gather(rg *dwRange, dx, wc []float32) {
	kernel.DepthwiseTaps(dx, e.g.w, rg.q, e.wp, wc, e.gradOff, e.rows, e.cols, true, nil)
}

func (e *depthwiseConv) conv(out, img, w, bias []float32, n int, add bool) {
	e.out, e.img, e.w, e.bias, e.n, e.add = out, img, w, bias, n, add
	e.loop(dwConv)
}

func (e *depthwiseConv) convRange(rg *dwRange) {
	g := &e.g
	out, img, w, bias, add := e.out, e.img, e.w, e.bias, e.add
	hw, howo, kk := g.h*g.w, g.ho*g.wo, g.kh*g.kw
	mult := g.o / g.groups
	for s := rg.s0; s < rg.s1; s++ {
		for ci := 0; ci < g.c; ci++ {
			x := img[(s*g.c+ci)*hw : (s*g.c+ci+1)*hw]
			if !e.strided() {
				e.pad(rg, x)
			}
			for m := 0; m < mult; m++ {
				co := ci*mult + m
				y := out[(s*g.o+co)*howo : (s*g.o+co+1)*howo]
				wc := w[co*kk : (co+1)*kk]
				if e.strided() {
					if !add {
						clear(y)
					}
					e.convStrided(y, x, wc)
					if bias != nil {
						addScalar(y, bias[co])
					}
				} else {
					var b *float32
					if bias != nil {
						b = &bias[co]
					}
					kernel.DepthwiseTaps(y, g.wo, rg.xp, e.wp, wc, e.fwdOff, g.ho, g.wo, add, b)
				}
			}
		}
	}
}

func (e *depthwiseConv) convT(img, out, w []float32, n int) {
	e.dimg, e.out, e.w, e.n = img, out, w, n
	e.loop(dwConvT)
}

func (e *depthwiseConv) convTRange(rg *dwRange) {
	g := &e.g
	img, out, w := e.dimg, e.out, e.w
	hw, howo, kk := g.h*g.w, g.ho*g.wo, g.kh*g.kw
	mult := g.o / g.groups
	for s := rg.s0; s < rg.s1; s++ {
		for ci := 0; ci < g.c; ci++ {
			dx := img[(s*g.c+ci)*hw : (s*g.c+ci+1)*hw]
			for m := 0; m < mult; m++ {
				co := ci*mult + m
				dy := out[(s*g.o+co)*howo : (s*g.o+co+1)*howo]
				if e.strided() {
					e.convTStrided(dx, dy, w[co*kk:(co+1)*kk])
					continue
				}
				e.place(rg, m, dy)
			}
			if !e.strided() {
				e.gather(rg, dx, w[ci*mult*kk:(ci+1)*mult*kk])
			}
		}
	}
}

func (e *depthwiseConv) wgrad(dw, img, out []float32, n int) {
	e.dw, e.img, e.out, e.n = dw, img, out, n
	e.loop(dwWgrad)
}

func (e *depthwiseConv) wgradRange(rg *dwRange) {
	g := &e.g
	dw, img, out := rg.dw, e.img, e.out
	hw, howo, kk := g.h*g.w, g.ho*g.wo, g.kh*g.kw
	mult := g.o / g.groups
	for s := rg.s0; s < rg.s1; s++ {
		for ci := 0; ci < g.c; ci++ {
			x := img[(s*g.c+ci)*hw : (s*g.c+ci+1)*hw]
			if !e.strided() {
				e.pad(rg, x)
			}
			for m := 0; m < mult; m++ {
				co := ci*mult + m
				dy := out[(s*g.o+co)*howo : (s*g.o+co+1)*howo]
				dwc := dw[co*kk : (co+1)*kk]
				if e.strided() {
					e.wgradStrided(dwc, x, dy)
					continue
				}
				e.place(rg, 0, dy)
				e.tapDots(dwc, rg, 0)
			}
		}
	}
}

// convStrided adds one channel's convolution of the plane x with the
// kh×kw kernel wc into the output plane y, for any stride.
func (e *depthwiseConv) convStrided(y, x, wc []float32) {
	g := &e.g
	for i := 0; i < g.kh; i++ {
		rlo, rhi, roff := g.rowSpan(i)
		for j := 0; j < g.kw; j++ {
			lo, hi, off := g.span(j)
			wv := wc[i*g.kw+j]
			for oh := rlo; oh < rhi; oh++ {
				xr := x[(oh*g.sh+roff)*g.w:]
				yr := y[oh*g.wo : (oh+1)*g.wo]
				for ow := lo; ow < hi; ow++ {
					yr[ow] += wv * xr[ow*g.sw+off]
				}
			}
		}
	}
}

// convTStrided is the adjoint of convStrided: it adds into dx.
func (e *depthwiseConv) convTStrided(dx, dy, wc []float32) {
	g := &e.g
	for i := 0; i < g.kh; i++ {
		rlo, rhi, roff := g.rowSpan(i)
		for j := 0; j < g.kw; j++ {
			lo, hi, off := g.span(j)
			wv := wc[i*g.kw+j]
			for oh := rlo; oh < rhi; oh++ {
				xr := dx[(oh*g.sh+roff)*g.w:]
				yr := dy[oh*g.wo : (oh+1)*g.wo]
				for ow := lo; ow < hi; ow++ {
					xr[ow*g.sw+off] += wv * yr[ow]
				}
			}
		}
	}
}

// wgradStrided adds the gradient of one channel's kernel into dwc.
func (e *depthwiseConv) wgradStrided(dwc, x, dy []float32) {
	g := &e.g
	for i := 0; i < g.kh; i++ {
		rlo, rhi, roff := g.rowSpan(i)
		for j := 0; j < g.kw; j++ {
			lo, hi, off := g.span(j)
			var acc float32
			for oh := rlo; oh < rhi; oh++ {
				xr := x[(oh*g.sh+roff)*g.w:]
				yr := dy[oh*g.wo : (oh+1)*g.wo]
				for ow := lo; ow < hi; ow++ {
					acc += yr[ow] * xr[ow*g.sw+off]
				}
			}
			dwc[i*g.kw+j] += acc
		}
	}
}

func (e *depthwiseConv) backward(dimg, dw, img, out, w []float32, n int) {
	if e.strided() || dimg == nil || dw == nil {
		if dimg != nil {
			e.convT(dimg, out, w, n)
		}
		if dw != nil {
			e.wgrad(dw, img, out, n)
		}
		return
	}
	e.dimg, e.dw, e.img, e.out, e.w, e.n = dimg, dw, img, out, w, n
	e.loop(dwBackward)
}

// backwardRange computes both gradients from one padding of x and one
// placing of dy.
func (e *depthwiseConv) backwardRange(rg *dwRange) {
	g := &e.g
	dimg, dw, img, out, w := e.dimg, rg.dw, e.img, e.out, e.w
	hw, howo, kk := g.h*g.w, g.ho*g.wo, g.kh*g.kw
	mult := g.o / g.groups
	for s := rg.s0; s < rg.s1; s++ {
		for ci := 0; ci < g.c; ci++ {
			e.pad(rg, img[(s*g.c+ci)*hw:(s*g.c+ci+1)*hw])
			for m := 0; m < mult; m++ {
				co := ci*mult + m
				e.place(rg, m, out[(s*g.o+co)*howo:(s*g.o+co+1)*howo])
				e.tapDots(dw[co*kk:(co+1)*kk], rg, m)
			}
			e.gather(rg, dimg[(s*g.c+ci)*hw:(s*g.c+ci+1)*hw], w[ci*mult*kk:(ci+1)*mult*kk])
		}
	}
}

// tapDots adds to dwc, for each tap, the dot product of q's plane m with
// xp shifted by the tap.
func (e *depthwiseConv) tapDots(dwc []float32, rg *dwRange, m int) {
	kernel.DotTaps(dwc, e.placed(rg, m)[:e.span()], rg.xp, e.fwdOff)
}

func (e *depthwiseConv) backwardT(dout, dw, img, out, w []float32, n int) {
	if dout != nil {
		e.conv(dout, img, w, nil, n, true)
	}
	if dw != nil {
		e.wgrad(dw, img, out, n)
	}
}
