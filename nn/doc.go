// Package nn builds the architecture element of a network: layers of
// y = Wx + b, activations between them, shortcuts around them, and the
// schemes that give the weights their first values.
//
// A Layer maps a batch of inputs to a batch of outputs. Layers that own
// parameters list them with PyTorch's state_dict names, so a Sequential
// whose layer 0 and layer 2 are Linear exposes "0.weight", "0.bias",
// "2.weight" and "2.bias", exactly as torch.nn.Sequential does. That naming
// is what lets a bigfunc model and a PyTorch model exchange weights.
//
// Activations live in package activation; every one of them is also a
// Layer.
package nn
