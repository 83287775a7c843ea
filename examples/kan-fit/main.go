package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"time"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/tensor"
)

func main() {
	steps := flag.Int("steps", 50, "L-BFGS steps per grid (20 iterations each)")
	flag.Parse()
	if err := run(*steps); err != nil {
		log.Fatal(err)
	}
}

// target is the function to learn, the KAN paper's first example.
func target(x, y float64) float64 { return math.Exp(math.Sin(math.Pi*x) + y*y) }

// sample returns n points of [−1, 1]² and f at them.
func sample(rng *tensor.RNG, n int) (x, y *tensor.Tensor) {
	x = tensor.Uniform(rng, -1, 1, n, 2)
	y = tensor.Zeros(n, 1)
	for i := range n {
		y.Data()[i] = float32(target(float64(x.At(i, 0)), float64(x.At(i, 1))))
	}
	return x, y
}

// Grids are the grid sizes trained in turn, each extended from the last.
var Grids = []int{3, 5, 10, 20, 50}

// Result is one row of the report.
type Result struct {
	Name                string
	Params              int
	TrainRMSE, TestRMSE float64
	Seconds             float64
}

func run(steps int) error {
	trainX, trainY := sample(tensor.NewRNG(1), 1000)
	testX, testY := sample(tensor.NewRNG(2), 1000)
	fmt.Println("f(x, y) = exp(sin(πx) + y²) on [−1, 1]², 1000 training and 1000 test points, full-batch L-BFGS")
	kan, err := fitKAN(trainX, trainY, testX, testY, steps, func(r Result) { print(r) })
	if err != nil {
		return err
	}
	mlp, err := fitMLP(trainX, trainY, testX, testY, steps*(len(Grids)+Restarts-1))
	if err != nil {
		return err
	}
	print(mlp)
	if kan.TestRMSE > 1e-3 {
		fmt.Printf("missed: test RMSE %.3g > 1e-3\n", kan.TestRMSE)
	}
	return nil
}

func print(r Result) {
	fmt.Printf("%-26s %5d params  train RMSE %.3g  test RMSE %.3g  %.1fs\n", r.Name, r.Params, r.TrainRMSE, r.TestRMSE, r.Seconds)
}

// NewKAN returns the [2, 1, 1] KAN with grid size g.
func NewKAN(g int, rng *tensor.RNG) *nn.Sequential {
	o := nn.DefaultKANOptions()
	o.GridSize = g
	return nn.NewSequential(nn.NewKANLinear(2, 1, o, rng), nn.NewKANLinear(1, 1, o, rng))
}

// fitKAN trains the [2, 1, 1] KAN on each grid of Grids in turn, the
// grid extended before each new size (the splines refitted on a finer
// grid, keeping the function). report gets the result after each grid.
func fitKAN(trainX, trainY, testX, testY *tensor.Tensor, steps int, report func(Result)) (Result, error) {
	start := time.Now()
	var r Result
	// The composition has local minima where the inner function of x is
	// no sine: train the coarsest grid from a few seeds and go on with
	// the best fit of the training set.
	var net *nn.Sequential
	best := math.Inf(1)
	for seed := uint64(1); seed <= Restarts; seed++ {
		cand := NewKAN(Grids[0], tensor.NewRNG(seed))
		if err := train(cand, trainX, trainY, steps); err != nil {
			return r, err
		}
		if e := rmse(cand, trainX, trainY); e < best {
			net, best = cand, e
		}
	}
	for i, g := range Grids {
		if i > 0 {
			// Extension keeps the function on the finer grid; from there
			// L-BFGS trains on without moving the grid again.
			if err := regrid(net, trainX, g); err != nil {
				return r, err
			}
			if err := lbfgs(net, trainX, trainY, steps); err != nil {
				return r, err
			}
		}
		r = Result{Name: fmt.Sprintf("KAN [2, 1, 1], grid %d", g), Params: count(net),
			TrainRMSE: rmse(net, trainX, trainY), TestRMSE: rmse(net, testX, testY), Seconds: time.Since(start).Seconds()}
		report(r)
	}
	return r, nil
}

// Restarts is the number of seeds tried on the coarsest grid.
const Restarts = 4

// train runs steps of L-BFGS as pykan's fit does: the grids follow the
// data (UpdateGrid) every 5 steps of the first 50, then stay.
func train(net *nn.Sequential, x, y *tensor.Tensor, steps int) error {
	for done := 0; done < steps; {
		n := steps - done
		if done < 50 {
			if err := regrid(net, x, 0); err != nil {
				return err
			}
			n = min(n, 5)
		}
		if err := lbfgs(net, x, y, n); err != nil {
			return err
		}
		done += n
	}
	return nil
}

// fitMLP trains a 2-16-16-1 tanh MLP (337 parameters) with as many L-BFGS
// steps as the KAN had in all.
func fitMLP(trainX, trainY, testX, testY *tensor.Tensor, steps int) (Result, error) {
	rng := tensor.NewRNG(3)
	net := nn.NewSequential(nn.NewLinear(2, 16, true, rng), &activation.TanhLayer{}, nn.NewLinear(16, 16, true, rng), &activation.TanhLayer{}, nn.NewLinear(16, 1, true, rng))
	start := time.Now()
	if err := lbfgs(net, trainX, trainY, steps); err != nil {
		return Result{}, err
	}
	return Result{Name: "MLP [2, 16, 16, 1], tanh", Params: count(net), TrainRMSE: rmse(net, trainX, trainY),
		TestRMSE: rmse(net, testX, testY), Seconds: time.Since(start).Seconds()}, nil
}

// regrid fits each layer's grid to its inputs on the batch x (the data
// for the first layer, the first layer's outputs for the second):
// UpdateGrid when g is 0, else Extend to g intervals.
func regrid(net *nn.Sequential, x *tensor.Tensor, g int) error {
	in := x
	for _, l := range net.Layers {
		k := l.(*nn.KANLinear)
		var err error
		if g == 0 {
			err = k.UpdateGrid(in)
		} else {
			err = k.Extend(g, in)
		}
		if err != nil {
			return err
		}
		in = k.Forward(autograd.Const(in), nn.Eval).Value
	}
	return nil
}

// lbfgs minimises the mean squared error of net on (x, y) with steps of
// full-batch L-BFGS as pykan runs it: strong-Wolfe line search, history
// 10, and tolerances that never stop it early.
func lbfgs(net *nn.Sequential, x, y *tensor.Tensor, steps int) error {
	c := optim.DefaultLBFGSConfig()
	c.HistorySize, c.LineSearch = 10, "strong_wolfe"
	c.ToleranceGrad, c.ToleranceChange = 1e-32, 1e-32
	opt, err := optim.NewLBFGS(nn.Vars(net.Params()), c)
	if err != nil {
		return err
	}
	xv, yv := autograd.Const(x), autograd.Const(y)
	for range steps {
		opt.StepClosure(func() float64 {
			opt.ZeroGrad()
			l := autograd.Mean(autograd.Square(autograd.Sub(net.Forward(xv, nn.Eval), yv)))
			l.Backward()
			return float64(l.Value.Item())
		})
	}
	return nil
}

func rmse(net *nn.Sequential, x, y *tensor.Tensor) float64 {
	out := net.Forward(autograd.Const(x), nn.Eval).Value.Data()
	var s float64
	for i, v := range y.Data() {
		d := float64(out[i]) - float64(v)
		s += d * d
	}
	return math.Sqrt(s / float64(len(out)))
}

func count(net *nn.Sequential) int {
	n := 0
	for _, p := range net.Params() {
		n += p.Value.Len()
	}
	return n
}
