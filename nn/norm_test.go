package nn_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestBatchNormGradients checks the gradients for the input, the weight
// and the bias, in training mode (through the batch statistics) and in
// evaluation mode (through fixed running statistics, or the batch's when
// the layer tracks none), for both ranks.
func TestBatchNormGradients(t *testing.T) {
	rng := tensor.NewRNG(3)
	shapes := map[int][][]int{1: {{6, 3}, {4, 3, 5}}, 2: {{3, 2, 4, 3}}}
	for rank := 1; rank <= 2; rank++ {
		for _, shape := range shapes[rank] {
			for _, track := range []bool{true, false} {
				for _, m := range []nn.Mode{nn.Train(tensor.NewRNG(1)), nn.Eval} {
					c := shape[1]
					running := tensor.Uniform(rng, 0.5, 2, c)
					err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
						b := nn.NewBatchNorm(rank, c, true, track)
						b.Weight, b.Bias = in[1], in[2]
						if track {
							b.RunningVar.CopyFrom(running)
							b.RunningMean.Fill(0.3)
						}
						return b.Forward(in[0], m)
					}, []*tensor.Tensor{tensor.Randn(rng, shape...), tensor.Uniform(rng, 0.5, 1.5, c), tensor.Randn(rng, c)},
						gradtest.Options{})
					if err != nil {
						t.Errorf("rank %d %v track %v train %v: %v", rank, shape, track, m.Train, err)
					}
				}
			}
		}
	}
}

// TestBatchNormRunningStats checks the running statistics against values
// computed here from the batches: with momentum None they are the plain
// average of every batch's mean and unbiased variance.
func TestBatchNormRunningStats(t *testing.T) {
	rng := tensor.NewRNG(4)
	b := nn.NewBatchNorm2d(2)
	b.Cumulative = true
	const steps = 5
	var sumMean, sumVar [2]float64
	for s := range steps {
		n := 2 + s
		x := tensor.Randn(rng, n, 2, 3, 2)
		for i := range x.Data() {
			x.Data()[i] = x.Data()[i]*float32(1+s) + float32(s)
		}
		for c := range 2 {
			var vals []float64
			for j := range n {
				for _, v := range x.Data()[(j*2+c)*6 : (j*2+c+1)*6] {
					vals = append(vals, float64(v))
				}
			}
			mean, ss := 0.0, 0.0
			for _, v := range vals {
				mean += v
			}
			mean /= float64(len(vals))
			for _, v := range vals {
				ss += (v - mean) * (v - mean)
			}
			sumMean[c] += mean
			sumVar[c] += ss / float64(len(vals)-1)
		}
		b.Forward(autograd.Const(x), nn.Train(rng))
	}
	if got := b.NumBatchesTracked.Item(); got != steps {
		t.Errorf("num_batches_tracked = %v, want %d", got, steps)
	}
	for c := range 2 {
		// The cumulative average starts from the initial statistics with
		// weight 0 (f = 1 at the first step).
		if got, want := float64(b.RunningMean.At(c)), sumMean[c]/steps; math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
			t.Errorf("running_mean[%d] = %v, want %v", c, got, want)
		}
		if got, want := float64(b.RunningVar.At(c)), sumVar[c]/steps; math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
			t.Errorf("running_var[%d] = %v, want %v", c, got, want)
		}
	}

	// Evaluation reads the running statistics and changes nothing.
	before := fmt.Sprint(b.RunningMean, b.RunningVar, b.NumBatchesTracked)
	x := tensor.Randn(rng, 3, 2, 3, 2)
	y := b.Forward(autograd.Const(x), nn.Eval)
	if after := fmt.Sprint(b.RunningMean, b.RunningVar, b.NumBatchesTracked); after != before {
		t.Errorf("evaluation changed the buffers: %s, was %s", after, before)
	}
	for i, v := range x.Data() {
		c := (i / 6) % 2
		want := (float64(v) - float64(b.RunningMean.At(c))) / math.Sqrt(float64(b.RunningVar.At(c))+1e-5)
		if got := float64(y.Value.Data()[i]); math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
			t.Fatalf("eval y[%d] = %v, want %v", i, got, want)
		}
	}
}

