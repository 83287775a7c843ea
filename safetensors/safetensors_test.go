package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/tensor"
)

// rawFile returns a file made of the 8-byte length, the header text and data.
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

// f32le returns the little-endian bytes of vs.
func f32le(vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func encode(t *testing.T, f *File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, f); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return buf.Bytes()
}

// sameFile reports how got differs from want: names, order, shapes, the bits
// of every value (so NaN payloads and -0 count), and metadata.
func sameFile(got, want *File) string {
	if !slices.Equal(got.Order, want.Order) {
		return "order " + strings.Join(got.Order, ",") + ", want " + strings.Join(want.Order, ",")
	}
	if len(got.Tensors) != len(want.Tensors) {
		return "different tensor count"
	}
	for name, w := range want.Tensors {
		g, ok := got.Tensors[name]
		if !ok {
			return "missing tensor " + name
		}
		if !slices.Equal(g.Shape(), w.Shape()) {
			return "shape of " + name
		}
		gd, wd := g.Data(), w.Data()
		if len(gd) != len(wd) {
			return "length of " + name
		}
		for i := range gd {
			if math.Float32bits(gd[i]) != math.Float32bits(wd[i]) {
				return "values of " + name
			}
		}
	}
	if len(got.Metadata) != len(want.Metadata) {
		return "metadata size"
	}
	for k, v := range want.Metadata {
		if got.Metadata[k] != v {
			return "metadata " + k
		}
	}
	return ""
}

func sampleFile() *File {
	return &File{
		Tensors: map[string]*tensor.Tensor{
			"0.weight": tensor.New([]float32{1, 2, 3, 4, 5, 6}, 2, 3),
			"0.bias":   tensor.New([]float32{-1, 0.5}, 2),
			"scalar":   tensor.Scalar(42),
			"empty":    tensor.New([]float32{}, 0, 3),
			"special": tensor.New([]float32{
				float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
				math.Float32frombits(0x80000000), // -0
				math.Float32frombits(1),          // smallest subnormal
				math.Float32frombits(0x7fc12345), // NaN with a payload
				math.MaxFloat32, -math.SmallestNonzeroFloat32,
			}, 2, 2, 2),
		},
		Order:    []string{"0.weight", "0.bias", "scalar", "empty", "special"},
		Metadata: map[string]string{"format": "pt", "note": "ünïcode <&> \"quoted\"\n"},
	}
}

func TestRoundTrip(t *testing.T) {
	want := sampleFile()
	got, err := Decode(encode(t, want))
	if err != nil {
		t.Fatal(err)
	}
	if d := sameFile(got, want); d != "" {
		t.Fatal(d)
	}
	if s := got.Tensors["scalar"].Shape(); len(s) != 0 {
		t.Errorf("scalar shape %v, want []", s)
	}
}

func TestRoundTripNoMetadata(t *testing.T) {
	f := &File{Tensors: map[string]*tensor.Tensor{"w": tensor.New([]float32{1, 2}, 2)}}
	got, err := Decode(encode(t, f))
	if err != nil {
		t.Fatal(err)
	}
	if got.Metadata != nil {
		t.Errorf("Metadata = %v, want nil", got.Metadata)
	}
	if !slices.Equal(got.Order, []string{"w"}) {
		t.Errorf("Order = %v", got.Order)
	}
}

func TestEncodeDeterministic(t *testing.T) {
	a := sampleFile()
	first := encode(t, a)
	for range 20 { // map iteration order varies from run to run
		if again := encode(t, sampleFile()); !bytes.Equal(first, again) {
			t.Fatal("two encodings of the same File differ")
		}
	}

	// Order nil means sorted by name.
	b := sampleFile()
	b.Order = nil
	sorted := sampleFile()
	sorted.Order = slices.Sorted(maps.Keys(sorted.Tensors))
	if !bytes.Equal(encode(t, b), encode(t, sorted)) {
		t.Error("nil Order and sorted Order encode differently")
	}
}

