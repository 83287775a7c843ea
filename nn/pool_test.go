package nn_test

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// distinct returns a tensor of the given shape holding a random
// permutation of well-separated values, so that no pooling window has a
// tie or a near tie that a finite difference could cross.
func distinct(rng *tensor.RNG, shape ...int) *tensor.Tensor {
	t := tensor.Zeros(shape...)
	for i, p := range rng.Perm(t.Len()) {
		t.Data()[i] = float32(p)*0.1 - float32(t.Len())*0.05
	}
	return t
}

func TestPoolGradients(t *testing.T) {
	rng := tensor.NewRNG(1)
	cases := []nn.Layer{
		nn.NewMaxPool2d(2),
		&nn.MaxPool2d{KernelSize: [2]int{3, 2}, Stride: [2]int{2, 1}, Padding: [2]int{1, 1}, Dilation: [2]int{2, 1}, CeilMode: true},
		nn.NewAvgPool2d(2),
		&nn.AvgPool2d{KernelSize: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}, CeilMode: true},
		&nn.AvgPool2d{KernelSize: [2]int{3, 2}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}, CeilMode: true, CountIncludePad: true},
		nn.NewAdaptiveAvgPool2d(1, 1),
		nn.NewAdaptiveAvgPool2d(3, 2),
	}
	for _, l := range cases {
		for _, m := range []nn.Mode{nn.Eval, nn.Train(tensor.NewRNG(2))} {
			err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
				return l.Forward(in[0], m)
			}, []*tensor.Tensor{distinct(rng, 2, 3, 7, 5)}, gradtest.Options{})
			if err != nil {
				t.Errorf("%s %v (train %v): %v", l.Describe().Op, l.Describe().Config, m.Train, err)
			}
		}
	}
}

// TestMaxPoolFirstMaximum checks on a window of equal values that the
// whole gradient goes to the first of them in row-major order, as in
// PyTorch, and that padding never wins even when every value is negative.
func TestMaxPoolFirstMaximum(t *testing.T) {
	x := autograd.Param(tensor.FromSlice([]float32{
		-5, -1, -1,
		-1, -7, -1,
		-3, -1, -2,
	}, 1, 1, 3, 3))
	p := &nn.MaxPool2d{KernelSize: [2]int{2, 2}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}, Dilation: [2]int{1, 1}}
	y := p.Forward(x, nn.Eval)
	// Windows (with padding) cover rows {-1,0}×cols {-1,0}, {-1,0}×{1,2},
	// {1,2}×{-1,0}, {1,2}×{1,2}.
	if got, want := fmt.Sprint(y.Value.Data()), "[-5 -1 -1 -1]"; got != want {
		t.Fatalf("y = %s, want %s", got, want)
	}
	y.BackwardWith(tensor.FromSlice([]float32{1, 10, 100, 1000}, 1, 1, 2, 2))
	// The maxima: (0,0) alone; (0,1) before (0,2); (1,0); and in the last
	// window, of -7, -1, -1, -2, the -1 at (1,2) before the one at (2,1).
	want := "[1 10 0 100 0 1000 0 0 0]"
	if got := fmt.Sprint(x.Grad.Data()); got != want {
		t.Errorf("dx = %s, want %s", got, want)
	}
}

