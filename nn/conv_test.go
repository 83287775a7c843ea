package nn_test

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// convCase is one convolution to test: a layer and the input shape it runs
// on.
type convCase struct {
	name  string
	layer nn.Layer
	in    []int // per sample
}

// refConv computes a 2-d convolution (or, with transpose, a transposed
// one) straight from its definition, in float64, with its three
// gradients for the output gradient dy: the independent reference the
// kernels are checked against. x is [n, c, h, w]; the other settings are
// as in nn.Conv2d, with explicit padding before (pt, pl) and after.
type refConv struct {
	n, c, h, w, o, ho, wo  int
	kh, kw, sh, sw, dh, dw int
	pt, pl, groups         int
	transpose              bool
}

// visit calls f for every product of the convolution: input element xi,
// weight element wi and output element yi.
func (r refConv) visit(f func(xi, wi, yi int)) {
	if !r.transpose {
		cg, og := r.c/r.groups, r.o/r.groups
		for s := 0; s < r.n; s++ {
			for co := 0; co < r.o; co++ {
				g := co / og
				for oh := 0; oh < r.ho; oh++ {
					for ow := 0; ow < r.wo; ow++ {
						yi := ((s*r.o+co)*r.ho+oh)*r.wo + ow
						for k := 0; k < cg; k++ {
							ci := g*cg + k
							for i := 0; i < r.kh; i++ {
								for j := 0; j < r.kw; j++ {
									ih, iw := oh*r.sh-r.pt+i*r.dh, ow*r.sw-r.pl+j*r.dw
									if ih < 0 || ih >= r.h || iw < 0 || iw >= r.w {
										continue
									}
									f(((s*r.c+ci)*r.h+ih)*r.w+iw, ((co*cg+k)*r.kh+i)*r.kw+j, yi)
								}
							}
						}
					}
				}
			}
		}
		return
	}
	// PyTorch's ConvTranspose2d: input element (ci, ih, iw) spreads over
	// output (co, ih·s−p+i·d, iw·s−p+j·d) with weight [ci][co'][i][j].
	cg, og := r.c/r.groups, r.o/r.groups
	for s := 0; s < r.n; s++ {
		for ci := 0; ci < r.c; ci++ {
			g := ci / cg
			for ih := 0; ih < r.h; ih++ {
				for iw := 0; iw < r.w; iw++ {
					xi := ((s*r.c+ci)*r.h+ih)*r.w + iw
					for k := 0; k < og; k++ {
						co := g*og + k
						for i := 0; i < r.kh; i++ {
							for j := 0; j < r.kw; j++ {
								oh, ow := ih*r.sh-r.pt+i*r.dh, iw*r.sw-r.pl+j*r.dw
								if oh < 0 || oh >= r.ho || ow < 0 || ow >= r.wo {
									continue
								}
								f(xi, ((ci*og+k)*r.kh+i)*r.kw+j, ((s*r.o+co)*r.ho+oh)*r.wo+ow)
							}
						}
					}
				}
			}
		}
	}
}

// run returns y, dx, dw and db.
func (r refConv) run(x, w, b, dy []float32) (y, dx, dw, db []float64) {
	y = make([]float64, r.n*r.o*r.ho*r.wo)
	dx, dw, db = make([]float64, len(x)), make([]float64, len(w)), make([]float64, r.o)
	r.visit(func(xi, wi, yi int) {
		y[yi] += float64(x[xi]) * float64(w[wi])
		dx[xi] += float64(dy[yi]) * float64(w[wi])
		dw[wi] += float64(dy[yi]) * float64(x[xi])
	})
	hw := r.ho * r.wo
	for i := range y {
		co := i / hw % r.o
		if b != nil {
			y[i] += float64(b[co])
		}
		db[co] += float64(dy[i])
	}
	return y, dx, dw, db
}