func TestEncodeHeaderAlignment(t *testing.T) {
	for n := range 12 {
		name := strings.Repeat("x", n+1)
		b := encode(t, &File{Tensors: map[string]*tensor.Tensor{name: tensor.New([]float32{1}, 1)}})
		h := binary.LittleEndian.Uint64(b)
		if h%8 != 0 {
			t.Errorf("name %q: header length %d is not a multiple of 8", name, h)
		}
		if got := len(b); uint64(got) != 8+h+4 {
			t.Errorf("name %q: file is %d bytes, want %d", name, got, 8+h+4)
		}
	}
}

// The golden files are built from the format description by hand, and their
// content is what the reference implementation's own tests expect its writer
// to produce for the same tensors.
func TestGolden(t *testing.T) {
	tests := []struct {
		name   string
		file   *File
		header string
		data   []byte
	}{
		{
			name:   "one tensor, no padding",
			file:   &File{Tensors: map[string]*tensor.Tensor{"attn.0": tensor.New([]float32{0, 1, 2, 3, 4, 5}, 1, 2, 3)}},
			header: `{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`,
			data:   f32le(0, 1, 2, 3, 4, 5),
		},
		{
			name:   "one tensor, padded",
			file:   &File{Tensors: map[string]*tensor.Tensor{"attn0": tensor.New([]float32{0, 1, 2, 3, 4, 5}, 1, 1, 2, 3)}},
			header: `{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}` + "       ",
			data:   f32le(0, 1, 2, 3, 4, 5),
		},
		{
			name:   "empty",
			file:   &File{},
			header: `{}      `,
		},
		{
			name:   "metadata only",
			file:   &File{Metadata: map[string]string{"framework": "pt"}},
			header: `{"__metadata__":{"framework":"pt"}}     `,
		},
		{
			// Data in the given order, header entries by name.
			name: "order and metadata",
			file: &File{
				Tensors: map[string]*tensor.Tensor{
					"b": tensor.New([]float32{1.5, -2}, 2),
					"a": tensor.New([]float32{0.25}, 1, 1),
				},
				Order:    []string{"b", "a"},
				Metadata: map[string]string{"z": "1", "a<b": "x&y"},
			},
			header: `{"__metadata__":{"a<b":"x&y","z":"1"},` +
				`"a":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]},` +
				`"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}` + "     ",
			data: f32le(1.5, -2, 0.25),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.header)%8 != 0 {
				t.Fatalf("bad test: header is %d bytes", len(tt.header))
			}
			golden := rawFile(tt.header, tt.data)
			if got := encode(t, tt.file); !bytes.Equal(got, golden) {
				t.Errorf("Encode:\n got %q\nwant %q", got, golden)
			}
			got, err := Decode(golden)
			if err != nil {
				t.Fatal(err)
			}
			want := *tt.file
			if want.Order == nil {
				want.Order = slices.Sorted(maps.Keys(want.Tensors))
			}
			if d := sameFile(got, &want); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestGoldenBytesLiteral(t *testing.T) {
	// The same "attn.0" file spelled out byte by byte: length 64, the JSON
	// header, then 0..5 as little-endian float32.
	golden := []byte{
		64, 0, 0, 0, 0, 0, 0, 0,
		'{', '"', 'a', 't', 't', 'n', '.', '0', '"', ':', '{', '"', 'd', 't', 'y', 'p', 'e', '"', ':', '"', 'F', '3', '2', '"', ',',
		'"', 's', 'h', 'a', 'p', 'e', '"', ':', '[', '1', ',', '2', ',', '3', ']', ',',
		'"', 'd', 'a', 't', 'a', '_', 'o', 'f', 'f', 's', 'e', 't', 's', '"', ':', '[', '0', ',', '2', '4', ']', '}', '}',
		0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
	}
	f, err := Decode(golden)
	if err != nil {
		t.Fatal(err)
	}
	x := f.Tensors["attn.0"]
	if !slices.Equal(x.Shape(), []int{1, 2, 3}) || !slices.Equal(x.Data(), []float32{0, 1, 2, 3, 4, 5}) {
		t.Fatalf("got %v %v", x.Shape(), x.Data())
	}
}

func TestEncodeErrors(t *testing.T) {
	one := tensor.New([]float32{1}, 1)
	tests := []struct {
		name string
		file *File
		want string
	}{
		{"nil file", nil, "nil File"},
		{"nil tensor", &File{Tensors: map[string]*tensor.Tensor{"w": nil}}, `tensor "w" is nil`},
		{"reserved name", &File{Tensors: map[string]*tensor.Tensor{"__metadata__": one}}, "reserved"},
		{"bad utf-8 name", &File{Tensors: map[string]*tensor.Tensor{"a\xff": one}}, "not valid UTF-8"},
		{"bad utf-8 metadata", &File{Metadata: map[string]string{"k": "\xfe"}}, "valid UTF-8"},
		{"order repeats", &File{Tensors: map[string]*tensor.Tensor{"a": one}, Order: []string{"a", "a"}}, `"a" appears twice in Order`},
		{"order misses", &File{Tensors: map[string]*tensor.Tensor{"a": one, "b": one}, Order: []string{"a"}}, `"b" is missing from Order`},
		{"order unknown", &File{Tensors: map[string]*tensor.Tensor{"a": one}, Order: []string{"c"}}, `"c" is in Order but not in Tensors`},
		{"order unknown same length", &File{Tensors: map[string]*tensor.Tensor{"a": one, "b": one}, Order: []string{"a", "c"}}, `"c" is in Order but not in Tensors`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Encode(&buf, tt.file)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("err is %T, want *FormatError", err)
			}
			if buf.Len() != 0 {
				t.Errorf("Encode wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

// dirEntries lists the names in dir, to check that no temporary file is
// left behind.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	want := sampleFile()
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := sameFile(got, want); d != "" {
		t.Fatal(d)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, encode(t, want)) {
		t.Error("Save and Encode wrote different bytes")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v, want 0644", fi.Mode().Perm())
	}

	// Overwriting keeps the old file's permissions.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	small := &File{Tensors: map[string]*tensor.Tensor{"w": tensor.New([]float32{7}, 1)}}
	if err := Save(path, small); err != nil {
		t.Fatal(err)
	}
	got, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := sameFile(got, &File{Tensors: small.Tensors, Order: []string{"w"}}); d != "" {
		t.Error(d)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("overwritten file mode %v, want 0600", fi.Mode().Perm())
	}
	if names := dirEntries(t, dir); !slices.Equal(names, []string{"model.safetensors"}) {
		t.Errorf("directory holds %v", names)
	}
}

func TestSaveFailureLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	old := []byte("previous content")
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want it to contain %q", err, want)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the file", err)
		}
		b, rerr := os.ReadFile(path)
		if rerr != nil || !bytes.Equal(b, old) {
			t.Errorf("existing file changed: %q, %v", b, rerr)
		}
		if names := dirEntries(t, dir); !slices.Equal(names, []string{"model.safetensors"}) {
			t.Errorf("directory holds %v", names)
		}
	}

	t.Run("invalid tensor", func(t *testing.T) {
		err := Save(path, &File{Tensors: map[string]*tensor.Tensor{"w": nil}})
		check(t, err, `tensor "w" is nil`)
	})

	t.Run("rename fails", func(t *testing.T) {
		defer func(f func(string, string) error) { renameFile = f }(renameFile)
		renameFile = func(string, string) error { return errors.New("simulated rename failure") }
		check(t, Save(path, sampleFile()), "simulated rename failure")
	})

	t.Run("directory not writable", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("permissions do not stop root")
		}
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o755)
		check(t, Save(path, sampleFile()), "permission denied")
	})
}

