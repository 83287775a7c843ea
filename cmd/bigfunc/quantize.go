package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/bigfunc/bigfunc/quant"
	"github.com/bigfunc/bigfunc/train"
)

// cmdQuantize writes an int8 copy of a saved model.
func cmdQuantize(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "quantize", "--model MODEL -o FILE",
		"write a copy of a saved model whose linear layers and conv2d layers with groups 1 have int8 weights\n"+
			"(one scale per output or output channel); grouped and depthwise conv2d, conv1d and conv_transpose2d\n"+
			"stay float32. It predicts and evaluates like the original, in integer arithmetic, but does not train")
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
	for _, b := range q.Net.Buffers() {
		if b.Int8 {
			after += b.Value.Len()
		} else {
			after += 4 * b.Value.Len()
		}
	}
	for _, b := range m.Net.Buffers() {
		before += 4 * b.Value.Len()
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s, weights %s → %s\n", *out, quantizedLayers(quant.Ops(q)), kib(before), kib(after))
	return nil
}

// quantizedLayers says which layers became int8 and which convolutions
// stayed float32, from the op counts of the quantized model: "2 linear
// layers in int8", or "1 linear and 2 conv2d layers in int8; 1 grouped
// conv2d stays float32".
func quantizedLayers(ops map[string]int) string {
	var int8s []string
	if n := ops["linear_int8"]; n > 0 {
		int8s = append(int8s, fmt.Sprintf("%d linear", n))
	}
	if n := ops["conv2d_int8"]; n > 0 {
		int8s = append(int8s, fmt.Sprintf("%d conv2d", n))
	}
	s := strings.Join(int8s, " and ") + " layers in int8"
	if ops["linear_int8"]+ops["conv2d_int8"] == 1 {
		s = int8s[0] + " layer in int8"
	}
	var floats []string
	total := 0
	for _, c := range []struct{ op, name string }{{"conv2d", "grouped conv2d"}, {"conv1d", "conv1d"}, {"conv_transpose2d", "conv_transpose2d"}} {
		if n := ops[c.op]; n > 0 {
			floats = append(floats, fmt.Sprintf("%d %s", n, c.name))
			total += n
		}
	}
	switch {
	case total == 1:
		s += "; " + floats[0] + " stays float32"
	case total > 1:
		s += "; " + strings.Join(floats, ", ") + " stay float32"
	}
	return s
}

func kib(n int) string { return fmt.Sprintf("%.1f KiB", float64(n)/1024) }
