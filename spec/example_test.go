package spec_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

func ExampleParse() {
	s, err := spec.Parse("xor.yaml", []byte(`
input: {synthetic: xor}
output: {label: class}
architecture:
  - linear: 4
  - relu
  - linear: 2
loss: cross_entropy
optimizer: {name: adam, lr: 0.05}
train: {epochs: 60}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	net, outputs, _ := spec.BuildArchitecture([]int{2}, s.Architecture, tensor.NewRNG(s.Train.Seed))
	for _, p := range net.Params() {
		fmt.Println(p.Name, p.Value.Shape())
	}
	fmt.Println("outputs:", outputs, "save to:", s.SavePath())
	// Output:
	// 0.weight [4 2]
	// 0.bias [4]
	// 2.weight [2 4]
	// 2.bias [2]
	// outputs: [2] save to: xor.safetensors
}

func ExampleParse_error() {
	_, err := spec.Parse("model.yaml", []byte("input: {synthetic: xor}\ntrian: {epochs: 3}\n"))
	fmt.Println(err)
	// Output: model.yaml:2:1: spec: unknown key "trian" (did you mean "train"?); allowed: architecture, discriminator, gan, generator, input, loss, optimizer, output, simclr, train
}
