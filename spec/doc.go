// Package spec reads the model file: the five elements of a network, and
// how to train it, in one small YAML (or JSON) document.
//
//	input:                       # element 1: where the data comes from
//	  csv: train.csv
//	  columns: [x1, x2]
//	  scale: standardize
//	output:                      # element 2: what the answers are
//	  columns: [y]
//	architecture:                # element 3: the big function itself
//	  - linear: 16
//	  - relu
//	  - linear: 1
//	loss: mse                    # element 4
//	optimizer: {name: adam, lr: 0.01}   # element 5
//	train: {epochs: 100, batch_size: 32, seed: 1}
//
// Every mistake is an *Error that gives file:line:column, says what is
// allowed there and, when a name is close to an allowed one, suggests it.
// Activations take PyTorch's parameter names in place
// (- leaky_relu: {negative_slope: 0.2}); optimizers and losses likewise.
package spec
