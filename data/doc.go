// Package data holds two of a network's five elements: the Input, raw data
// encoded as vectors, and the Output, vectors decoded back into answers.
//
// On the input side:
//
//   - Dataset holds the rows: features X [N, features] (or, for images,
//     Pixels, one byte per value, decoded a batch at a time) and either
//     regression targets Y [N, outputs] or class labels (indices into
//     Classes).
//   - ReadCSV and ParseCSV read a headed CSV file, choosing columns by name.
//   - LoadMNIST and ReadIDX read the MNIST digits from IDX files, gzipped or
//     not; MNISTDir finds them where a registered locator says (importing
//     package mnistdata registers the Go module cache's copy).
//   - ReadPNG, DecodePNG and ReadImages read PNG images as [C, H, W]
//     samples scaled like MNIST's.
//   - Augment shifts, rotates and flips training images at random, from a
//     seed, a batch at a time.
//   - Synthetic generates the chapter's small functions (abs, square, max,
//     and, or, xor) and TensorFlow Playground's data sets, reproducibly from
//     a seed.
//   - Scaler standardizes or min-max scales features, fitted on training
//     rows only and saved as JSON beside a model.
//   - OneHot encodes class labels as target vectors.
//   - Split holds out a validation set, and Loader serves shuffled
//     mini-batches without allocating once warm.
//
// On the output side, Decoder turns a network's output rows into strings:
// the values themselves (regression), the arg-max class, or a thresholded
// probability or logit for a single output.
//
// Errors about files are one line that names the file, the line and the
// column where there is one, and what was expected, for example
//
//	train.csv:7: column "x2": "abc" is not a number
//
// Nothing here panics on bad input.
package data
