package main

import (
	"context"
	"fmt"

	"github.com/bigfunc/bigfunc/quant"
	"github.com/bigfunc/bigfunc/train"
)

// cmdQuantize writes an int8 copy of a saved model.
func cmdQuantize(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "quantize", "--model MODEL -o FILE",
		"write a copy of a saved model whose linear layers have int8 weights (one scale per output);\n"+
			"it predicts and evaluates like the original, in integer arithmetic, but does not train")
	model := fs.String("model", "", "the saved float32 model `FILE` (.safetensors)")
	out := fs.String("o", "", "write the int8 model to `FILE` (atomically)")
	if _, err := parseExact(fs, args); err != nil {
		return err
	}
	if err := required(fs, "model", *model); err != nil {
		return err
	}
	if err := required(fs, "o", *out); err != nil {
		return err
	}
	m, err := train.LoadModel(*model)
	if err != nil {
		return err
	}
	q, err := quant.Model(m)
	if err != nil {
		return fmt.Errorf("%s: %w", *model, err)
	}
	if err := q.Save(*out); err != nil {
		return err // names the file
	}
	var before, after int
	for _, p := range m.Params() {
		before += 4 * p.Value.Len()
	}
	for _, p := range q.Params() {
		after += 4 * p.Value.Len()
	}
	layers := 0
	for _, b := range q.Net.Buffers() {
		switch {
		case b.Int8:
			after += b.Value.Len()
			layers++
		default:
			after += 4 * b.Value.Len()
		}
	}
	for _, b := range m.Net.Buffers() {
		before += 4 * b.Value.Len()
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d linear layers in int8, weights %s → %s\n", *out, layers, kib(before), kib(after))
	return nil
}

func kib(n int) string { return fmt.Sprintf("%.1f KiB", float64(n)/1024) }
