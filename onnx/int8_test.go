package onnx_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/onnx"
	"github.com/bigfunc/bigfunc/quant"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// TestExportRefusesInt8 checks that a quantized model is refused with an
// error naming the first int8 op, linear_int8 or conv2d_int8, and its
// layer: ONNX has no form here for weights quantized per channel with
// activations quantized per row.
func TestExportRefusesInt8(t *testing.T) {
	rng := tensor.NewRNG(1)
	for _, c := range []struct {
		net  *nn.Sequential
		in   []int
		want string
	}{
		{nn.NewSequential(nn.NewLinear(4, 8, true, rng), &activation.ReLULayer{}, nn.NewLinear(8, 2, true, rng)), []int{4},
			`layer 0: no ONNX form for op "linear_int8"`},
		{nn.NewSequential(nn.NewConv2d(1, 4, [2]int{3, 3}, 1, true, rng), &activation.ReLULayer{}, &nn.Flatten{}, nn.NewLinear(4*4*4, 2, true, rng)), []int{1, 6, 6},
			`layer 0: no ONNX form for op "conv2d_int8"`},
	} {
		m, err := train.FromNet(c.net, c.in, "mse", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := onnx.Export(&bytes.Buffer{}, m, onnx.ExportOptions{}); err != nil {
			t.Fatalf("the float32 model: %v", err)
		}
		q, err := quant.Model(m)
		if err != nil {
			t.Fatal(err)
		}
		err = onnx.Export(&bytes.Buffer{}, q, onnx.ExportOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("got %v, want one line containing %q", err, c.want)
		}
	}
}
