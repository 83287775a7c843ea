package onnx_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/bigfunc/bigfunc/onnx"
	pb "github.com/bigfunc/bigfunc/onnx/internal/onnxpb"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// gptArch is a GPT-style stack: token embedding, positions, two causal
// encoder layers (gelu pre-norm, relu post-norm), a final norm and the
// vocabulary scores.
func gptArch(vocab, maxLen int, kind string, firstNorm bool) string {
	return fmt.Sprintf(`[
		{embedding: {num_embeddings: %d, embedding_dim: 8, padding_idx: 0}},
		{positional: {kind: %s, max_len: %d}},
		{transformer_encoder_layer: {nhead: 2, dim_feedforward: 16, dropout: 0.1, activation: gelu, norm_first: %v, causal: true}},
		{transformer_encoder_layer: {nhead: 4, dim_feedforward: 12, dropout: 0.1, activation: relu, norm_first: %v, causal: true, layer_norm_eps: 0.0001}},
		{layer_norm: {}},
		{linear: %d}]`, vocab, kind, maxLen, firstNorm, !firstNorm, vocab)
}

// tokens returns n sequences of ids below vocab as the model takes them.
func tokens(m *train.Model, n, vocab int, seed uint64) *tensor.Tensor {
	rng := tensor.NewRNG(seed)
	x := tensor.Zeros(n, m.Inputs)
	for i := range x.Data() {
		x.Data()[i] = float32(rng.Intn(vocab))
	}
	return x
}

// kanModel returns a two-layer KAN whose first grid was fitted to data,
// so the knots are not uniform.
func kanModel(t testing.TB, standalone bool, order int, seed uint64) *train.Model {
	t.Helper()
	arch := fmt.Sprintf(`[{kan_linear: {out_features: 5, grid_size: 4, spline_order: %d, enable_standalone_scale_spline: %v}}, {kan_linear: {out_features: 3, grid_range: [-2, 1.5]}}]`, order, standalone)
	m := buildArch(t, []int{4}, arch, seed)
	regrid, ok := m.Net.Layers[0].(interface{ UpdateGrid(*tensor.Tensor) error })
	if !ok {
		t.Fatal("kan_linear has no UpdateGrid")
	}
	if err := regrid.UpdateGrid(tensor.Randn(tensor.NewRNG(seed+1), 40, 4)); err != nil {
		t.Fatal(err)
	}
	return m
}

// seqZoo returns the sequence and KAN models the tests export at opset,
// built without fromArch's random buffers (a KAN's grid must stay
// sorted).
func seqZoo(t testing.TB, opset int) []zooModel {
	t.Helper()
	var z []zooModel
	add := func(name string, m *train.Model, x *tensor.Tensor) {
		z = append(z, zooModel{name, m, onnx.ExportOptions{Opset: opset}, x})
	}
	for i, c := range []struct {
		kind      string
		firstNorm bool
	}{{"sinusoidal", true}, {"learned", false}} {
		m := buildArch(t, []int{6}, gptArch(11, 9, c.kind, c.firstNorm), uint64(20+i))
		add(fmt.Sprintf("gpt_%s", c.kind), m, tokens(m, 3, 11, uint64(30+i)))
	}
	m := buildArch(t, []int{5}, `[{embedding: {num_embeddings: 7, embedding_dim: 6}}, {multihead_attention: {num_heads: 3}}, relu,
		{multihead_attention: {num_heads: 2, causal: true, bias: false}}, {kan_linear: 4}, flatten, {linear: 2}]`, 22)
	add("attention", m, tokens(m, 4, 7, 32))
	for i, c := range []struct {
		standalone bool
		order      int
	}{{true, 3}, {false, 2}} {
		m := kanModel(t, c.standalone, c.order, uint64(40+i))
		x := tensor.Randn(tensor.NewRNG(uint64(50+i)), 9, 4)
		for j := range x.Data() {
			x.Data()[j] *= 1.5 // inside and beyond the grid
		}
		add(fmt.Sprintf("kan_%d", i), m, x)
	}
	return z
}

// TestSeqExportRunsInORT runs the sequence and KAN models in ONNX Runtime
// at every opset the ORT test covers, on their own length and on a
// shorter one where the graph leaves the length free.
func TestSeqExportRunsInORT(t *testing.T) {
	modules := requireORT(t)
	dir := t.TempDir()
	var all []zooModel
	var paths []string
	for _, opset := range []int{13, 14, 17, 18, 20, 21} {
		z := seqZoo(t, opset)
		all = append(all, z...)
		paths = append(paths, exportAll(t, z, dir)...)
	}
	checkWithPython(t, paths)
	var cases []ortCase
	var want [][]float64
	var names []string
	for i, z := range all {
		typ := ""
		if z.model.Net.Layers[0].Describe().Op == "embedding" {
			typ = "int64"
		}
		cases = append(cases, ortCase{Model: paths[i], Input: jsonArray{Shape: append([]int{z.x.Dim(0)}, z.model.InputShape...), Data: z.x.Data(), Type: typ}})
		want = append(want, expected(t, z, z.x))
		names = append(names, fmt.Sprintf("%s opset %d", z.name, z.opts.Opset))
		if z.name[:3] == "gpt" {
			// A shorter sequence through the same graph: the model built
			// for that length from the same layers predicts it.
			short, err := train.FromNet(z.model.Net, []int{4}, "mse", nil)
			if err != nil {
				t.Fatal(err)
			}
			x := tensor.Zeros(z.x.Dim(0), 4)
			for r := range x.Dim(0) {
				copy(x.Data()[r*4:(r+1)*4], z.x.Data()[r*6:])
			}
			cases = append(cases, ortCase{Model: paths[i], Input: jsonArray{Shape: []int{x.Dim(0), 4}, Data: x.Data(), Type: typ}})
			want = append(want, expected(t, zooModel{model: short, x: x}, x))
			names = append(names, fmt.Sprintf("%s opset %d, length 4", z.name, z.opts.Opset))
		}
	}
	res := runORT(t, modules, cases)
	worst, worstAt := 0.0, ""
	for i := range cases {
		got := res[i].Data
		if len(got) != len(want[i]) {
			t.Errorf("%s: ORT gave %d values %v, want %d", names[i], len(got), res[i].Shape, len(want[i]))
			continue
		}
		for j := range want[i] {
			d := abs(got[j]-want[i][j]) / max(1, abs(want[i][j]))
			if d > worst {
				worst, worstAt = d, names[i]
			}
			if !closeEnough(got[j], want[i][j], 1e-5) {
				t.Errorf("%s: output %d: ORT %v, Predict %v", names[i], j, got[j], want[i][j])
				break
			}
		}
	}
	t.Logf("%d runs in ONNX Runtime; largest difference from Predict %.3g (relative to max(1, |y|)) in %s", len(cases), worst, worstAt)
}

