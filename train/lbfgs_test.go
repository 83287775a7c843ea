package train

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/tensor"
)

// lbfgsSpec trains full-batch with L-BFGS: no dropout, so that every
// evaluation within a step sees the same function.
var lbfgsSpec = strings.NewReplacer(
	"  - dropout: 0.2\n", "",
	"optimizer: {name: adam, lr: 0.01}", "optimizer: {name: lbfgs, max_iter: 5, history_size: 10, line_search_fn: strong_wolfe}",
	"  batch_size: 5\n", "  batch_size: 0\n",
	"  epochs: 12\n", "  epochs: 4\n",
).Replace(shuffledSpec)

// TestLBFGSTrains runs L-BFGS through the training loop and compares it
// with driving optim.LBFGS by hand with the graph form of the same
// network: the same weights, and the recorded losses are the losses before
// each step.
func TestLBFGSTrains(t *testing.T) {
	tr, sets, err := Build(writeSpec(t, lbfgsSpec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tr.Opt.(optim.ClosureOptimizer); !ok {
		t.Fatalf("optimizer %T is no ClosureOptimizer", tr.Opt)
	}
	hist, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	ref, _, err := Build(writeSpec(t, lbfgsSpec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := ref.Model
	x, target := sets.Train.X, targetFor(m, sets.Train.Labels, sets.Train.Y, new(*tensor.Tensor), new([]int))
	opt := ref.Opt.(optim.ClosureOptimizer)
	for e := range 4 {
		v := opt.StepClosure(func() float64 {
			opt.ZeroGrad()
			l := m.Loss.Compute(m.Net.Forward(autograd.Const(x), nn.Train(m.RNG())), target)
			l.Backward()
			return float64(l.Value.Item())
		})
		// The two paths agree to float32 rounding, which L-BFGS's line
		// search can grow over a few steps; 1e-5 is the bound the weights
		// are held to below as well.
		if got := hist.Epochs[e].TrainLoss; math.Abs(got-v) > 1e-5*math.Abs(v) {
			t.Errorf("epoch %d: recorded loss %v, the step's first loss %v", e+1, got, v)
		}
	}
	want := m.Params()
	for i, p := range tr.Model.Params() {
		for j, v := range p.Value.Data() {
			if w := want[i].Value.Data()[j]; math.Abs(float64(v-w)) > 1e-5*(1+math.Abs(float64(w))) {
				t.Fatalf("%s[%d]: trainer %v, by hand %v", p.Name, j, v, w)
			}
		}
	}
	if first, last := hist.Epochs[0].TrainLoss, hist.Epochs[3].TrainLoss; !(last < 0.7*first) {
		t.Errorf("loss went from %v to %v in 4 L-BFGS steps", first, last)
	}
}
