package quant

import (
	"fmt"
	"testing"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// BenchmarkPredictMLP runs Predict on the 784-256-256-10 MLP in float32
// and in int8, one sample at a time (latency) and 1024 at a time
// (throughput). Compare with -cpu 1.
func BenchmarkPredictMLP(b *testing.B) {
	rng := tensor.NewRNG(1)
	net := nn.NewSequential(nn.NewLinear(784, 256, true, rng), &activation.ReLULayer{},
		nn.NewLinear(256, 256, true, rng), &activation.ReLULayer{}, nn.NewLinear(256, 10, true, rng))
	benchPredict(b, net, []int{784})
}

// BenchmarkPredictCNN runs Predict on the MNIST CNN of
// examples/mnist-cnn.yaml (two 3×3 convolutions of 32 and 64 channels
// with ReLU and 2×2 max pooling, then 3136-128-10) in float32 and in
// int8, one sample at a time and 1024 at a time. Compare with -cpu 1.
func BenchmarkPredictCNN(b *testing.B) {
	rng := tensor.NewRNG(1)
	c1, c2 := nn.NewConv2d(1, 32, [2]int{3, 3}, 1, true, rng), nn.NewConv2d(32, 64, [2]int{3, 3}, 1, true, rng)
	c1.Padding, c2.Padding = [2]int{1, 1}, [2]int{1, 1}
	pool := func() nn.Layer { return nn.NewMaxPool2d(2) }
	net := nn.NewSequential(c1, &activation.ReLULayer{}, pool(), c2, &activation.ReLULayer{}, pool(),
		&nn.Flatten{}, nn.NewLinear(3136, 128, true, rng), &activation.ReLULayer{}, nn.NewLinear(128, 10, true, rng))
	benchPredict(b, net, []int{1, 28, 28})
}

// benchPredict runs Predict on net, float32 and quantized, one sample at
// a time (latency) and 1024 at a time (throughput).
func benchPredict(b *testing.B, net *nn.Sequential, in []int) {
	m, err := train.FromNet(net, in, "cross_entropy", nil)
	if err != nil {
		b.Fatal(err)
	}
	q, err := Model(m)
	if err != nil {
		b.Fatal(err)
	}
	for _, batch := range []int{1, 1024} {
		x := tensor.Zeros(batch, nn.Size(in))
		for i := range x.Data() {
			x.Data()[i] = float32(i%255) / 255
		}
		for _, c := range []struct {
			name string
			m    *train.Model
		}{{"float32", m}, {"int8", q}} {
			b.Run(fmt.Sprintf("%s/b%d", c.name, batch), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.m.Predict(x); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}
