package book

import (
	"math"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// Settings of the vanishing-gradient experiment: ten linear layers of
// width 32, a batch of 256 random inputs and targets.
const (
	GradientDepth = 10
	GradientWidth = 32
	gradientBatch = 256
	gradientSeed  = 7
)

// DeepNet returns depth linear layers of the given width with the named
// activation after every one but the last, which maps to one output. Its
// weights are PyTorch's default initialisation drawn from seed; the
// activation draws nothing, so the same seed gives the same weights
// whatever the activation.
func DeepNet(act string, depth, width int, seed uint64) (*nn.Sequential, error) {
	rng := tensor.NewRNG(seed)
	net := &nn.Sequential{}
	for i := range depth {
		out := width
		if i == depth-1 {
			out = 1
		}
		net.Layers = append(net.Layers, nn.NewLinear(width, out, true, rng))
		if i < depth-1 {
			a, err := activation.New(act, nil)
			if err != nil {
				return nil, err
			}
			net.Layers = append(net.Layers, a)
		}
	}
	return net, nil
}

// HeInit re-initialises every linear layer of net for ReLU as Kaiming He
// et al. (2015) propose: weights normal with variance 2/fan_in, biases 0.
func HeInit(net *nn.Sequential, seed uint64) {
	rng := tensor.NewRNG(seed)
	for _, l := range net.Layers {
		if lin, ok := l.(*nn.Linear); ok {
			nn.KaimingNormal(lin.Weight.Value, rng, 0, nn.FanIn, "relu")
			if lin.Bias != nil {
				nn.Zeros(lin.Bias.Value)
			}
		}
	}
}

// GradientNorms returns, for each linear layer of net from first to last,
// the Frobenius norm of the gradient of its weight after one backward
// pass of the mean squared error on a batch of standard normal inputs and
// targets drawn from seed.
func GradientNorms(net *nn.Sequential, seed uint64) []float64 {
	in := net.Layers[0].(*nn.Linear).In
	rng := tensor.NewRNG(seed)
	x := tensor.Randn(rng, gradientBatch, in)
	y := tensor.Randn(rng, gradientBatch, 1)
	for _, p := range net.Params() {
		p.ZeroGrad()
	}
	loss.MSE(net.Forward(autograd.Const(x), nn.Eval), y, loss.Mean).Backward()
	var norms []float64
	for _, l := range net.Layers {
		if lin, ok := l.(*nn.Linear); ok {
			s := 0.0
			for _, g := range lin.Weight.Grad.Data() {
				s += float64(g) * float64(g)
			}
			norms = append(norms, math.Sqrt(s))
		}
	}
	return norms
}

// VanishingGradients runs the chapter's experiment: per-layer gradient
// norms of GradientDepth-layer networks of width GradientWidth at
// initialisation, with sigmoid and with ReLU under PyTorch's default
// initialisation (same weights for both), and with ReLU under He
// initialisation.
func VanishingGradients() (sigmoid, relu, reluHe []float64, err error) {
	s, err := DeepNet("sigmoid", GradientDepth, GradientWidth, gradientSeed)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := DeepNet("relu", GradientDepth, GradientWidth, gradientSeed)
	if err != nil {
		return nil, nil, nil, err
	}
	h, err := DeepNet("relu", GradientDepth, GradientWidth, gradientSeed)
	if err != nil {
		return nil, nil, nil, err
	}
	HeInit(h, gradientSeed)
	return GradientNorms(s, gradientSeed+1), GradientNorms(r, gradientSeed+1), GradientNorms(h, gradientSeed+1), nil
}
