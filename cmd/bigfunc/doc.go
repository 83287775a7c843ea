// Command bigfunc trains, evaluates, inspects and runs neural networks
// described by a five-element model file: input, output, architecture,
// loss and optimizer.
//
// Usage:
//
//	bigfunc train SPEC [--resume] [--epochs N] [--seed N] [--save FILE] [--quiet]
//	bigfunc predict --model MODEL --input CSV [--proba] [--keep COLS] [-o FILE]
//	bigfunc eval --model MODEL --data CSV [--json]
//	bigfunc inspect MODEL
//	bigfunc check SPEC
//	bigfunc draw --model MODEL -o FILE
//	bigfunc book figures --out DIR
//	bigfunc book check
//	bigfunc playground [--addr 127.0.0.1:8080]
//	bigfunc version
//
// Exit status is 0 on success, 1 on failure (with a one-line "bigfunc: …"
// message on stderr) and 2 on bad usage.
package main
