package loss_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/tensor"
)

func ExampleMSE() {
	pred := autograd.Param(tensor.FromSlice([]float32{1, 2, 3}, 3))
	target := tensor.FromSlice([]float32{0, 2, 5}, 3)
	l := loss.MSE(pred, target, loss.Mean)
	l.Backward()
	fmt.Printf("%.4f\n", l.Value.Item())
	fmt.Printf("%.4f\n", pred.Grad.Data())
	// Output:
	// 1.6667
	// [0.6667 0.0000 -1.3333]
}

func ExampleCrossEntropy() {
	logits := autograd.Param(tensor.FromSlice([]float32{
		2, 0, -1,
		1e4, 0, 0, // a huge logit stays finite
	}, 2, 3))
	l := loss.CrossEntropy(logits, []int{0, 1}, 0, loss.None)
	fmt.Printf("%.4f\n", l.Value.Data())
	// Output:
	// [0.1698 10000.0000]
}

func ExampleBCEWithLogits() {
	logits := autograd.Param(tensor.FromSlice([]float32{0, 80, -80}, 3))
	target := tensor.FromSlice([]float32{1, 1, 1}, 3)
	l := loss.BCEWithLogits(logits, target, loss.Sum)
	l.Backward()
	fmt.Printf("%.4f\n", l.Value.Item())
	fmt.Printf("%.4f\n", logits.Grad.Data())
	// Output:
	// 80.6931
	// [-0.5000 0.0000 -1.0000]
}

func ExampleNew() {
	l, err := loss.New("huber", map[string]any{"delta": 0.5, "reduction": "sum"})
	if err != nil {
		fmt.Println(err)
		return
	}
	pred := autograd.Param(tensor.FromSlice([]float32{0.25, 2}, 2))
	v := l.Compute(pred, loss.Target{Values: tensor.Zeros(2)})
	fmt.Println(l, v.Value.Item())

	_, err = loss.New("crossentropy", nil)
	fmt.Println(err)
	_, err = loss.New("huber", map[string]any{"beta": 1.0})
	fmt.Println(err)
	// Output:
	// huber(delta=0.5, reduction=sum) 0.90625
	// loss: unknown loss "crossentropy" (did you mean "cross_entropy"?); allowed: mse, l1, huber, smooth_l1, bce, bce_with_logits, cross_entropy, nll
	// loss huber: unknown parameter "beta" (did you mean "delta"?); allowed: delta, reduction
}

func ExampleParseReduction() {
	r, err := loss.ParseReduction("sum")
	fmt.Println(r, err)
	_, err = loss.ParseReduction("average")
	fmt.Println(err)
	// Output:
	// sum <nil>
	// loss: unknown reduction "average" (allowed: "mean", "sum", "none")
}

func ExampleGAN() {
	// The discriminator's logits on two real and two generated samples.
	real := autograd.Param(tensor.FromSlice([]float32{3, 1}, 2, 1))
	fake := autograd.Param(tensor.FromSlice([]float32{-2, 0}, 2, 1))
	for _, name := range loss.GANNames() {
		g, _ := loss.ParseGAN(name)
		fmt.Printf("%s: discriminator %.4f, generator %.4f\n", g,
			g.Discriminator(real, fake).Value.Item(), g.Generator(fake).Value.Item())
	}
	// Output:
	// standard: discriminator 0.5910, generator 1.4100
	// hinge: discriminator 0.5000, generator 1.0000
}

func ExampleNTXent() {
	// Two views of each of two samples: rows 0 and 2, rows 1 and 3.
	z := autograd.Param(tensor.FromSlice([]float32{
		1, 0.1,
		0, 1,
		1, -0.1,
		0.1, 1,
	}, 4, 2))
	l := loss.NTXent(z, 0.5)
	l.Backward()
	fmt.Printf("%.4f\n", l.Value.Item())
	// Output:
	// 0.2723
}
