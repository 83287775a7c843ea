// Package book turns the chapter "Why neural networks" into code: its
// networks, written out weight by weight, its claims, checked numerically,
// and its figures, drawn.
//
// The chapter's networks are AbsNet (|x| = ReLU(x) + ReLU(−x)),
// MaxSkipNet (max{x₁, x₂} = x₁ + ReLU(x₂ − x₁), with x₁ skipping the
// hidden layer), MaxNet (the same maximum with three hidden units), AndNet,
// OrNet and XorNet, and SquarePrinted, its four-piece approximation of x²
// exactly as printed. LogicNet builds a two-layer network for any of the
// sixteen two-input boolean functions from its truth table.
//
// Check verifies every claim and returns one Result per claim with a
// Status: PASS, FAIL (a claim that must hold does not: a bug), or
// WRONG-IN-TEXT (the chapter states something false). One claim is wrong
// in the text: the printed approximation of x² is 2|x| − 0.04 on [−1, 1]
// and misses x² by 0.96 at x = ±1. SquareMinimax is the correction, the
// best four-piece approximation in the maximum error (1/32), and Learn
// trains a 1-4-1 network on (x, x²) pairs for comparison.
//
// WriteFigures draws the chapter's eight figures (ChapterFigures), the
// learned versions of its networks and other extras (ExtraFigures), and a
// gallery of every activation with its derivative. Seeds are fixed, so the
// same files come out on every run. Two of the extras look inside a
// convolutional network: LearnDigits trains a small one on a slice of
// MNIST in seconds, and the figures draw its first layer's filters, as
// trained and as initialised, and one test digit's feature maps after the
// first layers.
package book