func TestSaveErrors(t *testing.T) {
	dir := t.TempDir()
	if err := Save(filepath.Join(dir, "missing", "m.safetensors"), sampleFile()); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
	if err := Save(dir, sampleFile()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Save over a directory: err = %v", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("directory holds %v", names)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()

	missing := filepath.Join(dir, "nope.safetensors")
	if _, err := Load(missing); err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v", err)
	}

	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: err = %v", err)
	}

	// The error carries the path and the tensor, field and expectation.
	bad := filepath.Join(dir, "model.safetensors")
	header := `{"0.weight":{"dtype":"F32","shape":[4,5],"data_offsets":[0,96]}}`
	if err := os.WriteFile(bad, rawFile(header, make([]byte, 96)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(bad)
	want := "safetensors: " + bad + `: tensor "0.weight": data_offsets [0 96] hold 96 bytes, but F32 [4 5] needs 80`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Path != bad {
		t.Errorf("err is not a *FormatError with the path: %#v", err)
	}
}

func TestLoadTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.safetensors")
	fd, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: its size is over the limit, but it takes no disk
	// space, and Load must reject it without reading.
	if err := fd.Truncate(MaxFileSize + 1); err != nil {
		fd.Close()
		t.Skipf("cannot make a sparse file here: %v", err)
	}
	fd.Close()
	_, err = Load(path)
	if err == nil || !strings.Contains(err.Error(), "over the 4294967296-byte limit") || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v", err)
	}
}

