package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// int8ConvCase is one int8 convolution to test and the input it runs on.
type int8ConvCase struct {
	name                     string
	c, h, w, o               int
	kernel, stride, pad, dil [2]int
	padMode                  string
	bias                     bool
}

var int8ConvCases = []int8ConvCase{
	{name: "3x3 pad 1", c: 1, h: 9, w: 8, o: 5, kernel: [2]int{3, 3}, stride: [2]int{1, 1}, pad: [2]int{1, 1}, dil: [2]int{1, 1}, bias: true},
	{name: "channels, no bias", c: 6, h: 7, w: 7, o: 17, kernel: [2]int{3, 3}, stride: [2]int{1, 1}, dil: [2]int{1, 1}},
	{name: "stride 2, 5x3", c: 3, h: 11, w: 10, o: 70, kernel: [2]int{5, 3}, stride: [2]int{2, 2}, pad: [2]int{2, 1}, dil: [2]int{1, 1}, bias: true},
	{name: "stride 3x1, dilation 2", c: 2, h: 12, w: 9, o: 8, kernel: [2]int{3, 2}, stride: [2]int{3, 1}, pad: [2]int{1, 3}, dil: [2]int{2, 2}, bias: true},
	{name: "padding wider than kernel", c: 2, h: 4, w: 5, o: 3, kernel: [2]int{2, 2}, stride: [2]int{1, 2}, pad: [2]int{3, 4}, dil: [2]int{1, 1}, bias: true},
	{name: "same", c: 4, h: 6, w: 9, o: 9, kernel: [2]int{4, 3}, stride: [2]int{1, 1}, dil: [2]int{1, 2}, padMode: "same", bias: true},
	{name: "1x1", c: 5, h: 3, w: 4, o: 6, kernel: [2]int{1, 1}, stride: [2]int{1, 1}, dil: [2]int{1, 1}},
}

// layers returns the int8 convolution of the case, with random int8
// weights and scales, and the float Conv2d holding its dequantized
// weights.
func (tc int8ConvCase) layers(t *testing.T, r *rand.Rand) (*nn.Conv2dInt8, *nn.Conv2d) {
	t.Helper()
	kh, kw := tc.kernel[0], tc.kernel[1]
	q := &nn.Conv2dInt8{In: tc.c, Out: tc.o, Kernel: tc.kernel, Stride: tc.stride, Padding: tc.pad, Dilation: tc.dil, PadMode: tc.padMode,
		Weight: tensor.Zeros(tc.o, tc.c, kh, kw), Scale: tensor.Zeros(tc.o)}
	f := nn.NewConv2d(tc.c, tc.o, tc.kernel, 1, tc.bias, tensor.NewRNG(1))
	f.Stride, f.Padding, f.Dilation, f.PadMode = tc.stride, tc.pad, tc.dil, tc.padMode
	per := tc.c * kh * kw
	for o := range tc.o {
		s := float32(0.001 + 0.01*r.Float64())
		q.Scale.Data()[o] = s
		for k := range per {
			v := float32(r.IntN(256) - 128)
			q.Weight.Data()[o*per+k] = v
			f.Weight.Value.Data()[o*per+k] = v * s
		}
	}
	if tc.bias {
		q.Bias = tensor.Zeros(tc.o)
		for o := range tc.o {
			q.Bias.Data()[o] = float32(r.NormFloat64())
		}
		f.Bias.Value.CopyFrom(q.Bias)
	}
	if err := q.Prepare(); err != nil {
		t.Fatal(err)
	}
	return q, f
}

func (tc int8ConvCase) input(n int, r *rand.Rand) *tensor.Tensor {
	x := tensor.Zeros(n, tc.c, tc.h, tc.w)
	for i := range x.Data() {
		x.Data()[i] = float32(r.NormFloat64())
		if i%7 == 0 {
			x.Data()[i] = 0 // as after a ReLU
		}
	}
	return x
}