// TestPoolShapes checks PyTorch's output-size rules, including ceil_mode
// dropping a window that would start in the right padding.
func TestPoolShapes(t *testing.T) {
	cases := []struct {
		l    nn.Layer
		in   []int
		want string
	}{
		{nn.NewMaxPool2d(2), []int{3, 28, 28}, "[3 14 14]"},
		{nn.NewMaxPool2d(2), []int{3, 7, 7}, "[3 3 3]"},
		{&nn.MaxPool2d{KernelSize: [2]int{2, 2}, Stride: [2]int{2, 2}, Dilation: [2]int{1, 1}, CeilMode: true}, []int{3, 7, 7}, "[3 4 4]"},
		// ceil: ⌈(5+2−3)/2⌉+1 = 3 windows, the last starting at 3 (inside).
		{&nn.AvgPool2d{KernelSize: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}, CeilMode: true}, []int{1, 5, 6}, "[1 3 4]"},
		// ceil: ⌈(4+2−2)/3⌉+1 = 3 windows, but the third would start at
		// 2·3 = 6 ≥ in+padding = 5, in the right padding: dropped.
		{&nn.AvgPool2d{KernelSize: [2]int{2, 2}, Stride: [2]int{3, 3}, Padding: [2]int{1, 1}, CeilMode: true}, []int{1, 4, 4}, "[1 2 2]"},
		{nn.NewAdaptiveAvgPool2d(1, 1), []int{8, 5, 3}, "[8 1 1]"},
	}
	for _, c := range cases {
		got, err := c.l.OutShape(c.in)
		if err != nil || fmt.Sprint(got) != c.want {
			t.Errorf("%s %v OutShape(%v) = %v, %v; want %s", c.l.Describe().Op, c.l.Describe().Config, c.in, got, err, c.want)
		}
	}
}

// TestAdaptiveAvgPoolWindows checks the overlapping windows of an
// adaptive pool against averages taken by hand: 5 inputs to 3 outputs
// average [0, 2), [1, 4) and [3, 5).
func TestAdaptiveAvgPoolWindows(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 2, 4, 8, 16}, 1, 1, 1, 5)
	y := nn.NewAdaptiveAvgPool2d(1, 3).Forward(autograd.Const(x), nn.Eval)
	want := []float32{(1 + 2) / 2.0, (2 + 4 + 8) / 3.0, (8 + 16) / 2.0}
	for i, w := range want {
		if g := y.Value.Data()[i]; g != w {
			t.Errorf("y[%d] = %v, want %v", i, g, w)
		}
	}
}

func benchmarkLayer(b *testing.B, l nn.Layer, in []int, n int, m nn.Mode) {
	k := nn.Fuse(l, in, n)
	out, _ := l.OutShape(in)
	x := tensor.Randn(tensor.NewRNG(1), append([]int{n}, in...)...).Data()
	y := make([]float32, n*nn.Size(out))
	dy := tensor.Randn(tensor.NewRNG(2), n*nn.Size(out)).Data()
	dx := make([]float32, len(x))
	k.Forward(y, x, n, m)
	k.Backward(dx, dy, x, y, n)
	b.ReportAllocs()
	b.SetBytes(int64(4 * len(x)))
	b.ResetTimer()
	for range b.N {
		k.Forward(y, x, n, m)
		k.Backward(dx, dy, x, y, n)
	}
}

// BenchmarkMaxPool2d runs forward and backward of a 2×2 max pool on a
// batch of 64 samples of 32×28×28.
func BenchmarkMaxPool2d(b *testing.B) {
	benchmarkLayer(b, nn.NewMaxPool2d(2), []int{32, 28, 28}, 64, nn.Train(tensor.NewRNG(3)))
}

// BenchmarkAvgPool2d is BenchmarkMaxPool2d's average pool.
func BenchmarkAvgPool2d(b *testing.B) {
	benchmarkLayer(b, nn.NewAvgPool2d(2), []int{32, 28, 28}, 64, nn.Train(tensor.NewRNG(3)))
}

// TestMaxPoolEmptyWindow checks a window that dilation steps over
// entirely: kernel 2, dilation 2 and padding 1 on a single row look at
// rows −1 and 1, neither of which exists.
func TestMaxPoolEmptyWindow(t *testing.T) {
	p := &nn.MaxPool2d{KernelSize: [2]int{2, 1}, Stride: [2]int{2, 1}, Padding: [2]int{1, 0}, Dilation: [2]int{2, 1}}
	x := autograd.Param(tensor.FromSlice([]float32{1, 2, 3}, 1, 1, 1, 3))
	y := p.Forward(x, nn.Eval)
	if got, want := fmt.Sprint(y.Value.Shape(), y.Value.Data()), "[1 1 1 3] [-Inf -Inf -Inf]"; got != want {
		t.Fatalf("y = %s, want %s", got, want)
	}
	y.BackwardWith(tensor.Ones(1, 1, 1, 3))
	if got := fmt.Sprint(x.Grad.Data()); got != "[0 0 0]" {
		t.Errorf("dx = %s, want [0 0 0]", got)
	}
}

