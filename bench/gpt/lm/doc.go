// Command lm trains the character-level language model of a text spec
// (examples/seq/gostd.yaml) for a fixed number of steps and records its
// validation loss per character along the way, as the bigfunc half of
// the side-by-side comparison with PyTorch in BENCHMARKS.md.
//
//	go run ./bench/gpt/lm -spec examples/seq/gostd.yaml -steps 1000 -out /tmp/lm
//
// It writes to the -out folder everything bench/gpt/torch_lm.py needs to
// train the same model on the same data in the same order: the initial
// weights (init.safetensors, PyTorch's state-dict names), the training and
// validation windows and the window indices of every batch (data.bin), and
// its own curve (bigfunc.csv: step, validation loss, training loss). The
// learning rate is the spec's, constant. Evaluation runs every -every steps
// on a fixed -valid windows of the validation set, and on all of it at the
// end; the CPU time reported excludes evaluation.
package main
