// Command kan-fit fits f(x, y) = exp(sin(πx) + y²) with a [2, 1, 1]
// Kolmogorov–Arnold network, the first example of the KAN paper: L-BFGS on
// a grid of 3 intervals (from a few seeds, keeping the best), then grid
// extension to 5, 10, 20 and 50 intervals, training on after each. It
// prints the parameters, training and test RMSE and time of each stage,
// and those of a 2-16-16-1 tanh MLP trained with as many L-BFGS steps.
//
//	go run ./examples/kan-fit [-steps 100]
package main
