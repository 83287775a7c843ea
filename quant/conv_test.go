package quant

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// testCNN builds a small convolutional network with a plain conv2d, a
// depthwise one, a conv2d inside a residual block, a transposed
// convolution and a linear layer, for input [2, 8, 8].
func testCNN(t *testing.T) *train.Model {
	return buildModel(t, `[{"conv2d": {"out_channels": 6, "kernel_size": 3, "padding": 1}}, "relu",
		{"conv2d": {"out_channels": 6, "kernel_size": 3, "padding": 1, "groups": 6}},
		{"residual": {"body": [{"conv2d": {"out_channels": 6, "kernel_size": [3, 2], "padding": "same", "bias": false}}, "relu"]}},
		{"conv_transpose2d": {"out_channels": 3, "kernel_size": 2, "stride": 2}},
		{"conv2d": {"out_channels": 5, "kernel_size": 3, "stride": 2, "dilation": 2}},
		{"max_pool2d": {"kernel_size": 2}}, "flatten", {"linear": 4}]`, []int{2, 8, 8}, 5)
}

// TestModelQuantizesConv2d checks which layers of a CNN become int8
// (conv2d with groups 1, linear) and which stay float32 (depthwise,
// transposed), that each int8 weight comes back within half a step of
// its float32 weight, and that the model saves, loads and predicts the
// same bits, close to the float32 model's answers.
func TestModelQuantizesConv2d(t *testing.T) {
	m := testCNN(t)
	q, err := Model(m)
	if err != nil {
		t.Fatal(err)
	}
	ops := Ops(q)
	if ops["conv2d_int8"] != 3 || ops["linear_int8"] != 1 || ops["conv2d"] != 1 || ops["conv_transpose2d"] != 1 {
		t.Errorf("ops after quantizing: %v; want 3 conv2d_int8, 1 linear_int8, 1 conv2d, 1 conv_transpose2d", ops)
	}
	floats := map[string]*tensor.Tensor{}
	for _, p := range m.Params() {
		floats[p.Name] = p.Value
	}
	int8s := map[string]bool{}
	bufs := map[string]*tensor.Tensor{}
	for _, b := range q.Net.Buffers() {
		bufs[b.Name] = b.Value
		int8s[b.Name] = b.Int8
	}
	for _, name := range []string{"0.weight", "3.f.0.weight", "5.weight", "8.weight"} {
		w, qw, s := floats[name], bufs[name], bufs[name+"_scale"]
		if !int8s[name] || s == nil || !tensor.SameShape(w, qw) || s.Len() != w.Dim(0) {
			t.Fatalf("%s: int8 %v, shape %v, scale %v; want int8 of shape %v with %d scales", name, int8s[name], qw.Shape(), s, w.Shape(), w.Dim(0))
		}
		per := w.Len() / w.Dim(0)
		for i, v := range w.Data() {
			sc := float64(s.Data()[i/per])
			if d := math.Abs(sc*float64(qw.Data()[i]) - float64(v)); d > 0.5001*sc {
				t.Fatalf("%s[%d] = %v comes back as %v·%v", name, i, v, sc, qw.Data()[i])
			}
		}
	}
	if _, ok := bufs["2.weight"]; ok {
		t.Errorf("the depthwise conv2d was quantized")
	}

	x := tensor.Randn(tensor.NewRNG(6), 16, 2*8*8)
	want, _ := m.Predict(x)
	got, err := q.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	// Each layer adds about a percent of its output's size in error; the
	// answers are small, so compare the error with the largest of them.
	var worst, size float64
	for i, v := range got.Data() {
		worst = max(worst, math.Abs(float64(v-want.Data()[i])))
		size = max(size, math.Abs(float64(want.Data()[i])))
	}
	if worst > 0.05*size {
		t.Errorf("largest difference from the float model %v, want ≤ 5 %% of the largest output %v", worst, size)
	}
	t.Logf("largest difference from the float model: %.4f of outputs up to %.4f", worst, size)

	path := filepath.Join(t.TempDir(), "cnn8.safetensors")
	if err := q.Save(path); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Int8["0.weight"] || f.Tensors["0.weight"].Dims() != 4 || f.Int8["2.weight"] {
		t.Errorf("file: 0.weight I8 %v with %d dims, 2.weight I8 %v; want a 4-d I8 conv weight and a float depthwise one",
			f.Int8["0.weight"], f.Tensors["0.weight"].Dims(), f.Int8["2.weight"])
	}
	back, err := train.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range again.Data() {
		if math.Float32bits(v) != math.Float32bits(got.Data()[i]) {
			t.Fatalf("loaded model: output %d is %v, before saving %v", i, v, got.Data()[i])
		}
	}
}

// TestModelWithoutQuantizableLayers checks the error for a network with
// only a depthwise convolution.
func TestModelWithoutQuantizableLayers(t *testing.T) {
	net := nn.NewSequential(nn.NewConv2d(3, 3, [2]int{3, 3}, 3, true, tensor.NewRNG(1)))
	m, err := train.FromNet(net, []int{3, 5, 5}, "mse", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Model(m); err == nil || !strings.Contains(err.Error(), "no linear layer and no conv2d with groups 1") {
		t.Errorf("got %v", err)
	}
}
