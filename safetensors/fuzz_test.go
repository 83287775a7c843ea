package safetensors

import (
	"bytes"
	"os"
	"testing"

	"github.com/bigfunc/bigfunc/tensor"
)

// FuzzDecode checks that Decode never panics, and that whatever it accepts
// survives Encode and Decode again unchanged: same names, order, shapes,
// value bits and metadata.
//
// Run it with
//
//	go test ./safetensors -run '^$' -fuzz FuzzDecode -fuzztime 3m
//
// and keep any input it reports under testdata/fuzz/FuzzDecode, where
// go test replays it from then on.
func FuzzDecode(f *testing.F) {
	for _, tt := range malformed {
		f.Add(tt.in)
	}
	for _, tt := range wellFormed {
		f.Add(tt.in)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, sampleFile()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	buf.Reset()
	if err := Encode(&buf, &File{Tensors: map[string]*tensor.Tensor{
		"a": tensor.New([]float32{1, 2, 3}, 3),
		"b": tensor.New([]float32{4}, 1, 1),
	}}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	for _, name := range []string{"testdata/pytorch_mlp.safetensors", "testdata/pytorch_dtypes.safetensors"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}

	f.Fuzz(func(t *testing.T, in []byte) {
		first, err := Decode(in)
		if err != nil {
			if first != nil {
				t.Fatal("Decode returned both a File and an error")
			}
			return
		}
		var out bytes.Buffer
		if err := Encode(&out, first); err != nil {
			t.Fatalf("Encode of a decoded file failed: %v", err)
		}
		second, err := Decode(out.Bytes())
		if err != nil {
			t.Fatalf("Decode of a re-encoded file failed: %v", err)
		}
		if d := sameFile(second, first); d != "" {
			t.Fatalf("round trip changed the file: %s", d)
		}
	})
}