// convCases returns layers of every kind and option, with random weights
// from rng, each with a reference that computes the same thing.
func convCases(rng *tensor.RNG) []struct {
	convCase
	ref refConv
} {
	type tc = struct {
		convCase
		ref refConv
	}
	var out []tc
	add := func(name string, l nn.Layer, in []int, r refConv) {
		out = append(out, tc{convCase{name, l, in}, r})
	}
	conv2d := func(c, o, h, w int, k [2]int, st, pad, dil [2]int, mode string, groups int, bias bool) {
		l := nn.NewConv2d(c, o, k, groups, bias, rng)
		l.Stride, l.Padding, l.Dilation, l.PadMode = st, pad, dil, mode
		shape, err := l.OutShape([]int{c, h, w})
		if err != nil {
			panic(err)
		}
		pt, pl := pad[0], pad[1]
		switch mode {
		case "same":
			pt, pl = dil[0]*(k[0]-1)/2, dil[1]*(k[1]-1)/2
		case "valid":
			pt, pl = 0, 0
		}
		name := fmt.Sprintf("conv2d c%d o%d %dx%d k%v s%v p%v%s d%v g%d bias=%v", c, o, h, w, k, st, pad, mode, dil, groups, bias)
		add(name, l, []int{c, h, w}, refConv{c: c, h: h, w: w, o: o, ho: shape[1], wo: shape[2],
			kh: k[0], kw: k[1], sh: st[0], sw: st[1], dh: dil[0], dw: dil[1], pt: pt, pl: pl, groups: groups})
	}
	p := func(a, b int) [2]int { return [2]int{a, b} }
	conv2d(3, 4, 5, 6, p(3, 3), p(1, 1), p(1, 1), p(1, 1), "", 1, true)
	conv2d(1, 5, 7, 7, p(3, 3), p(1, 1), p(0, 0), p(1, 1), "valid", 1, true)
	conv2d(4, 6, 8, 7, p(3, 2), p(2, 2), p(1, 0), p(1, 1), "", 2, false)
	conv2d(3, 3, 9, 8, p(3, 3), p(1, 1), p(0, 0), p(2, 2), "", 1, true)
	conv2d(2, 4, 6, 6, p(4, 4), p(1, 1), p(0, 0), p(1, 1), "same", 1, true) // odd total: extra at the end
	conv2d(3, 2, 5, 6, p(2, 3), p(1, 1), p(0, 0), p(2, 1), "same", 1, true)
	conv2d(4, 4, 6, 6, p(3, 3), p(1, 1), p(1, 1), p(1, 1), "", 4, true)  // depthwise
	conv2d(3, 6, 7, 5, p(3, 3), p(1, 1), p(1, 2), p(2, 1), "", 3, true)  // depthwise, two per channel, dilated
	conv2d(4, 4, 7, 7, p(3, 3), p(2, 2), p(1, 1), p(1, 1), "", 4, false) // strided depthwise
	conv2d(2, 2, 6, 6, p(4, 4), p(1, 1), p(0, 0), p(1, 1), "same", 2, true)
	conv2d(5, 3, 4, 4, p(1, 1), p(1, 1), p(0, 0), p(1, 1), "", 1, true)    // 1×1
	conv2d(4, 6, 5, 5, p(1, 1), p(2, 2), p(0, 0), p(1, 1), "", 2, true)    // 1×1 strided, grouped
	conv2d(2, 3, 3, 3, p(3, 3), p(3, 3), p(2, 2), p(1, 1), "", 1, true)    // padding wider than the kernel reach
	conv2d(2, 3, 14, 14, p(3, 3), p(2, 2), p(1, 1), p(1, 1), "", 1, false) // strided: rows of columns are whole phase planes
	conv2d(3, 4, 9, 8, p(3, 3), p(3, 2), p(1, 2), p(2, 1), "", 1, true)    // strides 3×2, dilated, phases wider than the output
	conv2d(2, 2, 7, 9, p(2, 4), p(2, 3), p(0, 3), p(1, 2), "", 1, true)    // taps reading past the image at both ends
	conv2d(1, 2, 5, 7, p(5, 4), p(1, 1), p(2, 1), p(2, 2), "", 1, true)    // dilated taps whose reads miss every output row
	conv2d(2, 4, 5, 7, p(5, 4), p(1, 1), p(2, 1), p(2, 2), "", 2, true)    // the same, depthwise

	conv1d := func(c, o, l, k, st, pad, dil int, mode string, groups int, bias bool) {
		layer := nn.NewConv1d(c, o, k, groups, bias, rng)
		layer.Stride, layer.Padding, layer.Dilation, layer.PadMode = st, pad, dil, mode
		shape, err := layer.OutShape([]int{c, l})
		if err != nil {
			panic(err)
		}
		pl := pad
		switch mode {
		case "same":
			pl = dil * (k - 1) / 2
		case "valid":
			pl = 0
		}
		name := fmt.Sprintf("conv1d c%d o%d l%d k%d s%d p%d%s d%d g%d", c, o, l, k, st, pad, mode, dil, groups)
		add(name, layer, []int{c, l}, refConv{c: c, h: 1, w: l, o: o, ho: 1, wo: shape[1],
			kh: 1, kw: k, sh: 1, sw: st, dh: 1, dw: dil, pl: pl, groups: groups})
	}
	conv1d(3, 4, 10, 3, 1, 1, 1, "", 1, true)
	conv1d(4, 2, 9, 4, 2, 2, 1, "", 2, false)
	conv1d(2, 3, 8, 2, 1, 0, 3, "same", 1, true)
	conv1d(3, 3, 11, 5, 1, 0, 1, "same", 3, true)

	convT := func(c, o, h, w int, k, st, pad, opad, dil [2]int, groups int, bias bool) {
		l := nn.NewConvTranspose2d(c, o, k, groups, bias, rng)
		l.Stride, l.Padding, l.OutputPadding, l.Dilation = st, pad, opad, dil
		shape, err := l.OutShape([]int{c, h, w})
		if err != nil {
			panic(err)
		}
		name := fmt.Sprintf("conv_transpose2d c%d o%d %dx%d k%v s%v p%v op%v d%v g%d", c, o, h, w, k, st, pad, opad, dil, groups)
		add(name, l, []int{c, h, w}, refConv{c: c, h: h, w: w, o: o, ho: shape[1], wo: shape[2],
			kh: k[0], kw: k[1], sh: st[0], sw: st[1], dh: dil[0], dw: dil[1], pt: pad[0], pl: pad[1], groups: groups, transpose: true})
	}
	convT(3, 4, 4, 5, p(3, 3), p(2, 2), p(1, 1), p(1, 1), p(1, 1), 1, true)
	convT(4, 6, 3, 3, p(2, 3), p(2, 1), p(0, 1), p(1, 0), p(1, 1), 2, false)
	convT(2, 3, 4, 4, p(3, 3), p(1, 1), p(1, 1), p(0, 0), p(2, 2), 1, true)
	convT(3, 3, 5, 4, p(3, 3), p(1, 1), p(1, 1), p(0, 0), p(1, 1), 3, true) // depthwise
	convT(2, 2, 3, 4, p(3, 3), p(2, 2), p(0, 1), p(1, 1), p(1, 1), 2, true) // strided depthwise
	convT(2, 2, 4, 4, p(3, 3), p(1, 1), p(0, 0), p(1, 1), p(2, 2), 1, true) // output_padding < dilation
	return out
}

