// Command trainmode scores an image generator's samples drawn two ways:
// in evaluation mode (batch norm with its running averages, as bigfunc
// sample draws) and in training mode, in batches of the training batch
// size (batch norm with each batch's own statistics, as the discriminator
// saw them during training).
//
//	go run ./bench/gan/trainmode -model G.safetensors -judge J.safetensors
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/bigfunc/bigfunc/autograd"
	_ "github.com/bigfunc/bigfunc/data/mnistdata"
	"github.com/bigfunc/bigfunc/gan"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

func main() {
	model := flag.String("model", "", "generator file")
	judge := flag.String("judge", "", "classifier file")
	n := flag.Int("n", 10000, "samples")
	batch := flag.Int("batch", 64, "training-mode batch")
	flag.Parse()
	g, err := gan.LoadGenerator(*model)
	if err != nil {
		log.Fatal(err)
	}
	m, err := train.LoadModel(*judge)
	if err != nil {
		log.Fatal(err)
	}
	sets, err := train.LoadData(m.Spec)
	if err != nil {
		log.Fatal(err)
	}
	sets.Test.Expand()
	ev, err := g.Sample(*n, tensor.NewRNG(1))
	if err != nil {
		log.Fatal(err)
	}
	z := tensor.Zeros(*n, g.Latent)
	g.Distribution.Draw(z.Data(), tensor.NewRNG(1))
	size := nn.Size(g.Shape)
	tr := tensor.Zeros(*n, size)
	for lo := 0; lo < *n; lo += *batch {
		hi := min(lo+*batch, *n)
		y := g.Net.Forward(autograd.Const(z.Slice(0, lo, hi)), nn.Train(tensor.NewRNG(2))).Value
		copy(tr.Data()[lo*size:hi*size], y.Data())
	}
	for _, c := range []struct {
		what string
		x    *tensor.Tensor
	}{{"eval mode (running averages)", ev}, {"training mode (batch statistics)", tr}} {
		sc, err := gan.ScoreImages(m.Net, m.InputShape, c.x, sets.Test.X, 0.9)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-34s %v\n", c.what, sc)
	}
}