func TestLayerNormGradients(t *testing.T) {
	rng := tensor.NewRNG(5)
	cases := []struct{ x, norm []int }{
		{[]int{4, 6}, []int{6}},
		{[]int{2, 3, 5}, []int{5}},
		{[]int{2, 3, 4}, []int{3, 4}},
	}
	for _, c := range cases {
		for _, m := range []nn.Mode{nn.Eval, nn.Train(tensor.NewRNG(1))} {
			err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
				l := nn.NewLayerNorm(c.norm, true)
				l.Weight, l.Bias = in[1], in[2]
				return l.Forward(in[0], m)
			}, []*tensor.Tensor{tensor.Randn(rng, c.x...), tensor.Uniform(rng, 0.5, 1.5, c.norm...), tensor.Randn(rng, c.norm...)},
				gradtest.Options{})
			if err != nil {
				t.Errorf("x %v normalized_shape %v: %v", c.x, c.norm, err)
			}
		}
	}
}

func TestGroupNormGradients(t *testing.T) {
	rng := tensor.NewRNG(6)
	cases := []struct {
		groups int
		x      []int
	}{
		{2, []int{3, 4, 3, 2}},
		{1, []int{2, 3, 5}},
		{3, []int{2, 3, 2, 2}},
	}
	for _, c := range cases {
		ch := c.x[1]
		err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
			g := nn.NewGroupNorm(c.groups, ch, true)
			g.Weight, g.Bias = in[1], in[2]
			return g.Forward(in[0], nn.Eval)
		}, []*tensor.Tensor{tensor.Randn(rng, c.x...), tensor.Uniform(rng, 0.5, 1.5, ch), tensor.Randn(rng, ch)},
			gradtest.Options{})
		if err != nil {
			t.Errorf("groups %d x %v: %v", c.groups, c.x, err)
		}
	}
}

// TestNormStatistics checks what normalisation promises, computed here:
// each normalised run has mean 0 and variance 1 (before the affine map,
// which starts as the identity).
func TestNormStatistics(t *testing.T) {
	rng := tensor.NewRNG(7)
	x := tensor.Randn(rng, 3, 4, 5, 6)
	for i := range x.Data() {
		x.Data()[i] = x.Data()[i]*3 + 2
	}
	runs := map[string]struct {
		l   nn.Layer
		run func(i int) int // which run element i belongs to
	}{
		"layer_norm":   {nn.NewLayerNorm([]int{6}, true), func(i int) int { return i / 6 }},
		"group_norm":   {nn.NewGroupNorm(2, 4, true), func(i int) int { return i / 60 }},
		"batch_norm2d": {nn.NewBatchNorm2d(4), func(i int) int { return (i / 30) % 4 }},
	}
	for name, r := range runs {
		y := r.l.Forward(autograd.Const(x), nn.Train(rng)).Value.Data()
		sum, sq, cnt := map[int]float64{}, map[int]float64{}, map[int]float64{}
		for i, v := range y {
			k := r.run(i)
			sum[k] += float64(v)
			sq[k] += float64(v) * float64(v)
			cnt[k]++
		}
		for k := range sum {
			mean, meanSq := sum[k]/cnt[k], sq[k]/cnt[k]
			if math.Abs(mean) > 1e-5 || math.Abs(meanSq-mean*mean-1) > 1e-3 {
				t.Errorf("%s run %d: mean %v, variance %v; want 0 and 1", name, k, mean, meanSq-mean*mean)
			}
		}
	}
}