// runKernel runs the layer's kernel forward and backward on n samples
// through buffers sized for rows, all parameters trainable.
func runKernel(t *testing.T, c convCase, x, dy []float32, n, rows int, m nn.Mode) (y, dx []float32) {
	t.Helper()
	k := nn.Fuse(c.layer, c.in, rows)
	if k == nil {
		t.Fatalf("%s: no kernel", c.name)
	}
	out, err := c.layer.OutShape(c.in)
	if err != nil {
		t.Fatal(err)
	}
	y = make([]float32, rows*nn.Size(out))
	dx = make([]float32, len(x))
	k.Forward(y, x, n, m)
	k.Backward(dx, dy, x, y, n)
	return y[:n*nn.Size(out)], dx
}

func closeTo(got float32, want float64, tol float64) bool {
	return math.Abs(float64(got)-want) <= tol*(1+math.Abs(want))
}

// TestConvMatchesDefinition checks forward and all three gradients of
// every kind of convolution against the definition, in float64.
func TestConvMatchesDefinition(t *testing.T) {
	rng := tensor.NewRNG(1)
	cases := convCases(rng)
	for ci := range 2 * len(cases) {
		// Both modes compute the same.
		c, mode := cases[ci/2], nn.Eval
		if ci%2 == 1 {
			mode = nn.Train(tensor.NewRNG(0))
		}
		const n = 3
		out, _ := c.layer.OutShape(c.in)
		x := tensor.Randn(rng, append([]int{n}, c.in...)...).Data()
		dy := tensor.Randn(rng, append([]int{n}, out...)...).Data()
		params := nn.ParamsOf(c.layer)
		for _, p := range params {
			p.ZeroGrad()
		}
		y, dx := runKernel(t, c.convCase, x, dy, n, n, mode)
		var b []float32
		if len(params) > 1 {
			b = params[1].Value.Data()
		}
		r := c.ref
		r.n = n
		wy, wdx, wdw, wdb := r.run(x, params[0].Value.Data(), b, dy)
		check := func(what string, got []float32, want []float64) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s %s: got %d elements, want %d", c.name, what, len(got), len(want))
			}
			for i := range want {
				if !closeTo(got[i], want[i], 1e-5) {
					t.Fatalf("%s %s[%d]: got %v, want %v", c.name, what, i, got[i], want[i])
				}
			}
		}
		check("y", y, wy)
		check("dx", dx, wdx)
		check("dweight", params[0].Grad.Data(), wdw)
		if b != nil {
			check("dbias", params[1].Grad.Data(), wdb)
		}
	}
}

