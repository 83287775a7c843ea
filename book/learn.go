package book

import (
	"context"
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// Network is a layer with parameters: an *nn.Sequential or a *SkipNet.
type Network interface {
	nn.Layer
	Params() []nn.Param
}

// Learned is a network of one of the chapter's shapes trained from
// input/output pairs instead of written down.
type Learned struct {
	// Name identifies the example: "abs", "max-skip", "max", "xor" or
	// "square".
	Name string
	// Shape describes the architecture, such as "1-2-1 ReLU".
	Shape string
	Net   Network
	// Losses is the training loss (mean squared error) at each step,
	// before that step's update.
	Losses []float64
	// MaxError is the largest |f(x) − target| on the evaluation points:
	// a fine grid of [−1, 1] (or [−1, 1]²), or the four corners for XOR.
	MaxError float64
	// Accuracy is the fraction of the four XOR corners on the right side
	// of 0.5; NaN for the regression examples.
	Accuracy float64
	// Seed is the initialisation, of those tried, that reached the lowest
	// training loss.
	Seed uint64
	// Starts is how many initialisations were tried, and Found how many of
	// them ended with a maximum error under 0.05 (and, for XOR, every
	// corner right). The others got stuck, typically with a ReLU that
	// outputs 0 for every input and so receives no gradient.
	Starts, Found int
}

// Training settings shared by the learned examples: full-batch Adam,
// PyTorch's default initialisation, and a few deterministic restarts,
// because a net this small can start with a ReLU that never fires (dead
// for every input) and then cannot recover; keeping the best of several
// starts is what one does by hand.
const (
	learnSteps    = 3000
	learnRestarts = 12
	learnLR       = 0.03
	// goodEnough is the maximum error under which a start counts as having
	// found the function.
	goodEnough = 0.05
)

// Fit trains net on (x, y) with full-batch Adam on the mean squared error
// for the given number of steps, and returns the loss before each step.
// It trains through package train's loop, the one `bigfunc train` runs.
func Fit(net Network, x, y *tensor.Tensor, steps int, lr float64) ([]float64, error) {
	m, err := train.FromNet(nn.NewSequential(net), []int{x.Dim(1)}, "mse", nil)
	if err != nil {
		return nil, err
	}
	cfg := optim.DefaultAdamConfig()
	cfg.LR = lr
	opt, err := optim.NewAdam(nn.Vars(m.Params()), cfg)
	if err != nil {
		return nil, err
	}
	losses := make([]float64, 0, steps)
	tr, err := train.NewTrainer(m, opt, &data.Dataset{X: x, Y: y}, nil, train.Config{
		Epochs: steps,
		OnStep: func(s train.StepInfo) error {
			losses = append(losses, s.Loss)
			return nil
		},
	}, 0)
	if err != nil {
		return nil, err
	}
	if _, err := tr.Run(context.Background()); err != nil {
		return nil, err
	}
	return losses, nil
}

// example describes how to build and judge one learned example.
type example struct {
	name, shape string
	build       func(rng *tensor.RNG) Network
	train       func() (*tensor.Tensor, *tensor.Tensor, error)
	// judge returns the maximum error and accuracy of a trained net.
	judge func(Network) (float64, float64)
}

// Grid returns n evenly spaced points of [lo, hi], both ends included.
func Grid(lo, hi float64, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return xs
}

// grid2 returns the points of an n×n grid of [lo, hi]².
func grid2(lo, hi float64, n int) [][]float64 {
	var pts [][]float64
	for _, a := range Grid(lo, hi, n) {
		for _, b := range Grid(lo, hi, n) {
			pts = append(pts, []float64{a, b})
		}
	}
	return pts
}

func synthetic(name string, n int, seed uint64) func() (*tensor.Tensor, *tensor.Tensor, error) {
	return func() (*tensor.Tensor, *tensor.Tensor, error) {
		ds, err := data.Synthetic(name, n, 0, seed)
		if err != nil {
			return nil, nil, err
		}
		return ds.X, ds.Y, nil
	}
}

func maxErr1(f func(float64) float64) func(Network) (float64, float64) {
	return func(net Network) (float64, float64) {
		xs := Grid(-1, 1, 2001)
		ys := Eval1(net, xs)
		m := 0.0
		for i, x := range xs {
			m = math.Max(m, math.Abs(ys[i]-f(x)))
		}
		return m, math.NaN()
	}
}

func maxErrMax(net Network) (float64, float64) {
	pts := grid2(-1, 1, 81)
	out := Eval(net, pts)
	m := 0.0
	for i, p := range pts {
		m = math.Max(m, math.Abs(out[i][0]-math.Max(p[0], p[1])))
	}
	return m, math.NaN()
}

func newSeq(rng *tensor.RNG, in, hidden, out int) *nn.Sequential {
	return nn.NewSequential(nn.NewLinear(in, hidden, true, rng), relu(), nn.NewLinear(hidden, out, true, rng))
}

var examples = []example{
	{
		name: "abs", shape: "1-2-1 ReLU",
		build: func(rng *tensor.RNG) Network { return newSeq(rng, 1, 2, 1) },
		train: synthetic("abs", 256, 11),
		judge: maxErr1(math.Abs),
	},
	{
		name: "max-skip", shape: "2-1-1 ReLU + skip",
		build: func(rng *tensor.RNG) Network {
			return &SkipNet{Net: newSeq(rng, 2, 1, 1), Skip: nn.NewLinear(2, 1, false, rng)}
		},
		train: synthetic("max", 512, 12),
		judge: maxErrMax,
	},
	{
		name: "max", shape: "2-3-1 ReLU",
		build: func(rng *tensor.RNG) Network { return newSeq(rng, 2, 3, 1) },
		train: synthetic("max", 512, 12),
		judge: maxErrMax,
	},
	{
		name: "xor", shape: "2-2-1 ReLU",
		build: func(rng *tensor.RNG) Network { return newSeq(rng, 2, 2, 1) },
		train: func() (*tensor.Tensor, *tensor.Tensor, error) {
			x := tensor.Zeros(4, 2)
			y := tensor.Zeros(4, 1)
			for k, c := range Corners {
				x.Set(float32(c[0]), k, 0)
				x.Set(float32(c[1]), k, 1)
				y.Set(float32(int(c[0])^int(c[1])), k, 0)
			}
			return x, y, nil
		},
		judge: func(net Network) (float64, float64) {
			out := Eval(net, cornerRows())
			m, right := 0.0, 0
			for k, c := range Corners {
				want := float64(int(c[0]) ^ int(c[1]))
				m = math.Max(m, math.Abs(out[k][0]-want))
				if (out[k][0] > 0.5) == (want == 1) {
					right++
				}
			}
			return m, float64(right) / 4
		},
	},
	{
		name: "square", shape: "1-4-1 ReLU",
		build: func(rng *tensor.RNG) Network { return newSeq(rng, 1, 4, 1) },
		train: synthetic("square", 512, 14),
		judge: maxErr1(func(x float64) float64 { return x * x }),
	},
}

// LearnedNames lists the learned examples in the order Learn returns them.
func LearnedNames() []string {
	names := make([]string, len(examples))
	for i, e := range examples {
		names[i] = e.name
	}
	return names
}

// Learn trains one network of the given example's shape from its
// input/output pairs, keeping the best of a few seeded starts. The same
// name always gives the same network.
func Learn(name string) (*Learned, error) {
	for _, e := range examples {
		if e.name == name {
			return e.learn()
		}
	}
	return nil, fmt.Errorf("book: no learned example %q; have %v", name, LearnedNames())
}

func (e example) learn() (*Learned, error) {
	x, y, err := e.train()
	if err != nil {
		return nil, err
	}
	var best *Learned
	found := 0
	for seed := uint64(1); seed <= learnRestarts; seed++ {
		net := e.build(tensor.NewRNG(seed))
		losses, err := Fit(net, x, y, learnSteps, learnLR)
		if err != nil {
			return nil, err
		}
		m, acc := e.judge(net)
		if m < goodEnough && (math.IsNaN(acc) || acc == 1) {
			found++
		}
		final := losses[len(losses)-1]
		if best == nil || final < best.Losses[len(best.Losses)-1] {
			best = &Learned{Name: e.name, Shape: e.shape, Net: net, Losses: losses, Seed: seed, MaxError: m, Accuracy: acc}
		}
	}
	best.Starts, best.Found = learnRestarts, found
	return best, nil
}