// TestInt64RoundTrip checks that integer buffers such as BatchNorm's
// num_batches_tracked are written as I64, ahead of the F32 tensors as the
// reference writer orders them, and read back with their values.
func TestInt64RoundTrip(t *testing.T) {
	f := &File{
		Tensors: map[string]*tensor.Tensor{
			"1.num_batches_tracked": tensor.Scalar(12345),
			"1.running_mean":        tensor.FromSlice([]float32{0.5, -1}, 2),
		},
		Int64: map[string]bool{"1.num_batches_tracked": true},
	}
	var buf bytes.Buffer
	if err := Encode(&buf, f); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	if !bytes.Contains(raw, []byte(`"1.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]}`)) {
		t.Errorf("header %q: want num_batches_tracked as I64 at offset 0", raw[8:])
	}
	g, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Tensors["1.num_batches_tracked"].Item(); got != 12345 || !g.Int64["1.num_batches_tracked"] {
		t.Errorf("num_batches_tracked: got %v (I64 %v), want 12345 (I64 true)", got, g.Int64["1.num_batches_tracked"])
	}
	if g.Int64["1.running_mean"] || g.Tensors["1.running_mean"].At(1) != -1 {
		t.Errorf("running_mean: got %v, I64 %v", g.Tensors["1.running_mean"], g.Int64["1.running_mean"])
	}
}

// TestInt8RoundTrip checks that int8 weights are written as I8, one byte
// each after the wider dtypes, read back exactly, and that a value I8
// cannot hold is refused before anything is written.
func TestInt8RoundTrip(t *testing.T) {
	f := &File{
		Tensors: map[string]*tensor.Tensor{
			"0.weight":       tensor.New([]float32{-128, -1, 0, 1, 127, 5}, 2, 3),
			"0.weight_scale": tensor.New([]float32{0.5, 0.25}, 2),
		},
		Int8: map[string]bool{"0.weight": true},
	}
	var b bytes.Buffer
	if err := Encode(&b, f); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	n := binary.LittleEndian.Uint64(raw)
	header := string(raw[8 : 8+n])
	if !strings.Contains(header, `"0.weight":{"dtype":"I8","shape":[2,3],"data_offsets":[8,14]}`) {
		t.Errorf("header %s: want 0.weight as I8 after the 8 bytes of F32", header)
	}
	if got, want := raw[8+n+8:], []byte{0x80, 0xff, 0, 1, 0x7f, 5}; !bytes.Equal(got, want) {
		t.Errorf("I8 bytes % x, want % x", got, want)
	}
	g, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Int8["0.weight"] || g.Int8["0.weight_scale"] || !slices.Equal(g.Tensors["0.weight"].Data(), f.Tensors["0.weight"].Data()) {
		t.Errorf("decoded %v (I8 %v), want %v", g.Tensors["0.weight"].Data(), g.Int8, f.Tensors["0.weight"].Data())
	}
	for _, bad := range []float32{128, -129, 0.5, float32(math.NaN())} {
		f.Tensors["0.weight"].Data()[2] = bad
		b.Reset()
		err := Encode(&b, f)
		if err == nil || b.Len() != 0 || !strings.Contains(err.Error(), "I8 cannot hold") {
			t.Errorf("value %v: got error %v and %d bytes, want a refusal and no output", bad, err, b.Len())
		}
	}
}