// patchScale returns the activation quantization step of the patch read
// by output (oh, ow) of sample x (c × h × w), from the definition: the
// patch's range with 0 included, over 127 steps.
func patchScale(tc int8ConvCase, x []float32, ho, wo, oh, ow int) float64 {
	var ph, pw int
	if tc.padMode == "same" {
		ph, pw = tc.dil[0]*(tc.kernel[0]-1)/2, tc.dil[1]*(tc.kernel[1]-1)/2
	} else if tc.padMode == "" {
		ph, pw = tc.pad[0], tc.pad[1]
	}
	var lo, hi float64
	for ci := range tc.c {
		for i := range tc.kernel[0] {
			for j := range tc.kernel[1] {
				ih, iw := oh*tc.stride[0]-ph+i*tc.dil[0], ow*tc.stride[1]-pw+j*tc.dil[1]
				if ih < 0 || ih >= tc.h || iw < 0 || iw >= tc.w {
					continue
				}
				v := float64(x[(ci*tc.h+ih)*tc.w+iw])
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	return (hi - lo) / 127
}

// TestConv2dInt8MatchesFloat checks the int8 convolution against the
// float convolution of its dequantized weights: the only difference is
// the rounding of the activations, at most half a quantization step of
// each patch value, so output (o, p) may differ by at most
// ½·step(p)·Σ_k |W[o][k]|.
func TestConv2dInt8MatchesFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, tc := range int8ConvCases {
		q, f := tc.layers(t, r)
		x := tc.input(3, r)
		want := f.Forward(autograd.Const(x), nn.Eval).Value
		got := q.Forward(autograd.Const(x), nn.Eval).Value
		if !tensor.SameShape(got, want) {
			t.Fatalf("%s: shape %v, want %v", tc.name, got.Shape(), want.Shape())
		}
		ho, wo := got.Dim(2), got.Dim(3)
		per := tc.c * tc.kernel[0] * tc.kernel[1]
		for s := range 3 {
			xs := x.Data()[s*tc.c*tc.h*tc.w : (s+1)*tc.c*tc.h*tc.w]
			for oh := range ho {
				for ow := range wo {
					step := patchScale(tc, xs, ho, wo, oh, ow)
					for o := range tc.o {
						var sum float64
						for _, v := range f.Weight.Value.Data()[o*per : (o+1)*per] {
							sum += math.Abs(float64(v))
						}
						bound := 0.5 * step * sum
						i := ((s*tc.o+o)*ho+oh)*wo + ow
						g, w := float64(got.Data()[i]), float64(want.Data()[i])
						if math.Abs(g-w) > bound*1.01+1e-5 {
							t.Fatalf("%s: sample %d, y[%d][%d][%d] = %v, want %v ± %v", tc.name, s, o, oh, ow, g, w, bound)
						}
					}
				}
			}
		}
	}
}

// TestConv2dInt8SameBitsAnyBatch checks that a sample's output is the
// same bits alone, in a batch with others, and with the batch shared
// among 1, 2 or 4 goroutines.
func TestConv2dInt8SameBitsAnyBatch(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, tc := range int8ConvCases[1:4] {
		q, _ := tc.layers(t, r)
		n := 9
		x := tc.input(n, r)
		alone := make([][]float32, n)
		is := tc.c * tc.h * tc.w
		for s := range n {
			xs := tensor.New(append([]float32(nil), x.Data()[s*is:(s+1)*is]...), 1, tc.c, tc.h, tc.w)
			alone[s] = q.Forward(autograd.Const(xs), nn.Eval).Value.Data()
		}
		for _, procs := range []int{1, 2, 4} {
			old := runtime.GOMAXPROCS(procs)
			y := q.Forward(autograd.Const(x), nn.Eval).Value.Data()
			runtime.GOMAXPROCS(old)
			os := len(y) / n
			for s := range n {
				for i, v := range alone[s] {
					if math.Float32bits(y[s*os+i]) != math.Float32bits(v) {
						t.Fatalf("%s, GOMAXPROCS %d: sample %d output %d is %v in the batch, %v alone", tc.name, procs, s, i, y[s*os+i], v)
					}
				}
			}
		}
	}
}

// TestConv2dInt8SameBitsEveryPath checks that every int8 kernel path this
// build has (VNNI, AVX2, Go) gives the same bits.
func TestConv2dInt8SameBitsEveryPath(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, tc := range int8ConvCases {
		q, _ := tc.layers(t, r)
		x := tc.input(4, r)
		var first []float32
		for _, isa := range kernel.Int8ISAs() {
			restore := kernel.SetInt8ISA(isa)
			y := q.Forward(autograd.Const(x), nn.Eval).Value.Data()
			restore()
			if first == nil {
				first = y
				continue
			}
			for i, v := range y {
				if math.Float32bits(v) != math.Float32bits(first[i]) {
					t.Fatalf("%s: %s gives y[%d] = %v, %s %v", tc.name, isa, i, v, kernel.Int8ISAs()[0], first[i])
				}
			}
		}
	}
}

// TestConv2dInt8PrepareRejects checks that Prepare refuses buffers that
// are not int8 weights, finite scales and a finite bias, with one line
// that names the element.
func TestConv2dInt8PrepareRejects(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	tc := int8ConvCases[3] // c 2, kernel 3×2
	for _, c := range []struct {
		set  func(q *nn.Conv2dInt8)
		want string
	}{
		{func(q *nn.Conv2dInt8) { q.Weight.Data()[1*12+1*6+2*2+1] = 0.5 }, "weight[1][1][2][1] is 0.5, want a whole number in -128…127"},
		{func(q *nn.Conv2dInt8) { q.Weight.Data()[0] = 128 }, "weight[0][0][0][0] is 128"},
		{func(q *nn.Conv2dInt8) { q.Weight.Data()[5] = -129 }, "weight[0][0][2][1] is -129"},
		{func(q *nn.Conv2dInt8) { q.Weight.Data()[7] = float32(math.NaN()) }, "weight[0][1][0][1] is NaN"},
		{func(q *nn.Conv2dInt8) { q.Scale.Data()[3] = float32(math.NaN()) }, "weight_scale[3] is NaN, want a finite number ≥ 0"},
		{func(q *nn.Conv2dInt8) { q.Scale.Data()[2] = -1 }, "weight_scale[2] is -1"},
		{func(q *nn.Conv2dInt8) { q.Scale.Data()[1] = float32(math.Inf(1)) }, "weight_scale[1] is +Inf"},
		{func(q *nn.Conv2dInt8) { q.Bias.Data()[4] = float32(math.Inf(-1)) }, "bias[4] is -Inf, want a finite number"},
	} {
		q, _ := tc.layers(t, r)
		c.set(q)
		err := q.Prepare()
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("got %v, want one line containing %q", err, c.want)
		}
	}
}

// TestConv2dInt8Registry builds the layer from its description, checks
// that grouped convolutions are refused, and that it has no backward pass.
func TestConv2dInt8Registry(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	tc := int8ConvCases[2]
	q, _ := tc.layers(t, r)
	in := []int{tc.c, tc.h, tc.w}
	d := q.Describe()
	l, err := nn.Build(d.Op, nn.Options(d.Config), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(l.Describe()), fmt.Sprint(d); got != want {
		t.Errorf("rebuilt: %s, want %s", got, want)
	}
	s1, _ := l.OutShape(in)
	s2, _ := q.OutShape(in)
	if fmt.Sprint(s1) != fmt.Sprint(s2) || fmt.Sprint(s1) != "[70 6 5]" {
		t.Errorf("OutShape %v and %v, want [70 6 5]", s1, s2)
	}
	if _, err := q.OutShape([]int{tc.c + 1, tc.h, tc.w}); err == nil || !strings.Contains(err.Error(), "conv2d_int8: want 3 input channels, got 4") {
		t.Errorf("wrong channels: %v", err)
	}
	opts := nn.Options{"out_channels": 4, "kernel_size": 3, "groups": 2}
	if _, err := nn.Build("conv2d_int8", opts, []int{4, 8, 8}, nil); err == nil || !strings.Contains(err.Error(), "groups must be 1") {
		t.Errorf("groups 2: got %v", err)
	}
	k := nn.Fuse(q, in, 2)
	defer func() {
		if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "no backward pass") {
			t.Errorf("Backward: recovered %v, want a panic saying there is no backward pass", v)
		}
	}()
	k.Backward(nil, nil, nil, nil, 1)
}
