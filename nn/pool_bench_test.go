package nn_test

import (
	"testing"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// poolBenchCases are the shapes of BenchmarkPool2dStep: the two pooling
// layers of the MNIST CNN at batch 64, and ResNet's 3×3 stride-2 stem
// pool.
var poolBenchCases = []struct {
	name string
	l    nn.Layer
	in   []int
}{
	{"max_k2_n64_c32_28x28", nn.NewMaxPool2d(2), []int{32, 28, 28}},
	{"max_k2_n64_c64_14x14", nn.NewMaxPool2d(2), []int{64, 14, 14}},
	{"max_k3s2p1_n64_c32_28x28", &nn.MaxPool2d{KernelSize: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}, Dilation: [2]int{1, 1}}, []int{32, 28, 28}},
	{"avg_k2_n64_c32_28x28", nn.NewAvgPool2d(2), []int{32, 28, 28}},
}

// BenchmarkPool2dStep times one warm training step of a pooling kernel,
// forward and backward, on 64 samples, and reports the CPU time of the
// process per step, which holds still on a shared machine where wall
// time does not. Run with -cpu 1 for one thread.
func BenchmarkPool2dStep(b *testing.B) {
	for _, c := range poolBenchCases {
		b.Run(c.name, func(b *testing.B) {
			const n = 64
			out, err := c.l.OutShape(c.in)
			if err != nil {
				b.Fatal(err)
			}
			k := nn.Fuse(c.l, c.in, n)
			x := tensor.Randn(tensor.NewRNG(1), append([]int{n}, c.in...)...).Data()
			y := make([]float32, n*nn.Size(out))
			dy := tensor.Randn(tensor.NewRNG(2), len(y)).Data()
			dx := make([]float32, len(x))
			step := func() {
				k.Forward(y, x, n, nn.Train(nil))
				k.Backward(dx, dy, x, y, n)
			}
			step()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for range b.N {
				step()
			}
			b.ReportMetric((cpuTime()-cpu0)*1e6/float64(b.N), "cpu-µs/step")
		})
	}
}
