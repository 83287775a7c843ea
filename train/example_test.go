package train_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// Training the chapter's XOR from a spec, then predicting the truth table
// with the saved model.
func ExampleRun() {
	dir, _ := os.MkdirTemp("", "xor")
	defer os.RemoveAll(dir)
	s, err := spec.Parse(filepath.Join(dir, "xor.yaml"), []byte(`
input: {synthetic: {name: xor, size: 200, noise: 0.05, seed: 1}}
output: {label: class}
architecture: [{linear: 4}, relu, {linear: 2}]
loss: cross_entropy
optimizer: {name: adam, lr: 0.05}
train: {epochs: 60, batch_size: 20, seed: 3}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := train.Run(context.Background(), s, train.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	last := res.History.Epochs[len(res.History.Epochs)-1]
	fmt.Printf("accuracy %.2f, saved as %s\n", last.TrainAccuracy, filepath.Base(res.SavedTo))

	m, err := train.LoadModel(res.SavedTo)
	if err != nil {
		fmt.Println(err)
		return
	}
	table := tensor.FromSlice([]float32{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2)
	out, _ := m.Predict(table)
	fmt.Println("xor of 00 01 10 11:", m.Decoder.Decode(out))
	// Output:
	// accuracy 1.00, saved as xor.safetensors
	// xor of 00 01 10 11: [0 1 1 0]
}