// TestMaxPoolNaN checks that NaN wins its window, as in PyTorch, and
// takes the gradient: the last NaN, since PyTorch replaces on every NaN.
func TestMaxPoolNaN(t *testing.T) {
	nan := float32(math.NaN())
	x := autograd.Param(tensor.FromSlice([]float32{1, nan, 5, nan}, 1, 1, 2, 2))
	y := nn.NewMaxPool2d(2).Forward(x, nn.Eval)
	if v := y.Value.Data()[0]; v == v {
		t.Fatalf("y = %v, want NaN", v)
	}
	y.Backward()
	if got := fmt.Sprint(x.Grad.Data()); got != "[0 0 0 1]" {
		t.Errorf("dx = %s, want [0 0 0 1]", got)
	}
}

// naiveMaxPool is PyTorch's max pooling loop for one sample plane by
// plane: each window scanned in row-major order from −Inf, a value
// replacing the maximum when greater or NaN, the index starting at the
// window's first element inside the input; −1 for a window with no
// element in the input.
func naiveMaxPool(x []float32, c, h, w int, p *nn.MaxPool2d, oh, ow int) ([]float32, []int) {
	y := make([]float32, c*oh*ow)
	arg := make([]int, c*oh*ow)
	for ch := range c {
		for i := range oh {
			for j := range ow {
				m, at := float32(math.Inf(-1)), -1
				for ki := range p.KernelSize[0] {
					ih := i*p.Stride[0] - p.Padding[0] + ki*p.Dilation[0]
					if ih < 0 || ih >= h {
						continue
					}
					for kj := range p.KernelSize[1] {
						iw := j*p.Stride[1] - p.Padding[1] + kj*p.Dilation[1]
						if iw < 0 || iw >= w {
							continue
						}
						v := x[ch*h*w+ih*w+iw]
						if at < 0 {
							at = ch*h*w + ih*w + iw
						}
						if v > m || v != v {
							m, at = v, ch*h*w+ih*w+iw
						}
					}
				}
				y[ch*oh*ow+i*ow+j], arg[ch*oh*ow+i*ow+j] = m, at
			}
		}
	}
	return y, arg
}