// TestNormRoundTrip builds every layer of this family back from its
// description and checks it describes itself the same way.
func TestNormRoundTrip(t *testing.T) {
	cases := []struct {
		op string
		o  nn.Options
		in []int
	}{
		{"max_pool2d", nn.Options{"kernel_size": 2}, []int{3, 8, 8}},
		{"max_pool2d", nn.Options{"kernel_size": []any{3, 2}, "stride": 1, "padding": []any{1, 0}, "dilation": 2, "ceil_mode": true}, []int{3, 9, 8}},
		{"avg_pool2d", nn.Options{"kernel_size": 2}, []int{3, 8, 8}},
		{"avg_pool2d", nn.Options{"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": true, "count_include_pad": false}, []int{3, 8, 8}},
		{"adaptive_avg_pool2d", nn.Options{"output_size": 1}, []int{3, 8, 8}},
		{"adaptive_avg_pool2d", nn.Options{"output_size": []any{2, 3}}, []int{3, 8, 8}},
		{"batch_norm1d", nn.Options{}, []int{5}},
		{"batch_norm1d", nn.Options{"momentum": nil, "affine": false}, []int{5, 7}},
		{"batch_norm2d", nn.Options{"eps": 1e-5, "momentum": 0.1}, []int{3, 4, 4}},
		{"batch_norm2d", nn.Options{"track_running_stats": false, "eps": 1e-3}, []int{3, 4, 4}},
		{"layer_norm", nn.Options{}, []int{7, 16}},
		{"layer_norm", nn.Options{"normalized_shape": []any{7, 16}, "elementwise_affine": false}, []int{7, 16}},
		{"group_norm", nn.Options{"num_groups": 2}, []int{4, 3, 3}},
		{"group_norm", nn.Options{"num_groups": 4, "eps": 1e-3, "affine": false}, []int{4, 9}},
		{"dropout2d", nn.Options{"p": 0.1}, []int{4, 3, 3}},
	}
	for _, c := range cases {
		l, err := nn.Build(c.op, c.o, c.in, tensor.NewRNG(0))
		if err != nil {
			t.Errorf("Build(%s, %v): %v", c.op, c.o, err)
			continue
		}
		d := l.Describe()
		b, err := nn.Build(d.Op, nn.Options(d.Config), c.in, tensor.NewRNG(0))
		if err != nil {
			t.Errorf("rebuild %s from %v: %v", c.op, d.Config, err)
			continue
		}
		if got, want := fmt.Sprint(b.Describe()), fmt.Sprint(d); got != want {
			t.Errorf("rebuilt %s describes itself as %s, want %s", c.op, got, want)
		}
		if got, want := fmt.Sprint(nn.ParamsOf(b)), fmt.Sprint(nn.ParamsOf(l)); len(got) != len(want) {
			t.Errorf("rebuilt %s has params %s, want %s", c.op, got, want)
		}
	}
}

func TestNormBuildErrors(t *testing.T) {
	cases := []struct {
		op   string
		o    nn.Options
		in   []int
		want string
	}{
		{"max_pool2d", nn.Options{}, []int{1, 4, 4}, "kernel_size is required"},
		{"max_pool2d", nn.Options{"kernel_size": 0}, []int{1, 4, 4}, "kernel_size must be positive"},
		{"max_pool2d", nn.Options{"kernel_size": 2, "padding": 2}, []int{1, 4, 4}, "padding must be between 0 and half of kernel_size"},
		{"max_pool2d", nn.Options{"kernel_size": 2, "dilation": 0}, []int{1, 4, 4}, "dilation must be positive"},
		{"max_pool2d", nn.Options{"kernel_size": 5}, []int{1, 4, 4}, "too small"},
		{"max_pool2d", nn.Options{"kernel_size": 2}, []int{16}, "want input [C, H, W]"},
		{"max_pool2d", nn.Options{"kernel_size": []any{2, 2, 2}}, []int{1, 4, 4}, "kernel_size: want 2 integers"},
		{"avg_pool2d", nn.Options{"kernel_size": 2, "dilation": 2}, []int{1, 4, 4}, `unknown parameter "dilation"`},
		{"avg_pool2d", nn.Options{"kernel_size": 2, "stride": -1}, []int{1, 4, 4}, "stride must be positive"},
		{"avg_pool2d", nn.Options{"kernel_size": 2, "count_include_pad": 1}, []int{1, 4, 4}, "count_include_pad: want true or false"},
		{"adaptive_avg_pool2d", nn.Options{}, []int{1, 4, 4}, "output_size is required"},
		{"adaptive_avg_pool2d", nn.Options{"output_size": 0}, []int{1, 4, 4}, "output_size must be between 1"},
		{"batch_norm2d", nn.Options{}, []int{4}, "want input [C, H, W]"},
		{"batch_norm1d", nn.Options{}, []int{2, 3, 4}, "want input [C] or [C, L]"},
		{"batch_norm2d", nn.Options{"momentum": 2}, []int{1, 2, 2}, "momentum must be in [0, 1] or null"},
		{"batch_norm2d", nn.Options{"momentum": "fast"}, []int{1, 2, 2}, "momentum: want a number"},
		{"batch_norm2d", nn.Options{"eps": -1}, []int{1, 2, 2}, "eps must be a non-negative number"},
		{"batch_norm2d", nn.Options{"num_features": 3}, []int{1, 2, 2}, `unknown parameter "num_features"`},
		{"layer_norm", nn.Options{"normalized_shape": []any{3}}, []int{2, 4}, "normalized_shape: want the trailing sizes [4]"},
		{"layer_norm", nn.Options{"normalized_shape": []any{1, 2, 4}}, []int{2, 4}, "normalized_shape: want 1 to 2 trailing sizes"},
		{"group_norm", nn.Options{}, []int{4, 2}, "num_groups is required"},
		{"group_norm", nn.Options{"num_groups": 3}, []int{4, 2}, "num_groups: 3 does not divide the 4 channels"},
		{"dropout2d", nn.Options{"p": -0.1}, []int{4, 2}, "p must be in [0, 1], got -0.1"},
	}
	for _, c := range cases {
		_, err := nn.Build(c.op, c.o, c.in, tensor.NewRNG(0))
		if err == nil || !contains(err.Error(), c.want) {
			t.Errorf("Build(%s, %v, %v): got error %v, want it to contain %q", c.op, c.o, c.in, err, c.want)
		}
	}
}

