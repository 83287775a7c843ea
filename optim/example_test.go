package optim_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/tensor"
)

// SGD with momentum minimizes f(x) = (x − 3)², whose gradient 2(x − 3) is
// written straight into the parameter's Grad here; in training a backward
// pass puts it there.
func ExampleSGD() {
	x := autograd.Param(tensor.FromSlice([]float32{0}, 1))
	opt, err := optim.NewSGD([]*autograd.Var{x}, optim.SGDConfig{LR: 0.1, Momentum: 0.5})
	if err != nil {
		panic(err)
	}
	for step := 1; step <= 8; step++ {
		opt.ZeroGrad()
		x.Grad = tensor.FromSlice([]float32{2 * (x.Value.Data()[0] - 3)}, 1)
		opt.Step()
		fmt.Printf("step %d: x = %.4f\n", step, x.Value.Data()[0])
	}
	// Output:
	// step 1: x = 0.6000
	// step 2: x = 1.3800
	// step 3: x = 2.0940
	// step 4: x = 2.6322
	// step 5: x = 2.9749
	// step 6: x = 3.1512
	// step 7: x = 3.2092
	// step 8: x = 3.1963
}

// New builds an optimizer from the name and hyperparameters of a model
// specification, with PyTorch's names and defaults.
func ExampleNew() {
	w := autograd.Param(tensor.FromSlice([]float32{0.5, -0.5}, 2))
	opt, err := optim.New("adam", []*autograd.Var{w}, map[string]any{"lr": 0.01, "betas": []any{0.9, 0.99}})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", opt.(*optim.Adam).Config())

	_, err = optim.New("adam", []*autograd.Var{w}, map[string]any{"betas": []any{1.2, 0.999}})
	fmt.Println(err)
	// Output:
	// {LR:0.01 Betas:[0.9 0.99] Eps:1e-08 WeightDecay:0 AMSGrad:false Maximize:false}
	// optim: adam: betas[0] = 1.2, want 0 ≤ beta < 1
}

// A cosine schedule sets the learning rate before each optimizer step.
func ExampleCosineAnnealingLR() {
	s, err := optim.NewSchedule("cosine", map[string]any{"t_max": 4, "eta_min": 0.001})
	if err != nil {
		panic(err)
	}
	x := autograd.Param(tensor.FromSlice([]float32{1}, 1))
	opt, err := optim.NewSGD([]*autograd.Var{x}, optim.SGDConfig{LR: 0.1})
	if err != nil {
		panic(err)
	}
	for step := range 6 {
		opt.SetLR(s.LR(0.1, step))
		fmt.Printf("step %d: lr = %.5f\n", step, opt.LR())
		// ... backward pass, then:
		opt.Step()
	}
	// Output:
	// step 0: lr = 0.10000
	// step 1: lr = 0.08550
	// step 2: lr = 0.05050
	// step 3: lr = 0.01550
	// step 4: lr = 0.00100
	// step 5: lr = 0.01550
}

// ReduceLROnPlateau divides the learning rate by 10 once the validation
// loss has not improved for more than Patience epochs. An improvement must
// beat the best loss by the relative threshold (1e-4 by default), which
// 0.79995 does not.
func ExampleReduceLROnPlateau() {
	x := autograd.Param(tensor.FromSlice([]float32{1}, 1))
	opt, err := optim.NewSGD([]*autograd.Var{x}, optim.SGDConfig{LR: 0.1})
	if err != nil {
		panic(err)
	}
	c := optim.DefaultPlateauConfig()
	c.Patience = 2
	plateau, err := optim.NewReduceLROnPlateau(opt, c)
	if err != nil {
		panic(err)
	}
	for epoch, loss := range []float64{1.0, 0.8, 0.79995, 0.81, 0.8, 0.7} {
		plateau.Step(loss)
		fmt.Printf("epoch %d: loss %.5f, lr %.3g\n", epoch+1, loss, opt.LR())
	}
	// Output:
	// epoch 1: loss 1.00000, lr 0.1
	// epoch 2: loss 0.80000, lr 0.1
	// epoch 3: loss 0.79995, lr 0.1
	// epoch 4: loss 0.81000, lr 0.1
	// epoch 5: loss 0.80000, lr 0.01
	// epoch 6: loss 0.70000, lr 0.01
}

// ClipGradNorm bounds the overall gradient norm before a step.
func ExampleClipGradNorm() {
	a := autograd.Param(tensor.Zeros(2))
	b := autograd.Param(tensor.Zeros(1))
	a.Grad = tensor.FromSlice([]float32{3, 4}, 2)
	b.Grad = tensor.FromSlice([]float32{12}, 1)
	total := optim.ClipGradNorm([]*autograd.Var{a, b}, 1, 2)
	fmt.Printf("norm before: %g\n", total)
	fmt.Printf("gradients after: %.4f %.4f\n", a.Grad.Data(), b.Grad.Data())
	// Output:
	// norm before: 13
	// gradients after: [0.2308 0.3077] [0.9231]
}
