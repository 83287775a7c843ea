package contrastive

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

// LinearProbe measures how linearly separable the classes are in a
// representation: it standardizes the features (with the training rows'
// mean and standard deviation), trains one linear layer with cross-entropy
// on trainX [N, D] and its labels through the training loop (Adam, lr
// 0.01 cosine-cooled over epochs, batches of 256), and returns the
// accuracy on testX and its labels. The representation itself stays
// frozen: only the probe learns.
func LinearProbe(trainX *tensor.Tensor, trainLabels []int, testX *tensor.Tensor, testLabels []int, classes, epochs int, seed uint64) (float64, error) {
	if trainX.Dims() != 2 || testX.Dims() != 2 || trainX.Dim(1) != testX.Dim(1) {
		return 0, fmt.Errorf("contrastive: probe features %v and %v, want [N, D] and [M, D]", trainX.Shape(), testX.Shape())
	}
	if len(trainLabels) != trainX.Dim(0) || len(testLabels) != testX.Dim(0) {
		return 0, fmt.Errorf("contrastive: %d and %d labels for %d and %d rows", len(trainLabels), len(testLabels), trainX.Dim(0), testX.Dim(0))
	}
	d := trainX.Dim(1)
	mean, std := make([]float64, d), make([]float64, d)
	n := trainX.Dim(0)
	for i := range n {
		for j, v := range trainX.Data()[i*d : (i+1)*d] {
			mean[j] += float64(v)
			std[j] += float64(v) * float64(v)
		}
	}
	for j := range d {
		mean[j] /= float64(n)
		std[j] = math.Sqrt(max(std[j]/float64(n)-mean[j]*mean[j], 0)) + 1e-6
	}
	standard := func(x *tensor.Tensor) *tensor.Tensor {
		y := x.Clone()
		v := y.Data()
		for i := range v {
			j := i % d
			v[i] = float32((float64(v[i]) - mean[j]) / std[j])
		}
		return y
	}
	rng := tensor.NewRNG(seed)
	net := nn.NewSequential(nn.NewLinear(d, classes, true, rng))
	m, err := train.FromNet(net, []int{d}, "cross_entropy", nil)
	if err != nil {
		return 0, err
	}
	opt, err := optim.New("adam", nn.Vars(net.Params()), map[string]any{"lr": 0.01})
	if err != nil {
		return 0, err
	}
	sched, err := optim.NewSchedule("cosine", map[string]any{"t_max": epochs})
	if err != nil {
		return 0, err
	}
	ds := &data.Dataset{X: standard(trainX), Labels: trainLabels}
	t, err := train.NewTrainer(m, opt, ds, nil, train.Config{Epochs: epochs, BatchSize: 256, Shuffle: true, Schedule: sched}, seed)
	if err != nil {
		return 0, err
	}
	if _, err := t.Run(context.Background()); err != nil {
		return 0, err
	}
	return Accuracy(m, standard(testX), testLabels)
}

// Accuracy returns the fraction of rows of x that m classifies as labels
// says.
func Accuracy(m *train.Model, x *tensor.Tensor, labels []int) (float64, error) {
	out, err := m.Predict(x)
	if err != nil {
		return 0, err
	}
	k := out.Dim(1)
	right := 0
	for i, want := range labels {
		row := out.Data()[i*k : (i+1)*k]
		best := 0
		for c, v := range row {
			if v > row[best] {
				best = c
			}
		}
		if best == want {
			right++
		}
	}
	return float64(right) / float64(len(labels)), nil
}