// TestConvChunks runs batches that span several chunks of samples and
// buffers sized for more rows than used, against the definition.
func TestConvChunks(t *testing.T) {
	rng := tensor.NewRNG(2)
	for _, tc := range []struct {
		c      *nn.Conv2d
		in     []int
		n      int
		opaque bool
	}{
		{nn.NewConv2d(3, 4, [2]int{3, 3}, 1, true, rng), []int{3, 6, 6}, 300, false},
		{nn.NewConv2d(8, 4, [2]int{1, 1}, 1, true, rng), []int{8, 5, 5}, 500, false},
	} {
		c := convCase{"chunked", tc.c, tc.in}
		out, _ := tc.c.OutShape(tc.in)
		x := tensor.Randn(rng, append([]int{tc.n}, tc.in...)...).Data()
		dy := tensor.Randn(rng, append([]int{tc.n}, out...)...).Data()
		tc.c.Weight.ZeroGrad()
		tc.c.Bias.ZeroGrad()
		y, dx := runKernel(t, c, x, dy, tc.n, tc.n+5, nn.Train(tensor.NewRNG(0)))
		r := refConv{n: tc.n, c: tc.in[0], h: tc.in[1], w: tc.in[2], o: out[0], ho: out[1], wo: out[2],
			kh: tc.c.Kernel[0], kw: tc.c.Kernel[1], sh: 1, sw: 1, dh: 1, dw: 1, groups: 1}
		wy, wdx, wdw, _ := r.run(x, tc.c.Weight.Value.Data(), tc.c.Bias.Value.Data(), dy)
		for i := range wy {
			if !closeTo(y[i], wy[i], 1e-5) {
				t.Fatalf("y[%d]: got %v, want %v", i, y[i], wy[i])
			}
		}
		for i := range wdx {
			if !closeTo(dx[i], wdx[i], 1e-5) {
				t.Fatalf("dx[%d]: got %v, want %v", i, dx[i], wdx[i])
			}
		}
		for i, g := range tc.c.Weight.Grad.Data() {
			if !closeTo(g, wdw[i], 1e-4) {
				t.Fatalf("dweight[%d]: got %v, want %v", i, g, wdw[i])
			}
		}
	}
}

// TestConvGradients checks the graph form of each kind of convolution by
// central differences, for the input and both parameters.
func TestConvGradients(t *testing.T) {
	rng := tensor.NewRNG(3)
	p := func(a, b int) [2]int { return [2]int{a, b} }
	cases := []struct {
		name  string
		make  func(w, b *autograd.Var) nn.Layer
		x     []int
		w, b  []int
		wgrad bool
	}{
		{"conv2d", func(w, b *autograd.Var) nn.Layer {
			return &nn.Conv2d{In: 2, Out: 3, Kernel: p(3, 2), Stride: p(2, 1), Padding: p(1, 1), Dilation: p(1, 2), Groups: 1, Weight: w, Bias: b}
		}, []int{2, 2, 5, 5}, []int{3, 2, 3, 2}, []int{3}, true},
		{"conv2d same groups", func(w, b *autograd.Var) nn.Layer {
			return &nn.Conv2d{In: 4, Out: 2, Kernel: p(2, 2), Stride: p(1, 1), Dilation: p(1, 1), PadMode: "same", Groups: 2, Weight: w, Bias: b}
		}, []int{2, 4, 4, 3}, []int{2, 2, 2, 2}, []int{2}, true},
		{"conv2d depthwise", func(w, b *autograd.Var) nn.Layer {
			return &nn.Conv2d{In: 2, Out: 4, Kernel: p(3, 3), Stride: p(1, 1), Padding: p(1, 1), Dilation: p(1, 1), Groups: 2, Weight: w, Bias: b}
		}, []int{2, 2, 4, 4}, []int{4, 1, 3, 3}, []int{4}, true},
		{"conv2d depthwise strided", func(w, b *autograd.Var) nn.Layer {
			return &nn.Conv2d{In: 2, Out: 2, Kernel: p(3, 3), Stride: p(2, 2), Padding: p(1, 1), Dilation: p(1, 1), Groups: 2, Weight: w, Bias: b}
		}, []int{2, 2, 5, 5}, []int{2, 1, 3, 3}, []int{2}, true},
		{"conv1d", func(w, b *autograd.Var) nn.Layer {
			return &nn.Conv1d{In: 2, Out: 3, Kernel: 3, Stride: 2, Padding: 1, Dilation: 1, Groups: 1, Weight: w, Bias: b}
		}, []int{3, 2, 7}, []int{3, 2, 3}, []int{3}, true},
		{"conv_transpose2d", func(w, b *autograd.Var) nn.Layer {
			return &nn.ConvTranspose2d{In: 2, Out: 4, Kernel: p(3, 3), Stride: p(2, 2), Padding: p(1, 0), OutputPadding: p(1, 1), Dilation: p(1, 1), Groups: 2, Weight: w, Bias: b}
		}, []int{2, 2, 3, 3}, []int{2, 2, 3, 3}, []int{4}, true},
	}
	for _, c := range cases {
		err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
			return c.make(in[1], in[2]).Forward(in[0], nn.Eval)
		}, []*tensor.Tensor{tensor.Randn(rng, c.x...), tensor.Randn(rng, c.w...), tensor.Randn(rng, c.b...)}, gradtest.Options{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		// Training mode computes the same function.
		err = gradtest.Check(func(in []*autograd.Var) *autograd.Var {
			return c.make(in[1], in[2]).Forward(in[0], nn.Train(tensor.NewRNG(0)))
		}, []*tensor.Tensor{tensor.Randn(rng, c.x...), tensor.Randn(rng, c.w...), tensor.Randn(rng, c.b...)}, gradtest.Options{})
		if err != nil {
			t.Errorf("%s, train mode: %v", c.name, err)
		}
	}
}

