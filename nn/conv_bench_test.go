package nn_test

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// convBenchShapes are the shapes of BenchmarkConv2d, kept in step with
// bench/conv/torch_conv.py, which times PyTorch on the same ones.
var convBenchShapes = []struct {
	name                        string
	n, cin, cout, h, w, k, s, p int
	groups                      int
}{
	{"n64_c1to32_28x28_k3", 64, 1, 32, 28, 28, 3, 1, 1, 1},
	{"n64_c32to64_14x14_k3", 64, 32, 64, 14, 14, 3, 1, 1, 1},
	{"n32_c64to64_8x8_k3", 32, 64, 64, 8, 8, 3, 1, 1, 1},
	{"n32_c64to128_8x8_k1", 32, 64, 128, 8, 8, 1, 1, 0, 1},
	{"n32_c64dw_16x16_k3", 32, 64, 64, 16, 16, 3, 1, 1, 64},
	{"n64_c32to64_14x14_k3_s2", 64, 32, 64, 14, 14, 3, 2, 1, 1},
}

// BenchmarkConv2d times one warm training step of a Conv2d kernel: the
// forward pass and the gradients of the input, the weight and the bias.
func BenchmarkConv2d(b *testing.B) {
	for _, s := range convBenchShapes {
		b.Run(s.name, func(b *testing.B) {
			rng := tensor.NewRNG(1)
			c := nn.NewConv2d(s.cin, s.cout, [2]int{s.k, s.k}, s.groups, true, rng)
			c.Stride, c.Padding = [2]int{s.s, s.s}, [2]int{s.p, s.p}
			in := []int{s.cin, s.h, s.w}
			out, err := c.OutShape(in)
			if err != nil {
				b.Fatal(err)
			}
			k := nn.Fuse(c, in, s.n)
			x := tensor.Randn(rng, append([]int{s.n}, in...)...).Data()
			y := make([]float32, s.n*nn.Size(out))
			dy := tensor.Randn(rng, append([]int{s.n}, out...)...).Data()
			dx := make([]float32, len(x))
			step := func() {
				k.Forward(y, x, s.n, nn.Train(nil))
				k.Backward(dx, dy, x, y, s.n)
			}
			step()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				step()
			}
			// CPU time, unlike wall time, holds still on a shared machine.
			b.ReportMetric((cpuTime()-cpu0)*1e3/float64(b.N), "cpu-ms/step")
			// Multiply-adds of the forward pass; backward does twice that.
			macs := float64(s.n*nn.Size(out)) * float64(s.cin/s.groups*s.k*s.k)
			b.ReportMetric(3*2*macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/step")
		})
	}
}

// ExampleConv2d builds the convolution of the spec entry
// conv2d: {out_channels: 8, kernel_size: 3, padding: 1} for 1×28×28
// images.
func ExampleConv2d() {
	l, err := nn.Build("conv2d", nn.Options{"out_channels": 8, "kernel_size": 3, "padding": 1}, []int{1, 28, 28}, tensor.NewRNG(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := l.OutShape([]int{1, 28, 28})
	for _, p := range nn.ParamsOf(l) {
		fmt.Println(p.Name, p.Value.Shape())
	}
	fmt.Println(out)
	// Output:
	// weight [8 1 3 3]
	// bias [8]
	// [8 28 28]
}

// cpuTime returns the seconds of CPU the process has used.
func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
