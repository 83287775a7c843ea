// Package suggest finds the allowed name closest to a mistyped one, for the
// "did you mean" part of error messages about spec keys, layer names,
// losses, optimizers and CSV columns.
package suggest