// TestConvKernelMatchesGraph checks that the fused kernel on buffers for
// more rows gives the graph form's bits, and that the thread count does
// not change them, with products large enough to be split over threads.
func TestConvKernelMatchesGraph(t *testing.T) {
	rng := tensor.NewRNG(4)
	big := nn.NewConv2d(32, 64, [2]int{3, 3}, 1, true, rng)
	big.Padding = [2]int{1, 1}
	dw := nn.NewConv2d(16, 16, [2]int{3, 3}, 16, true, rng)
	dw.Padding = [2]int{1, 1}
	tr := nn.NewConvTranspose2d(16, 8, [2]int{4, 4}, 1, true, rng)
	tr.Stride, tr.Padding = [2]int{2, 2}, [2]int{1, 1}
	// Large enough that 20 samples span two chunks of columns.
	wide := nn.NewConvTranspose2d(64, 32, [2]int{4, 4}, 1, true, rng)
	wide.Stride, wide.Padding = [2]int{2, 2}, [2]int{1, 1}
	for _, c := range []convCase{
		{"conv2d 32→64 14×14", big, []int{32, 14, 14}},
		{"depthwise 16 12×12", dw, []int{16, 12, 12}},
		{"conv_transpose2d 16→8 7×7", tr, []int{16, 7, 7}},
		{"conv_transpose2d 64→32 7×7", wide, []int{64, 7, 7}},
	} {
		const n = 20
		out, _ := c.layer.OutShape(c.in)
		x := tensor.Randn(rng, append([]int{n}, c.in...)...)
		dy := tensor.Randn(rng, append([]int{n}, out...)...)
		params := nn.ParamsOf(c.layer)
		grads := func() [][]float32 {
			var g [][]float32
			for _, p := range params {
				g = append(g, append([]float32(nil), p.Grad.Data()...))
				p.ZeroGrad()
			}
			return g
		}
		xv := autograd.Param(x.Clone())
		y := c.layer.Forward(xv, nn.Train(tensor.NewRNG(0)))
		y.BackwardWith(dy)
		graph := grads()
		for _, procs := range []int{1, 2, 4} {
			old := runtime.GOMAXPROCS(procs)
			mode := nn.Train(tensor.NewRNG(0))
			if procs == 4 {
				mode = nn.Eval // the same bits in either mode
			}
			ky, kdx := runKernel(t, c, x.Data(), dy.Data(), n, n+7, mode)
			runtime.GOMAXPROCS(old)
			same := func(what string, got, want []float32) {
				t.Helper()
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%s, GOMAXPROCS %d, %s[%d]: kernel %v, graph %v", c.name, procs, what, i, got[i], want[i])
					}
				}
			}
			same("y", ky, y.Value.Data())
			same("dx", kdx, xv.Grad.Data())
			for i, g := range grads() {
				same(params[i].Name, g, graph[i])
			}
		}
	}
}

