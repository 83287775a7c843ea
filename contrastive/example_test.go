package contrastive_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/contrastive"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/tensor"
)

// Two views of each of two 1×3×3 images, here shifted by a pixel at
// random: rows i and i+2 of the views are the pair NT-Xent pulls together.
func ExampleTrainer_Views() {
	rng := tensor.NewRNG(1)
	net := nn.NewSequential(nn.Flatten{}, nn.NewLinear(9, 2, true, rng))
	opt, _ := optim.New("sgd", nn.Vars(net.Params()), map[string]any{"lr": 0.1})
	images := tensor.FromSlice([]float32{
		0, 0, 0, 0, 1, 0, 0, 0, 0,
		0, 0, 0, 0, 2, 0, 0, 0, 0,
	}, 2, 9)
	ds := &data.Dataset{X: images, Labels: []int{0, 1}, Shape: []int{1, 3, 3}}
	cfg := contrastive.Config{Temperature: 0.5, Views: data.Augment{CropPadding: 1, Seed: 4}, Epochs: 1}
	t, err := contrastive.NewTrainer(net, []int{1, 3, 3}, opt, ds, cfg, rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	v := t.Views(images)
	fmt.Println(v.Shape())
	for i := range 4 {
		fmt.Println(v.Data()[i*9 : (i+1)*9])
	}
	// Output:
	// [4 1 3 3]
	// [0 0 0 0 0 0 1 0 0]
	// [0 0 2 0 0 0 0 0 0]
	// [0 0 1 0 0 0 0 0 0]
	// [2 0 0 0 0 0 0 0 0]
}
