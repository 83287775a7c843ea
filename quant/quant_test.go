package quant

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// TestRows checks the symmetric per-row rounding against its definition:
// each weight comes back within half a step, and the largest one of each
// row maps to ±127.
func TestRows(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	out, in := 7, 33
	w := make([]float32, out*in)
	for i := range w {
		w[i] = float32(r.NormFloat64() * float64(1+i%in))
	}
	for k := range in {
		w[3*in+k] = 0 // a row of zeros
	}
	q, s := Rows(w, out, in)
	for o := range out {
		top := 0.0
		for k := range in {
			v := q[o*in+k]
			if v != float32(int8(v)) || v < -127 || v > 127 {
				t.Fatalf("q[%d][%d] = %v, want a whole number in -127…127", o, k, v)
			}
			if d := math.Abs(float64(s[o])*float64(v) - float64(w[o*in+k])); d > 0.5001*float64(s[o]) {
				t.Fatalf("w[%d][%d] = %v comes back as %v·%v", o, k, w[o*in+k], s[o], v)
			}
			top = max(top, math.Abs(float64(v)))
		}
		if want := map[bool]float64{true: 0, false: 127}[o == 3]; top != want {
			t.Errorf("row %d: largest |q| %v, want %v", o, top, want)
		}
	}
}

// testModel builds a small network with linear layers at the top level
// and inside a residual block.
func testModel(t *testing.T) *train.Model {
	return buildModel(t, `[{"linear": 12}, "relu", {"residual": {"body": [{"linear": 12}, "tanh"]}}, {"linear": {"out_features": 3, "bias": false}}]`, []int{5}, 3)
}

// buildModel builds the architecture src, in the spec's JSON form, for
// samples of shape in, with weights drawn from seed.
func buildModel(t *testing.T, src string, in []int, seed uint64) *train.Model {
	t.Helper()
	var items []any
	if err := json.Unmarshal([]byte(src), &items); err != nil {
		t.Fatal(err)
	}
	layers, err := spec.ParseArchitecture(items)
	if err != nil {
		t.Fatal(err)
	}
	net, _, err := spec.BuildArchitecture(in, layers, tensor.NewRNG(seed))
	if err != nil {
		t.Fatal(err)
	}
	m, err := train.FromNet(net, in, "cross_entropy", nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestModelPredictsLikeFloat checks the quantized model against the
// float one, then saves and loads it: the file holds I8 weights and the
// int8 marker, and the loaded model predicts the same bits.
func TestModelPredictsLikeFloat(t *testing.T) {
	m := testModel(t)
	q, err := Model(m)
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.Randn(tensor.NewRNG(2), 64, 5)
	want, _ := m.Predict(x)
	got, err := q.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for i, v := range got.Data() {
		worst = max(worst, math.Abs(float64(v-want.Data()[i])))
	}
	// 7-bit activations and 8-bit weights: errors of a few percent of
	// outputs of size about 1.
	if worst > 0.05 {
		t.Errorf("largest difference from the float model %v, want ≤ 0.05", worst)
	}
	t.Logf("largest difference from the float model: %.4f", worst)

	path := filepath.Join(t.TempDir(), "m8.safetensors")
	if err := q.Save(path); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"0.weight", "2.f.0.weight", "3.weight"} {
		if !f.Int8[name] || f.Tensors[name+"_scale"] == nil {
			t.Errorf("%s: I8 %v, scale %v; want I8 with a scale", name, f.Int8[name], f.Tensors[name+"_scale"])
		}
	}
	if kind, ok := train.IsQuantized(f); !ok || kind != "int8" {
		t.Errorf("IsQuantized = %q, %v", kind, ok)
	}
	back, err := train.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Quantized != "int8" {
		t.Errorf("loaded Quantized = %q", back.Quantized)
	}
	again, _ := back.Predict(x)
	for i, v := range again.Data() {
		if math.Float32bits(v) != math.Float32bits(got.Data()[i]) {
			t.Fatalf("loaded model: output %d is %v, before saving %v", i, v, got.Data()[i])
		}
	}
	ds := &data.Dataset{X: x, Labels: make([]int, 64)}
	opt, _ := optim.New("sgd", nn.Vars(back.Params()), map[string]any{"lr": 0.1})
	if _, err := train.NewTrainer(back, opt, ds, nil, train.Config{Epochs: 1, BatchSize: 8}, 1); err == nil || !strings.Contains(err.Error(), "does not train") {
		t.Errorf("training a quantized model: got %v, want an error saying it does not train", err)
	}
	if _, err := Model(back); err == nil || !strings.Contains(err.Error(), "already quantized") {
		t.Errorf("quantizing twice: got %v", err)
	}
}

// TestLoadRejectsBadScales checks that a file whose scales are not
// finite is refused on loading, naming the layer.
func TestLoadRejectsBadScales(t *testing.T) {
	q, err := Model(testModel(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range q.Net.Buffers() {
		if b.Name == "3.weight_scale" {
			b.Value.Data()[1] = float32(math.NaN())
		}
	}
	path := filepath.Join(t.TempDir(), "bad.safetensors")
	if err := q.Save(path); err != nil {
		t.Fatal(err)
	}
	_, err = train.LoadModel(path)
	if err == nil || !strings.Contains(err.Error(), "layer 3 (linear_int8): weight_scale[1] is NaN") || strings.Contains(err.Error(), "\n") {
		t.Errorf("got %v, want a one-line error naming layer 3's weight_scale[1]", err)
	}
}
