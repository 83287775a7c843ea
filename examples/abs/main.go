package main

import (
	"fmt"
	"log"
	"math"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/tensor"
)

func main() {
	xs := tensor.FromSlice([]float32{-2, -1, -0.5, 0, 0.5, 1, 2}, 7, 1)

	// Built: w1 = (1, −1)ᵀ, b1 = 0, w2 = (1 1), b2 = 0.
	built := nn.NewSequential(
		&nn.Linear{In: 1, Out: 2, Weight: autograd.Param(tensor.FromSlice([]float32{1, -1}, 2, 1)), Bias: autograd.Param(tensor.Zeros(2))},
		&activation.ReLULayer{},
		&nn.Linear{In: 2, Out: 1, Weight: autograd.Param(tensor.FromSlice([]float32{1, 1}, 1, 2)), Bias: autograd.Param(tensor.Zeros(1))},
	)
	fmt.Println("built:  |x| at", xs.Data(), "=", built.Forward(autograd.Const(xs), nn.Eval).Value.Data())

	// Learned: 256 points of [−2, 2], full-batch Adam, one run per seed.
	data := tensor.NewRNG(0)
	x := tensor.Uniform(data, -2, 2, 256, 1)
	y := tensor.Map(x, func(v float32) float32 { return float32(math.Abs(float64(v))) })
	var best *nn.Sequential
	bestLoss := math.Inf(1)
	for seed := uint64(1); seed <= 6; seed++ {
		net, mse, err := fit(seed, x, y)
		if err != nil {
			log.Fatal(err)
		}
		verdict := "found |x|"
		if mse > 1e-3 {
			verdict = "stuck in a local minimum"
		}
		fmt.Printf("seed %d: mse %.6f  %s\n", seed, mse, verdict)
		if mse < bestLoss {
			best, bestLoss = net, mse
		}
	}
	fmt.Println("learned: |x| at", xs.Data(), "=", best.Forward(autograd.Const(xs), nn.Eval).Value.Data())
	for _, p := range best.Params() {
		fmt.Printf("  %-8s %v\n", p.Name, p.Value.Data())
	}
}

// fit trains a fresh 1-2-1 ReLU net on (x, y) and returns it with its final
// mean squared error.
func fit(seed uint64, x, y *tensor.Tensor) (*nn.Sequential, float64, error) {
	rng := tensor.NewRNG(seed)
	net := nn.NewSequential(nn.NewLinear(1, 2, true, rng), &activation.ReLULayer{}, nn.NewLinear(2, 1, true, rng))
	cfg := optim.DefaultAdamConfig()
	cfg.LR = 0.05
	opt, err := optim.NewAdam(nn.Vars(net.Params()), cfg)
	if err != nil {
		return nil, 0, err
	}
	var mse float64
	for epoch := 0; epoch < 600; epoch++ {
		opt.ZeroGrad()
		diff := autograd.Sub(net.Forward(autograd.Const(x), nn.Eval), autograd.Const(y))
		loss := autograd.Mean(autograd.Square(diff))
		loss.Backward()
		opt.Step()
		mse = float64(loss.Value.Item())
	}
	return net, mse, nil
}
