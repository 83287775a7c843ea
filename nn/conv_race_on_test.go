//go:build race

package nn_test

// raceEnabled reports whether the race detector is on: it makes sync.Pool
// drop some of what it is given, so the matrix products' pooled buffers
// are allocated anew now and then and allocation counts mean nothing.
const raceEnabled = true
