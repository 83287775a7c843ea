// Package param reads hyperparameter values as JSON and YAML decoders
// produce them, for the by-name constructors of losses, optimizers and
// layers.
package param