// TestNormKernelsAllocateNothing runs each kernel warm, in both modes,
// and counts allocations.
func TestNormKernelsAllocateNothing(t *testing.T) {
	layers := []struct {
		l  nn.Layer
		in []int
	}{
		{nn.NewMaxPool2d(2), []int{3, 8, 8}},
		{nn.NewAvgPool2d(3), []int{3, 8, 8}},
		{nn.NewAdaptiveAvgPool2d(2, 3), []int{3, 8, 8}},
		{nn.NewBatchNorm2d(3), []int{3, 8, 8}},
		{nn.NewBatchNorm1d(3), []int{3}},
		{nn.NewLayerNorm([]int{8}, true), []int{3, 8}},
		{nn.NewGroupNorm(3, 3, true), []int{3, 8, 8}},
		{nn.NewDropout2d(0.3), []int{3, 8, 8}},
	}
	rng := tensor.NewRNG(1)
	for _, c := range layers {
		const n = 4
		k := nn.Fuse(c.l, c.in, n)
		if k == nil {
			t.Fatalf("%s: no kernel", c.l.Describe().Op)
		}
		for _, p := range nn.ParamsOf(c.l) {
			p.GradData()
		}
		out, _ := c.l.OutShape(c.in)
		x := tensor.Randn(rng, n*nn.Size(c.in)).Data()
		y := make([]float32, n*nn.Size(out))
		dx := make([]float32, len(x))
		for _, m := range []nn.Mode{nn.Train(rng), nn.Eval} {
			allocs := testing.AllocsPerRun(5, func() {
				k.Forward(y, x, n, m)
				k.Backward(dx, y, x, y, n)
			})
			if allocs != 0 {
				t.Errorf("%s (train %v): %v allocations per warm step, want 0", c.l.Describe().Op, m.Train, allocs)
			}
		}
	}
}

// BenchmarkBatchNorm2d runs a training-mode forward (running statistics
// included) and backward of BatchNorm2d on 64 samples of 32×28×28.
func BenchmarkBatchNorm2d(b *testing.B) {
	bn := nn.NewBatchNorm2d(32)
	for _, p := range bn.Params() {
		p.GradData()
	}
	benchmarkLayer(b, bn, []int{32, 28, 28}, 64, nn.Train(tensor.NewRNG(3)))
}

// BenchmarkBatchNorm2dEval is BenchmarkBatchNorm2d in evaluation mode.
func BenchmarkBatchNorm2dEval(b *testing.B) {
	bn := nn.NewBatchNorm2d(32)
	for _, p := range bn.Params() {
		p.GradData()
	}
	benchmarkLayer(b, bn, []int{32, 28, 28}, 64, nn.Eval)
}

