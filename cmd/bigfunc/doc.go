// Command bigfunc trains, evaluates, inspects and runs neural networks
// described by a five-element model file: input, output, architecture,
// loss and optimizer.
//
// Usage:
//
//	bigfunc train SPEC [--resume] [--epochs N] [--seed N] [--save FILE] [--quiet]
//	bigfunc predict --model MODEL --input CSV [--proba] [--keep COLS] [-o FILE]
//	bigfunc eval --model MODEL --data CSV [--json]
//	bigfunc sample --model G -n N [--seed S] [-o FILE] [--grid FILE.png [--cols K]]
//	bigfunc inspect MODEL
//	bigfunc check SPEC
//	bigfunc draw --model MODEL -o FILE
//	bigfunc book figures --out DIR
//	bigfunc book check
//	bigfunc playground [--addr 127.0.0.1:8080]
//	bigfunc version
//
// A spec with a gan section trains a generator and a discriminator
// against each other; train saves the generator, and sample draws from it:
// CSV with a header (x1,x2 for 2-D data), or a grid of images.
//
// Exit status is 0 on success, 1 on failure (with a one-line "bigfunc: …"
// message on stderr) and 2 on bad usage.
package main