// exportedGPT returns the GPT model of seqZoo as a protobuf message to
// break.
func exportedGPT(t *testing.T) (*train.Model, *pb.ModelProto) {
	t.Helper()
	m := seqZoo(t, 17)[0].model
	var buf bytes.Buffer
	if err := onnx.Export(&buf, m, onnx.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	var mp pb.ModelProto
	if err := proto.Unmarshal(buf.Bytes(), &mp); err != nil {
		t.Fatal(err)
	}
	return m, &mp
}

// TestImportSeqMismatch checks that Import takes a sequence layer only
// when the nodes compute what their doc_string says.
func TestImportSeqMismatch(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(mp *pb.ModelProto)
		want   string
	}{
		{"doc says not causal", func(mp *pb.ModelProto) {
			for _, n := range mp.Graph.Node {
				n.DocString = strings.Replace(n.DocString, `"causal":true`, `"causal":false`, 1)
			}
		}, "not the graph Export writes"},
		{"other scale", func(mp *pb.ModelProto) {
			for _, in := range mp.Graph.Initializer {
				if strings.HasSuffix(in.Name, "/sqrt_dh") {
					in.RawData = []byte{0, 0, 0x80, 0x3f} // 1
					return
				}
			}
			t.Fatal("no sqrt_dh constant")
		}, "not the graph Export writes"},
		{"attribute changed", func(mp *pb.ModelProto) {
			for _, n := range mp.Graph.Node {
				if n.OpType == "Softmax" {
					n.Attribute[0].I = 1
					return
				}
			}
		}, "not the graph Export writes"},
		{"claims a huge vocabulary", func(mp *pb.ModelProto) {
			for _, n := range mp.Graph.Node {
				n.DocString = strings.Replace(n.DocString, `"num_embeddings":11`, `"num_embeddings":100000000`, 1)
			}
		}, "claim"},
		{"token ids into a linear layer", func(mp *pb.ModelProto) {
			for _, n := range mp.Graph.Node {
				n.DocString = ""
			}
		}, "unsupported op Gather"},
		{"vocabulary that does not fit", func(mp *pb.ModelProto) {
			mp.MetadataProps = append(mp.MetadataProps, &pb.StringStringEntryProto{Key: "bigfunc.vocab", Value: `{"tokenizer":"char","chars":"ab","pad":-1}`})
		}, "bigfunc.vocab"},
		{"no declared length", func(mp *pb.ModelProto) {
			mp.MetadataProps = nil
		}, `"seq"`},
	}
	for _, c := range cases {
		_, mp := exportedGPT(t)
		c.break_(mp)
		b, err := proto.Marshal(mp)
		if err != nil {
			t.Fatal(err)
		}
		_, err = onnx.Import(bytes.NewReader(b))
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want a one-line error with %q", c.name, err, c.want)
		}
	}
	// Unbroken, it imports and predicts what the original does.
	m, mp := exportedGPT(t)
	b, _ := proto.Marshal(mp)
	got, err := onnx.Import(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	x := tokens(m, 2, 11, 1)
	y1, _ := m.Predict(x)
	y2, err := got.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range y1.Data() {
		if y2.Data()[i] != v {
			t.Fatalf("output %d: imported %v, original %v", i, y2.Data()[i], v)
		}
	}
}

// TestExportRefusesPaddedKeys checks that a layer whose key padding mask
// comes from the token ids is refused by name rather than exported as if
// it attended to every key, for both attention layers.
func TestExportRefusesPaddedKeys(t *testing.T) {
	for _, layer := range []string{
		`{multihead_attention: {num_heads: 2, key_padding_mask: auto}}`,
		`{transformer_encoder_layer: {nhead: 2, dim_feedforward: 8, key_padding_mask: auto}}`,
	} {
		arch := `[{embedding: {num_embeddings: 7, embedding_dim: 4, padding_idx: 0}}, ` + layer + `, flatten, {linear: 2}]`
		m := buildArch(t, []int{5}, arch, 3)
		err := onnx.Export(&bytes.Buffer{}, m, onnx.ExportOptions{})
		if err == nil || !strings.Contains(err.Error(), "key_padding_mask: auto") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want a one-line error naming key_padding_mask: auto", layer, err)
		}
		// The same layer without the mask exports.
		m = buildArch(t, []int{5}, strings.Replace(arch, ", key_padding_mask: auto", "", 1), 3)
		if err := onnx.Export(&bytes.Buffer{}, m, onnx.ExportOptions{}); err != nil {
			t.Errorf("%s without the mask: %v", layer, err)
		}
	}
}
