package main

import (
	"fmt"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// convShape is one Conv2d of the comparison. The list is nn's
// BenchmarkConv2d's and bench/conv's; torch_bench.py has its twin.
type convShape struct {
	name                        string
	n, cin, cout, h, w, k, s, p int
	groups                      int
}

var convShapes = []convShape{
	{"n64_c1to32_28x28_k3", 64, 1, 32, 28, 28, 3, 1, 1, 1},
	{"n64_c32to64_14x14_k3", 64, 32, 64, 14, 14, 3, 1, 1, 1},
	{"n32_c64to64_8x8_k3", 32, 64, 64, 8, 8, 3, 1, 1, 1},
	{"n32_c64to128_8x8_k1", 32, 64, 128, 8, 8, 1, 1, 0, 1},
	{"n32_c64dw_16x16_k3", 32, 64, 64, 16, 16, 3, 1, 1, 64},
	{"n64_c32to64_14x14_k3_s2", 64, 32, 64, 14, 14, 3, 2, 1, 1},
}

// convStep returns one training step of a Conv2d on its own: the forward
// pass, then the gradients of the input, the weight and the bias, through
// the buffer-reusing kernel the training loop uses.
func convStep(s convShape) func() {
	rng := tensor.NewRNG(1)
	c := nn.NewConv2d(s.cin, s.cout, [2]int{s.k, s.k}, s.groups, true, rng)
	c.Stride, c.Padding = [2]int{s.s, s.s}, [2]int{s.p, s.p}
	in := []int{s.cin, s.h, s.w}
	out, err := c.OutShape(in)
	if err != nil {
		fatal(err)
	}
	k := nn.Fuse(c, in, s.n)
	x := tensor.Randn(rng, append([]int{s.n}, in...)...).Data()
	y := make([]float32, s.n*nn.Size(out))
	dy := tensor.Randn(rng, append([]int{s.n}, out...)...).Data()
	dx := make([]float32, len(x))
	return func() {
		c.Weight.ZeroGrad()
		c.Bias.ZeroGrad()
		k.Forward(y, x, s.n, nn.Train(nil))
		k.Backward(dx, dy, x, y, s.n)
	}
}

// The networks of the comparison, each with its optimizer; torch_bench.py
// builds the same ones.
const (
	// lenetSpec is examples/mnist-cnn.yaml's network and optimizer.
	lenetSpec = `architecture:
  - conv2d: {out_channels: 32, kernel_size: 3, padding: 1}
  - relu
  - max_pool2d: {kernel_size: 2}
  - conv2d: {out_channels: 64, kernel_size: 3, padding: 1}
  - relu
  - max_pool2d: {kernel_size: 2}
  - flatten
  - linear: 128
  - relu
  - dropout: 0.3
  - linear: 10
optimizer: {name: adam, lr: 0.001}
`
	// resblockSpec is one basic ResNet block of 32 channels on 14×14
	// maps (3×3 convolution, batch norm, ReLU, 3×3 convolution, batch
	// norm, identity shortcut, ReLU), then global average pooling and a
	// linear layer, trained with SGD and momentum.
	resblockSpec = `architecture:
  - residual:
      - conv2d: {out_channels: 32, kernel_size: 3, padding: 1, bias: false}
      - batch_norm2d: {}
      - relu
      - conv2d: {out_channels: 32, kernel_size: 3, padding: 1, bias: false}
      - batch_norm2d: {}
  - relu
  - adaptive_avg_pool2d: {output_size: 1}
  - flatten
  - linear: 10
optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
`
)

// netStep returns one training step (forward, backward, optimizer) of the
// network of src on a fixed random batch of inputs of shape in, through
// the training loop's Trainer.Step.
func netStep(src string, in []int, batch int) func() {
	full := "input: {synthetic: xor}\noutput: {label: c}\nloss: cross_entropy\ntrain: {epochs: 1}\n" + src
	s, err := spec.Parse("compare.yaml", []byte(full))
	if err != nil {
		fatal(err)
	}
	m, err := train.NewModel(s, in, 1)
	if err != nil {
		fatal(err)
	}
	o, err := optim.New(s.Optimizer.Name, nn.Vars(m.Params()), s.Optimizer.Params)
	if err != nil {
		fatal(err)
	}
	rng := tensor.NewRNG(2)
	x := tensor.Randn(rng, batch, nn.Size(in))
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = rng.Intn(10)
	}
	tr, err := train.NewTrainer(m, o, &data.Dataset{X: x, Labels: labels}, nil, train.Config{Epochs: 1, BatchSize: batch}, 1)
	if err != nil {
		fatal(err)
	}
	return func() { tr.Step(x, labels, nil) }
}

// convRows times the convolution rows at the given thread count (already
// set as GOMAXPROCS).
func convRows(threads int) []result {
	var out []result
	for _, s := range convShapes {
		t := timeit(convStep(s))
		out = append(out, result{fmt.Sprintf("conv2d_%s_%dt", s.name, threads), "bigfunc", t * 1e3, "ms", ""})
	}
	for _, c := range []struct {
		name  string
		src   string
		in    []int
		batch int
	}{
		{"lenet", lenetSpec, []int{1, 28, 28}, 64},
		{"lenet", lenetSpec, []int{1, 28, 28}, 128},
		{"resblock", resblockSpec, []int{32, 14, 14}, 64},
	} {
		t := timeit(netStep(c.src, c.in, c.batch))
		out = append(out, result{fmt.Sprintf("%s_b%d_%dt", c.name, c.batch, threads), "bigfunc", float64(c.batch) / t, "samples/s", ""})
	}
	return out
}