// TestConvFrozen checks that frozen parameters get no gradient and that
// the input gradient does not depend on whether they are trained.
func TestConvFrozen(t *testing.T) {
	rng := tensor.NewRNG(5)
	c := nn.NewConv2d(2, 3, [2]int{3, 3}, 1, true, rng)
	x := tensor.Randn(rng, 2, 2, 5, 5)
	run := func() []float32 {
		xv := autograd.Param(x.Clone())
		c.Forward(xv, nn.Eval).BackwardWith(tensor.Ones(2, 3, 3, 3))
		return xv.Grad.Data()
	}
	want := run()
	c.Weight.ZeroGrad()
	c.Bias.ZeroGrad()
	frozen := &nn.Conv2d{In: 2, Out: 3, Kernel: c.Kernel, Stride: c.Stride, Dilation: c.Dilation, Groups: 1,
		Weight: autograd.Const(c.Weight.Value), Bias: autograd.Const(c.Bias.Value)}
	xv := autograd.Param(x.Clone())
	frozen.Forward(xv, nn.Eval).BackwardWith(tensor.Ones(2, 3, 3, 3))
	for i, g := range xv.Grad.Data() {
		if g != want[i] {
			t.Fatalf("dx[%d]: frozen %v, trained %v", i, g, want[i])
		}
	}
}

// TestConvWarmStepAllocates checks that a warm forward and backward
// allocate nothing.
func TestConvWarmStepAllocates(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers")
	}
	rng := tensor.NewRNG(6)
	for _, c := range convCases(rng) {
		const n = 4
		k := nn.Fuse(c.layer, c.in, n)
		out, _ := c.layer.OutShape(c.in)
		x := tensor.Randn(rng, append([]int{n}, c.in...)...).Data()
		y := make([]float32, n*nn.Size(out))
		dx := make([]float32, len(x))
		step := func() {
			k.Forward(y, x, n, nn.Train(nil))
			k.Backward(dx, y, x, y, n)
		}
		step()
		if a := testing.AllocsPerRun(5, step); a != 0 {
			t.Errorf("%s: %v allocations per warm step, want 0", c.name, a)
		}
	}
}

// TestConvRoundTrip builds every layer back from its description.
func TestConvRoundTrip(t *testing.T) {
	for _, c := range convCases(tensor.NewRNG(7)) {
		d := c.layer.Describe()
		b, err := nn.Build(d.Op, nn.Options(d.Config), c.in, tensor.NewRNG(0))
		if err != nil {
			t.Fatalf("%s: Build(%v): %v", c.name, d.Config, err)
		}
		if got, want := fmt.Sprint(b.Describe()), fmt.Sprint(d); got != want {
			t.Errorf("%s: rebuilt layer describes itself as %s, want %s", c.name, got, want)
		}
		for i, p := range nn.ParamsOf(b) {
			if want := nn.ParamsOf(c.layer)[i]; p.Name != want.Name || fmt.Sprint(p.Value.Shape()) != fmt.Sprint(want.Value.Shape()) {
				t.Errorf("%s: rebuilt parameter %s %v, want %s %v", c.name, p.Name, p.Value.Shape(), want.Name, want.Value.Shape())
			}
		}
		got, _ := b.OutShape(c.in)
		want, _ := c.layer.OutShape(c.in)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: rebuilt layer's output %v, want %v", c.name, got, want)
		}
	}
}