// TestNormKernelsMatchGraph runs a network of this family through its
// fused kernels and through the graph, in training mode, and checks that
// outputs, gradients and the running statistics agree bit for bit.
func TestNormKernelsMatchGraph(t *testing.T) {
	build := func() *nn.Sequential {
		rng := tensor.NewRNG(11)
		return nn.NewSequential(
			nn.NewBatchNorm2d(4), nn.NewGroupNorm(2, 4, true), nn.NewDropout2d(0.3),
			&nn.MaxPool2d{KernelSize: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}, Dilation: [2]int{1, 1}, CeilMode: true},
			nn.NewAvgPool2d(2), nn.NewAdaptiveAvgPool2d(1, 1), nn.Flatten{},
			nn.NewLinear(4, 6, true, rng), nn.NewBatchNorm1d(6), nn.NewLayerNorm([]int{6}, true))
	}
	const n = 5
	in := []int{4, 7, 6}
	x := tensor.Randn(tensor.NewRNG(12), n, 4, 7, 6)
	dy := tensor.Randn(tensor.NewRNG(13), n, 6)

	g := build()
	xv := autograd.Param(x.Clone())
	var y *autograd.Var
	for range 2 { // twice, so the running statistics move twice
		for _, p := range g.Params() {
			p.ZeroGrad()
		}
		xv.ZeroGrad()
		y = g.Forward(xv, nn.Train(tensor.NewRNG(14)))
		y.BackwardWith(dy)
	}

	f := build()
	k := nn.Fuse(f, in, n+2)
	out := make([]float32, n*6)
	dx := make([]float32, x.Len())
	for range 2 {
		for _, p := range f.Params() {
			p.ZeroGrad()
		}
		clear(dx)
		k.Forward(out, x.Data(), n, nn.Train(tensor.NewRNG(14)))
		k.Backward(dx, dy.Data(), x.Data(), out, n)
	}
	same := func(what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s[%d]: kernel %v, graph %v", what, i, got[i], want[i])
			}
		}
	}
	same("y", out, y.Value.Data())
	same("dx", dx, xv.Grad.Data())
	for i, p := range f.Params() {
		same(p.Name, p.Grad.Data(), g.Params()[i].Grad.Data())
	}
	for i, b := range f.Buffers() {
		same(b.Name, b.Value.Data(), g.Buffers()[i].Value.Data())
	}
	if got := f.Buffers()[2].Value.Item(); got != 2 {
		t.Errorf("num_batches_tracked = %v, want 2", got)
	}
}

// TestRecountStats gives a network with batch norm inside a residual
// block statistics from other data, then recounts them over three batches:
// the running mean becomes the plain average of the batches' means
// (worked out here), the layer gets its momentum back, and a network
// without running statistics runs nothing.
func TestRecountStats(t *testing.T) {
	rng := tensor.NewRNG(6)
	bn := nn.NewBatchNorm1d(3)
	net := nn.NewSequential(nn.NewLinear(3, 3, true, rng), &nn.Residual{F: nn.NewSequential(bn)})
	for range 4 {
		net.Forward(autograd.Const(tensor.Randn(rng, 8, 3)), nn.Train(rng))
	}
	var batches []*tensor.Tensor
	for s := range 3 {
		x := tensor.Randn(rng, 4+s, 3)
		for i := range x.Data() {
			x.Data()[i] += float32(3 * s)
		}
		batches = append(batches, x)
	}
	var want [3]float64
	for _, x := range batches {
		h := net.Layers[0].Forward(autograd.Const(x), nn.Eval).Value
		for c := range 3 {
			sum := 0.0
			for i := range h.Dim(0) {
				sum += float64(h.At(i, c))
			}
			want[c] += sum / float64(h.Dim(0)) / 3
		}
	}
	k := 0
	n := nn.RecountStats(net, func() *autograd.Var {
		if k == len(batches) {
			return nil
		}
		k++
		return autograd.Const(batches[k-1])
	}, nn.Train(rng))
	if n != 1 || k != 3 {
		t.Fatalf("RecountStats found %d layers and ran %d batches, want 1 and 3", n, k)
	}
	for c := range 3 {
		if got := float64(bn.RunningMean.Data()[c]); math.Abs(got-want[c]) > 1e-5 {
			t.Errorf("running mean[%d] = %v, want the batches' average %v", c, got, want[c])
		}
	}
	if got := bn.NumBatchesTracked.Data()[0]; got != 3 {
		t.Errorf("num_batches_tracked = %v, want 3", got)
	}
	if bn.Cumulative {
		t.Error("the layer was left averaging cumulatively")
	}
	plain := nn.NewSequential(nn.NewLinear(3, 3, true, rng))
	if n := nn.RecountStats(plain, func() *autograd.Var { t.Fatal("ran a batch through a network without statistics"); return nil }, nn.Eval); n != 0 {
		t.Errorf("RecountStats on a plain network found %d layers", n)
	}
}