// TestMaxPoolMatchesNaive runs the pooling loops (the 2×2 and 3×3
// stride-2 ones and the general one) against naiveMaxPool on inputs
// drawn from a small set of values, so that windows hold ties, −0
// against 0, −Inf and NaNs of two payloads, and checks outputs and
// gradients bit for bit, the gradients added to a dx that is not zero
// (−0 included, which adding +0 would turn into +0). Each case runs in
// training mode, where overlapping windows record their winners, in
// evaluation mode, where they are found again, and in training mode on
// a kernel fused for fewer samples than it is given.
func TestMaxPoolMatchesNaive(t *testing.T) {
	set := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2, 0.5, float32(math.Inf(-1)),
		math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00002)}
	mp := func(k, s, p, d int, ceil bool) *nn.MaxPool2d {
		return &nn.MaxPool2d{KernelSize: [2]int{k, k}, Stride: [2]int{s, s}, Padding: [2]int{p, p}, Dilation: [2]int{d, d}, CeilMode: ceil}
	}
	cases := []struct {
		p  *nn.MaxPool2d
		in []int
	}{
		{mp(2, 2, 0, 1, false), []int{3, 28, 28}},
		{mp(2, 2, 0, 1, false), []int{2, 14, 14}},
		{mp(2, 2, 0, 1, false), []int{2, 7, 9}},
		{mp(2, 2, 0, 1, true), []int{2, 6, 8}},
		{mp(2, 2, 0, 1, true), []int{2, 7, 5}},
		{mp(3, 2, 1, 1, false), []int{2, 28, 28}},
		{mp(3, 2, 1, 1, true), []int{2, 7, 6}},
		{mp(3, 2, 0, 1, false), []int{2, 9, 10}},
		{mp(3, 1, 1, 2, false), []int{2, 6, 7}},
		{&nn.MaxPool2d{KernelSize: [2]int{3, 2}, Stride: [2]int{2, 1}, Padding: [2]int{1, 1}, Dilation: [2]int{2, 1}, CeilMode: true}, []int{2, 7, 5}},
	}
	rng := tensor.NewRNG(5)
	for _, c := range cases {
		const n = 3
		out, err := c.p.OutShape(c.in)
		if err != nil {
			t.Fatal(err)
		}
		per, perOut := nn.Size(c.in), nn.Size(out)
		x := make([]float32, n*per)
		for i := range x {
			// Mostly finite values, so NaN does not fill every window.
			x[i] = set[rng.Intn(len(set))]
			if rng.Intn(4) != 0 {
				x[i] = set[rng.Intn(6)]
			}
		}
		dy := make([]float32, n*perOut)
		for i := range dy {
			dy[i] = float32(rng.Intn(1000)) / 8
		}
		dx0 := make([]float32, len(x))
		for i := range dx0 {
			dx0[i] = float32(rng.Intn(100)) / 16
			if rng.Intn(8) == 0 {
				dx0[i] = float32(math.Copysign(0, -1))
			}
		}
		want := append([]float32(nil), dx0...)
		wantY := make([]float32, 0, n*perOut)
		for s := range n {
			wy, arg := naiveMaxPool(x[s*per:(s+1)*per], c.in[0], c.in[1], c.in[2], c.p, out[1], out[2])
			wantY = append(wantY, wy...)
			for i := range wy {
				if arg[i] >= 0 {
					want[s*per+arg[i]] += dy[s*perOut+i]
				}
			}
		}
		for _, run := range []struct {
			name string
			rows int
			m    nn.Mode
		}{{"train", n, nn.Train(nil)}, {"eval", n, nn.Eval}, {"train, fused for 1", 1, nn.Train(nil)}} {
			k := nn.Fuse(c.p, c.in, run.rows)
			y := make([]float32, n*perOut)
			dx := append([]float32(nil), dx0...)
			k.Forward(y, x, n, run.m)
			k.Backward(dx, dy, x, y, n)
			for i, v := range wantY {
				if got := y[i]; math.Float32bits(got) != math.Float32bits(v) {
					t.Fatalf("%v on %v, %s: y[%d] = %v (%#x), want %v (%#x)", c.p.Describe().Config, c.in, run.name, i, got, math.Float32bits(got), v, math.Float32bits(v))
				}
			}
			for i := range want {
				if math.Float32bits(dx[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v on %v, %s: dx[%d] = %v (%#x), want %v (%#x)", c.p.Describe().Config, c.in, run.name,
						i, dx[i], math.Float32bits(dx[i]), want[i], math.Float32bits(want[i]))
				}
			}
		}
	}
}

// TestMaxPoolThreads checks that sharing planes among goroutines changes
// no bit of the output or the gradient (run it with -race too).
func TestMaxPoolThreads(t *testing.T) {
	const n = 16
	in := []int{8, 28, 28}
	x := tensor.Randn(tensor.NewRNG(7), n*nn.Size(in)).Data()
	dy := tensor.Randn(tensor.NewRNG(8), n*8*14*14).Data()
	run := func(procs int) ([]float32, []float32) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		k := nn.Fuse(nn.NewMaxPool2d(2), in, n)
		y, dx := make([]float32, len(dy)), make([]float32, len(x))
		k.Forward(y, x, n, nn.Eval)
		k.Backward(dx, dy, x, y, n)
		return y, dx
	}
	y1, dx1 := run(1)
	y4, dx4 := run(4)
	for i := range y1 {
		if math.Float32bits(y1[i]) != math.Float32bits(y4[i]) {
			t.Fatalf("y[%d] = %v on 4 threads, %v on 1", i, y4[i], y1[i])
		}
	}
	for i := range dx1 {
		if math.Float32bits(dx1[i]) != math.Float32bits(dx4[i]) {
			t.Fatalf("dx[%d] = %v on 4 threads, %v on 1", i, dx4[i], dx1[i])
		}
	}
}