// TestConvInit checks the initial weights' range and that the short form
// sets out_channels.
func TestConvInit(t *testing.T) {
	l, err := nn.Build("conv2d", nn.Options{"out_channels": 64, "kernel_size": 3, "groups": 2}, []int{32, 8, 8}, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	c := l.(*nn.Conv2d)
	if got := fmt.Sprint(c.Weight.Value.Shape(), c.Bias.Value.Shape()); got != "[64 16 3 3] [64]" {
		t.Fatalf("shapes: got %s, want [64 16 3 3] [64]", got)
	}
	bound := 1 / math.Sqrt(16*9)
	for _, p := range []*autograd.Var{c.Weight, c.Bias} {
		lo, hi := 0.0, 0.0
		for _, v := range p.Value.Data() {
			lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
		}
		// Over hundreds of draws from U(±bound) the extremes come close.
		if hi > bound || lo < -bound || hi < 0.9*bound || lo > -0.9*bound {
			t.Errorf("values in [%g, %g], want them to fill U(±%g)", lo, hi, bound)
		}
	}
	tr := nn.NewConvTranspose2d(8, 6, [2]int{2, 2}, 2, true, tensor.NewRNG(1))
	if got := fmt.Sprint(tr.Weight.Value.Shape()); got != "[8 3 2 2]" {
		t.Errorf("transposed weight shape %s, want [8 3 2 2]", got)
	}
	if key, ok := nn.ShortKey("conv2d"); !ok || key != "out_channels" {
		t.Errorf("ShortKey(conv2d) = %q, %v", key, ok)
	}
}

func TestConvErrors(t *testing.T) {
	cases := []struct {
		op   string
		o    nn.Options
		in   []int
		want string
	}{
		{"conv2d", nn.Options{"out_channels": 8}, []int{1, 5, 5}, "kernel_size is required"},
		{"conv2d", nn.Options{"kernel_size": 3}, []int{1, 5, 5}, "out_channels is required"},
		{"conv2d", nn.Options{"out_channels": 8, "kernel_size": 5}, []int{1, 3, 3}, "conv2d: kernel_size 5 is larger than the padded input 3×3"},
		{"conv2d", nn.Options{"out_channels": 8, "kernel_size": 3, "dilation": 2}, []int{1, 4, 6}, "conv2d: kernel_size 3 with dilation 2 is larger than the padded input 4×6"},
		{"conv2d", nn.Options{"out_channels": 6, "kernel_size": 3, "groups": 3}, []int{8, 5, 5}, "groups 3 must divide in_channels 8 and out_channels 6"},
		{"conv2d", nn.Options{"out_channels": 6, "kernel_size": 3, "groups": 0}, []int{6, 5, 5}, "groups must be positive, got 0"},
		{"conv2d", nn.Options{"out_channels": 6, "kernel_size": 3, "stride": 2, "padding": "same"}, []int{6, 5, 5}, `padding "same" needs stride 1, got stride 2`},
		{"conv2d", nn.Options{"out_channels": 6, "kernel_size": 3, "padding": "full"}, []int{6, 5, 5}, `padding: want an integer, a list of 2, "same" or "valid", got "full"`},
		{"conv2d", nn.Options{"out_channels": 6, "kernel_size": []any{3, 3, 3}}, []int{6, 5, 5}, "kernel_size: want 2 integers, got 3"},
		{"conv2d", nn.Options{"out_channels": 6, "kernel_size": 3, "stride": 0}, []int{6, 5, 5}, "stride must be positive, got 0"},
		{"conv2d", nn.Options{"out_channels": 6, "kernel_size": 3, "padding": -1}, []int{6, 5, 5}, "padding must not be negative, got -1"},
		{"conv2d", nn.Options{"out_channels": 6, "kernel_size": 3, "padding_mode": "zeros"}, []int{6, 5, 5}, `unknown parameter "padding_mode"`},
		{"conv2d", nn.Options{"out_channels": 6, "kernel_size": 3}, []int{25}, "conv2d: want input [channels, height, width], got [25]"},
		{"conv2d", nn.Options{"out_channels": 1 << 20, "kernel_size": 11}, []int{1 << 10, 32, 32}, "more than the"},
		{"conv1d", nn.Options{"out_channels": 6, "kernel_size": 3}, []int{6, 5, 5}, "conv1d: want input [channels, length], got [6 5 5]"},
		{"conv1d", nn.Options{"out_channels": 6, "kernel_size": 7}, []int{6, 5}, "conv1d: kernel_size 7 is larger than the padded input 5"},
		{"conv1d", nn.Options{"out_channels": 4, "kernel_size": 3, "groups": 4}, []int{6, 5}, "groups 4 must divide in_channels 6 and out_channels 4"},
		{"conv_transpose2d", nn.Options{"out_channels": 4, "kernel_size": 3, "stride": 2, "output_padding": 2}, []int{2, 5, 5}, "output_padding 2 must be smaller than stride 2 or dilation 1"},
		{"conv_transpose2d", nn.Options{"out_channels": 4, "kernel_size": 3, "padding": "same"}, []int{2, 5, 5}, "padding: want an integer or a list of 2, got same"},
		{"conv_transpose2d", nn.Options{"out_channels": 4, "kernel_size": 1, "padding": 2}, []int{2, 3, 3}, "conv_transpose2d: the output of input [3 3] would be empty"},
	}
	for _, c := range cases {
		_, err := nn.Build(c.op, c.o, c.in, tensor.NewRNG(0))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Build(%s, %v, %v): got error %v, want it to contain %q", c.op, c.o, c.in, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("Build(%s, %v): error of several lines: %q", c.op, c.o, err)
		}
	}
	// OutShape names the mismatch of a built layer.
	c := nn.NewConv2d(3, 4, [2]int{3, 3}, 1, true, tensor.NewRNG(0))
	if _, err := c.OutShape([]int{2, 5, 5}); err == nil || err.Error() != "conv2d: want 3 input channels, got 2 (input [2 5 5])" {
		t.Errorf("OutShape: got %v", err)
	}
}

