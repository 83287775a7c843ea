// Command bnlook trains ring8's GAN with batch norm in the generator and
// scores its samples every 5 epochs in evaluation mode (batch norm with
// running averages, as bigfunc sample draws), and at the end also in
// training mode (each batch's own statistics) and in evaluation mode
// after nn.RecountStats, to see whether a collapse lies in the generator
// or in how it is sampled.
//
//	go run ./bench/gan/bnlook 20
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/gan"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

const src = `
input:
  synthetic: {name: ring8, size: 10000, seed: 1}
generator:
  architecture: [{linear: 128}, {batch_norm1d: {}}, relu, {linear: 128}, {batch_norm1d: {}}, relu, {linear: 2}]
  optimizer: {name: adam, lr: 0.001, betas: [0.5, 0.999]}
discriminator:
  architecture: [{linear: 128}, relu, {linear: 128}, relu, {linear: 1}]
  optimizer: {name: adam, lr: 0.001, betas: [0.5, 0.999]}
gan: {loss: standard, latent: 2, distribution: normal}
train: {epochs: EPOCHS, batch_size: 50, seed: 1, schedule: {name: cosine, t_max: EPOCHS}}
`

func main() {
	epochs := os.Args[1]
	s, err := spec.Parse("bn.yaml", []byte(strings.ReplaceAll(src, "EPOCHS", epochs)))
	if err != nil {
		panic(err)
	}
	t, g, err := gan.Build(s, gan.Options{OnStep: nil})
	if err != nil {
		panic(err)
	}
	t.Config.OnStep = func(i gan.StepInfo) error {
		if i.EpochDone && i.Epoch%5 == 0 {
			x, _ := g.Sample(2500, tensor.NewRNG(1))
			fmt.Printf("epoch %d  eval mode (running stats): %+v\n", i.Epoch, gan.ScoreRing8(x))
		}
		return nil
	}
	if _, err := t.Run(context.Background()); err != nil {
		panic(err)
	}
	report(g, t.Config.Epochs)
}

func report(g *gan.Generator, epoch int) {
	x, _ := g.Sample(2500, tensor.NewRNG(1))
	ev := gan.ScoreRing8(x)
	// The same latents through the generator in training mode: batch
	// statistics of these 2500 rather than the running averages (this
	// updates the running averages too, so it runs after training).
	z := tensor.Zeros(2500, 2)
	g.Distribution.Draw(z.Data(), tensor.NewRNG(1))
	y := g.Net.Forward(autograd.Const(z), nn.Train(tensor.NewRNG(2))).Value
	tr := gan.ScoreRing8(y)
	// The running statistics recounted for the final weights (as gan.ema
	// does for the averaged ones): 100 batches of 50 fresh latents.
	rng := tensor.NewRNG(3)
	left := 100
	nn.RecountStats(g.Net, func() *autograd.Var {
		if left == 0 {
			return nil
		}
		left--
		z := tensor.Zeros(50, 2)
		g.Distribution.Draw(z.Data(), rng)
		return autograd.Const(z)
	}, nn.Train(rng))
	x, _ = g.Sample(2500, tensor.NewRNG(1))
	rc := gan.ScoreRing8(x)
	fmt.Printf("epoch %d  eval mode (running stats): %+v\n         train mode (batch stats):   %+v\n         eval mode, recounted:       %+v\n", epoch, ev, tr, rc)
}
