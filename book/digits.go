package book

import (
	"context"
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// digitsSpec is the convolutional network the book trains to show what a
// convolution learns: eight 5×5 filters on the image, large enough to
// see strokes in, then a second convolution and one linear layer. It is
// examples/mnist-cnn.yaml cut down to train in seconds.
const digitsSpec = `
input:
  mnist: {}
output: {label: digit, classes: 10}
architecture:
  - conv2d: {out_channels: 8, kernel_size: 5, padding: 2}
  - relu
  - max_pool2d: {kernel_size: 2}
  - conv2d: {out_channels: 16, kernel_size: 3, padding: 1}
  - relu
  - max_pool2d: {kernel_size: 2}
  - flatten
  - linear: 10
loss: cross_entropy
optimizer: {name: adam, lr: 0.003}
train: {epochs: 3, batch_size: 32, seed: 1}
`

// The slice of MNIST the book's network sees: the first DigitsTrainRows
// training images and the first DigitsTestRows test images. The
// feature-map figure follows test image DigitsShown.
const (
	DigitsTrainRows = 12000
	DigitsTestRows  = 2000
	DigitsShown     = 0
)

// Digits is the book's convolutional network trained on MNIST, with what
// the figures draw from it.
type Digits struct {
	Model *train.Model
	// Initial is the first convolution's weight before training, from
	// the same seed: the figure's filters are measured against it.
	Initial *tensor.Tensor
	// Accuracy is the share of the DigitsTestRows test images classified
	// right.
	Accuracy float64
	Epochs   int
	// Image is test image DigitsShown, [1, 28, 28] in [0, 1], with its
	// label and the class the network gives it.
	Image            *tensor.Tensor
	Label, Predicted int
}

// digitsSpecOf parses digitsSpec.
func digitsSpecOf() (*spec.Spec, error) {
	return spec.Parse("book-digits.yaml", []byte(digitsSpec))
}

// LearnDigits trains the book's convolutional network on a slice of MNIST
// through package train's loop (a few seconds), seeded, so that every run
// gives the same network. MNIST is found as data.MNISTDir finds it: a
// program that calls this imports github.com/bigfunc/bigfunc/data/mnistdata
// (bigfunc does).
func LearnDigits() (*Digits, error) {
	s, err := digitsSpecOf()
	if err != nil {
		return nil, err
	}
	dir, err := data.MNISTDir()
	if err != nil {
		return nil, fmt.Errorf("book: the digits figures need MNIST: %w", err)
	}
	all, allTest, err := data.LoadMNIST(dir)
	if err != nil {
		return nil, err
	}
	trainSet, err := all.Subset(firstRows(DigitsTrainRows))
	if err != nil {
		return nil, err
	}
	testSet, err := allTest.Subset(firstRows(DigitsTestRows))
	if err != nil {
		return nil, err
	}
	m, err := train.NewModel(s, trainSet.SampleShape(), s.Train.Seed)
	if err != nil {
		return nil, err
	}
	first, err := firstWeight(m.Net)
	if err != nil {
		return nil, err
	}
	d := &Digits{Model: m, Initial: first.Clone(), Epochs: s.Train.Epochs}
	opt, err := optim.New(s.Optimizer.Name, nn.Vars(m.Params()), s.Optimizer.Params)
	if err != nil {
		return nil, err
	}
	tr, err := train.NewTrainer(m, opt, trainSet, nil, train.Config{
		Epochs: s.Train.Epochs, BatchSize: s.Train.BatchSize, Shuffle: s.Train.Shuffle,
	}, s.Train.Seed)
	if err != nil {
		return nil, err
	}
	if _, err := tr.Run(context.Background()); err != nil {
		return nil, err
	}
	_, d.Accuracy = train.Evaluate(m, testSet)
	d.Image = tensor.FromSlice(testSet.Rows(nil, DigitsShown, DigitsShown+1), 1, 28, 28)
	d.Label = testSet.Labels[DigitsShown]
	out, err := m.Predict(d.Image.Reshape(1, 784))
	if err != nil {
		return nil, err
	}
	d.Predicted = argmax(out.Data())
	return d, nil
}

func firstRows(n int) []int {
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// firstWeight returns the weight of the network's first layer, by its
// state-dict name "0.weight": for a convolution, [out, in, kh, kw].
func firstWeight(net *nn.Sequential) (*tensor.Tensor, error) {
	for _, p := range net.Params() {
		if p.Name == "0.weight" {
			return p.Value, nil
		}
	}
	return nil, fmt.Errorf("book: the network has no parameter 0.weight")
}

// Filters returns the first convolution's learned kernels, [out, in, kh,
// kw].
func (d *Digits) Filters() *tensor.Tensor {
	w, err := firstWeight(d.Model.Net)
	if err != nil {
		panic(err) // LearnDigits checked it
	}
	return w
}

// FeatureMaps runs the image through the first n layers of the network in
// evaluation mode and returns what comes out, [C, H, W].
func (d *Digits) FeatureMaps(n int) (*tensor.Tensor, error) {
	layers := d.Model.Net.Layers
	if n < 1 || n > len(layers) {
		return nil, fmt.Errorf("book: feature maps after %d layers of %d", n, len(layers))
	}
	x := autograd.Const(d.Image.Reshape(1, 1, 28, 28))
	y := nn.NewSequential(layers[:n]...).Forward(x, nn.Eval)
	sh := y.Value.Shape()
	if len(sh) != 4 {
		return nil, fmt.Errorf("book: layer %d gives shape %v, not images", n, sh)
	}
	return y.Value.Reshape(sh[1:]...), nil
}

// describeDigits is how the digits network is summarised in captions and
// reports.
func describeDigits(d *Digits) string {
	return fmt.Sprintf("%d epochs on %d MNIST digits: %.1f%% of %d test digits right", d.Epochs, DigitsTrainRows, 100*d.Accuracy, DigitsTestRows)
}