// TestConvConcurrent runs kernels of several layers at once, sharing the
// goroutines that unfold columns, and checks they compute what they do
// alone.
func TestConvConcurrent(t *testing.T) {
	rng := tensor.NewRNG(8)
	old := runtime.GOMAXPROCS(4)
	defer runtime.GOMAXPROCS(old)
	type run struct {
		c       convCase
		x, dy   []float32
		y, dx   []float32
		n, rows int
	}
	var runs []*run
	for i := 0; i < 4; i++ {
		c := nn.NewConv2d(8, 16, [2]int{3, 3}, 1, true, rng)
		c.Padding = [2]int{1, 1}
		in := []int{8, 12, 12}
		out, _ := c.OutShape(in)
		const n = 24
		runs = append(runs, &run{c: convCase{fmt.Sprint("conv ", i), c, in}, n: n, rows: n,
			x:  tensor.Randn(rng, append([]int{n}, in...)...).Data(),
			dy: tensor.Randn(rng, append([]int{n}, out...)...).Data()})
	}
	for _, r := range runs {
		r.y, r.dx = runKernel(t, r.c, r.x, r.dy, r.n, r.rows, nn.Eval)
	}
	done := make(chan [2][]float32)
	for _, r := range runs {
		go func() {
			k := nn.Fuse(r.c.layer, r.c.in, r.n)
			y := make([]float32, len(r.y))
			dx := make([]float32, len(r.x))
			for range 3 {
				k.Forward(y, r.x, r.n, nn.Train(nil))
			}
			k.Backward(dx, r.dy, r.x, y, r.n)
			done <- [2][]float32{y, dx}
		}()
	}
	got := map[float32]bool{}
	for range runs {
		res := <-done
		got[res[0][0]] = true
		for _, r := range runs {
			if r.y[0] != res[0][0] {
				continue
			}
			for i := range r.y {
				if res[0][i] != r.y[i] {
					t.Fatalf("%s: y[%d] %v concurrently, %v alone", r.c.name, i, res[0][i], r.y[i])
				}
			}
			for i := range r.dx {
				if res[1][i] != r.dx[i] {
					t.Fatalf("%s: dx[%d] %v concurrently, %v alone", r.c.name, i, res[1][i], r.dx[i])
				}
			}
		}
	}
	if len(got) != len(runs) {
		t.Fatalf("%d distinct results from %d layers", len(got), len(runs))
	}
}

// TestConvReLUInPlace checks a chain in which ReLUs write over the
// outputs of the convolutions before them (see nn.InPlacer) against the
// graph form, bit for bit: a ReLU after a convolution, one after pooling
// (not in place), and one at the end writing into the caller's buffer.
func TestConvReLUInPlace(t *testing.T) {
	rng := tensor.NewRNG(9)
	c1 := nn.NewConv2d(2, 4, [2]int{3, 3}, 1, true, rng)
	c1.Padding = [2]int{1, 1}
	c2 := nn.NewConv2d(4, 3, [2]int{3, 3}, 1, true, rng)
	c2.Stride = [2]int{2, 2}
	pool := nn.NewMaxPool2d(2)
	net := nn.NewSequential(c1, &activation.ReLULayer{}, pool, &activation.ReLULayer{}, c2, &activation.ReLULayer{})
	in := []int{2, 8, 8}
	out, err := net.OutShape(in)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	x := tensor.Randn(rng, append([]int{n}, in...)...)
	dy := tensor.Randn(rng, append([]int{n}, out...)...)
	xv := autograd.Param(x.Clone())
	y := net.Forward(xv, nn.Eval)
	y.BackwardWith(dy)
	var want [][]float32
	for _, p := range net.Params() {
		want = append(want, append([]float32(nil), p.Grad.Data()...))
		p.ZeroGrad()
	}
	k := nn.Fuse(net, in, n)
	ky := make([]float32, n*nn.Size(out))
	kdx := make([]float32, x.Len())
	k.Forward(ky, x.Data(), n, nn.Eval)
	k.Backward(kdx, dy.Data(), x.Data(), ky, n)
	same := func(what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s[%d]: kernel %v, graph %v", what, i, got[i], want[i])
			}
		}
	}
	same("y", ky, y.Value.Data())
	same("dx", kdx, xv.Grad.Data())
	for i, p := range net.Params() {
		same(p.Name, p.Grad.Data(), want[i])
	}
}
