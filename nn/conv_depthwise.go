package nn

import "github.com/bigfunc/bigfunc/internal/kernel"

// depthwiseConv runs a convolution in which every group holds one image
// channel (groups == c: depthwise, with o/groups outputs per channel). Its
// products are kh·kw deep, far too thin for a matrix multiply, so it works
// plane by plane instead.
//
// With stride 1 each kernel tap (i, j) is one long vector operation: the
// image is copied into a zero-padded plane xp of width wp = wo+(kw−1)·dw,
// the output is computed in a plane of the same width, and tap (i, j)
// reads xp shifted by i·dh·wp + j·dw, so that
//
//	yp[t] += w[i][j] · xp[t + i·dh·wp + j·dw]   for every t at once.
//
// The wp−wo columns past each output row hold garbage in the forward pass
// and zeros in the backward ones, where they must contribute nothing.
// Other strides run plain loops.
type depthwiseConv struct {
	g      convGeom
	hp, wp int // padded plane, stride 1 only
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
	xp     []float32 // hp×wp: padded image channel, or its gradient
	dxp    []float32 // hp×wp: the gradient when xp holds the image
	yp     []float32 // ho×wp: output channel, or its gradient
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
		// Room for span() rounded up to whole vector blocks past the last
		// tap, so that no tap ends in a slow scalar tail.
		l := e.span()
		for r := range e.ranges {
			rg := &e.ranges[r]
			rg.xp = make([]float32, max(e.hp*e.wp, e.shift(g.kh-1, g.kw-1)+l))
			rg.yp = make([]float32, max(g.ho*e.wp, l))
			rg.dxp = make([]float32, len(rg.xp))
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

// pad copies the image plane x into xp, zeros around it.
func (e *depthwiseConv) pad(rg *dwRange, x []float32) {
	g := &e.g
	clear(rg.xp)
	for r := 0; r < g.h; r++ {
		pr := r + g.ph
		if pr >= e.hp {
			break
		}
		// Columns past wp are never read (only with asymmetric crops).
		n := max(0, min(g.w, e.wp-g.pw))
		copy(rg.xp[pr*e.wp+g.pw:pr*e.wp+g.pw+n], x[r*g.w:r*g.w+n])
	}
}

// place copies the output plane dy into yp, one row per wp floats, and
// zeros the rest.
func (e *depthwiseConv) place(rg *dwRange, dy []float32) {
	g := &e.g
	for r := 0; r < g.ho; r++ {
		copy(rg.yp[r*e.wp:r*e.wp+g.wo], dy[r*g.wo:(r+1)*g.wo])
		// The forward pass leaves garbage past each row and the last.
		if r < g.ho-1 {
			clear(rg.yp[r*e.wp+g.wo : (r+1)*e.wp])
		}
	}
	clear(rg.yp[(g.ho-1)*e.wp+g.wo:])
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
				} else {
					l := e.span()
					yp := rg.yp[:l]
					clear(yp)
					for i := 0; i < g.kh; i++ {
						for j := 0; j < g.kw; j++ {
							sh := e.shift(i, j)
							kernel.Axpy(wc[i*g.kw+j], rg.xp[sh:sh+l], yp)
						}
					}
					for r := 0; r < g.ho; r++ {
						src, dst := rg.yp[r*e.wp:r*e.wp+g.wo], y[r*g.wo:(r+1)*g.wo]
						if add {
							kernel.AddTo(dst, src)
						} else {
							copy(dst, src)
						}
					}
				}
				if bias != nil {
					addScalar(y, bias[co])
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
			if !e.strided() {
				clear(rg.xp)
			}
			for m := 0; m < mult; m++ {
				co := ci*mult + m
				dy := out[(s*g.o+co)*howo : (s*g.o+co+1)*howo]
				wc := w[co*kk : (co+1)*kk]
				if e.strided() {
					e.convTStrided(dx, dy, wc)
					continue
				}
				e.place(rg, dy)
				l := e.span()
				for i := 0; i < g.kh; i++ {
					for j := 0; j < g.kw; j++ {
						sh := e.shift(i, j)
						kernel.Axpy(wc[i*g.kw+j], rg.yp[:l], rg.xp[sh:sh+l])
					}
				}
			}
			if !e.strided() {
				e.unpad(dx, rg.xp)
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
				e.place(rg, dy)
				l := e.span()
				for i := 0; i < g.kh; i++ {
					for j := 0; j < g.kw; j++ {
						sh := e.shift(i, j)
						dwc[i*g.kw+j] += kernel.Dot(rg.yp[:l], rg.xp[sh:sh+l])
					}
				}
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
	l := e.span()
	for s := rg.s0; s < rg.s1; s++ {
		for ci := 0; ci < g.c; ci++ {
			e.pad(rg, img[(s*g.c+ci)*hw:(s*g.c+ci+1)*hw])
			clear(rg.dxp)
			for m := 0; m < mult; m++ {
				co := ci*mult + m
				e.place(rg, out[(s*g.o+co)*howo:(s*g.o+co+1)*howo])
				wc, dwc := w[co*kk:(co+1)*kk], dw[co*kk:(co+1)*kk]
				for i := 0; i < g.kh; i++ {
					for j := 0; j < g.kw; j++ {
						sh := e.shift(i, j)
						kernel.Axpy(wc[i*g.kw+j], rg.yp[:l], rg.dxp[sh:sh+l])
						dwc[i*g.kw+j] += kernel.Dot(rg.yp[:l], rg.xp[sh:sh+l])
					}
				}
			}
			e.unpad(dimg[(s*g.c+ci)*hw:(s*g.c+ci+1)*hw], rg.dxp)
		}
	}
}

// unpad adds the image part of the padded plane p into dx.
func (e *depthwiseConv) unpad(dx, p []float32) {
	g := &e.g
	for r := 0; r < g.h; r++ {
		pr := r + g.ph
		if pr >= e.hp {
			break
		}
		n := max(0, min(g.w, e.wp-g.pw))
		kernel.AddTo(dx[r*g.w:r*g.w+n], p[pr*e.wp+g.pw:pr*e.wp+g.pw+n])
	}
}

func (e *depthwiseConv) backwardT(dout, dw, img, out, w []float32, n int) {
	if dout != nil {
		e.conv(dout, img, w, nil, n, true)
	}
	if dw != nil {
		e.wgrad(dw, img, out, n)
	}
}
