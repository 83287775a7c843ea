package onnx_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/onnx"
)

// TestRoundTrip exports every zoo model at every supported opset, imports
// it back and checks that the imported model predicts the same bits, has
// the same architecture, and exports to the same bytes again.
func TestRoundTrip(t *testing.T) {
	for opset := onnx.MinOpset; opset <= onnx.MaxOpset; opset++ {
		for _, z := range append(zoo(t, opset), seqZoo(t, opset)...) {
			name := fmt.Sprintf("%s/opset%d", z.name, opset)
			var buf bytes.Buffer
			if err := onnx.Export(&buf, z.model, z.opts); err != nil {
				t.Fatalf("%s: export: %v", name, err)
			}
			m, err := onnx.Import(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("%s: import: %v", name, err)
			}
			want, err := z.model.Predict(z.x)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Predict(z.x)
			if err != nil {
				t.Fatalf("%s: predict: %v", name, err)
			}
			for i, w := range want.Data() {
				if g := got.Data()[i]; g != w {
					t.Fatalf("%s: output %d: imported %v, original %v", name, i, g, w)
				}
			}
			a, b := fmt.Sprint(nn.Architecture(m.Net.Layers)), fmt.Sprint(nn.Architecture(z.model.Net.Layers))
			if a != b {
				t.Errorf("%s: architecture\n got %s\nwant %s", name, a, b)
			}
			var again bytes.Buffer
			if err := onnx.Export(&again, m, z.opts); err != nil {
				t.Fatalf("%s: export again: %v", name, err)
			}
			if !bytes.Equal(again.Bytes(), buf.Bytes()) {
				t.Errorf("%s: exporting the imported model gives other bytes", name)
			}
		}
	}
}
