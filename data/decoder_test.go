package data

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/bigfunc/bigfunc/tensor"
)

func TestDecoder(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		kind    string
		classes []string
		out     *tensor.Tensor
		want    []string
		indices []int
	}{
		{"identity", nil, tensor.FromSlice([]float32{1.5, -0.1, 3}, 3, 1), []string{"1.5", "-0.1", "3"}, nil},
		{"identity", nil, tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2), []string{"1 2", "3 4"}, nil},
		{"identity", nil, tensor.FromSlice([]float32{0.25, 7}, 2), []string{"0.25", "7"}, nil},
		{"identity", nil, tensor.Scalar(2), []string{"2"}, nil},
		{"argmax", nil, tensor.FromSlice([]float32{0.1, 0.7, 0.2, 5, -1, 5}, 2, 3), []string{"1", "0"}, []int{1, 0}},
		{"argmax", []string{"cat", "dog", "emu"}, tensor.FromSlice([]float32{0.1, 0.7, 0.2, 0, 0, 9}, 2, 3), []string{"dog", "emu"}, []int{1, 2}},
		{"argmax", []string{"cat"}, tensor.FromSlice([]float32{0, 1}, 1, 2), []string{"1"}, []int{1}},
		{"argmax", nil, tensor.FromSlice([]float32{nan, 1, nan}, 1, 3), []string{"1"}, []int{1}},
		{"argmax", nil, tensor.Zeros(2, 0), []string{"", ""}, []int{-1, -1}},
		{"threshold", nil, tensor.FromSlice([]float32{0.5, 0.49, 0.99, 0}, 4, 1), []string{"1", "0", "1", "0"}, []int{1, 0, 1, 0}},
		{"threshold", []string{"no", "yes"}, tensor.FromSlice([]float32{0.7, 0.2}, 2), []string{"yes", "no"}, []int{1, 0}},
		{"sigmoid", []string{"no", "yes"}, tensor.FromSlice([]float32{0, -0.01, 3, -3}, 4, 1), []string{"yes", "no", "yes", "no"}, []int{1, 0, 1, 0}},
		{"sigmoid", nil, tensor.FromSlice([]float32{1, -1, -1, 1}, 2, 2), []string{"1 0", "0 1"}, []int{1, 0, 0, 1}},
		{"argmax", nil, tensor.Zeros(0, 3), []string{}, []int{}},
		{"threshold", nil, tensor.Zeros(0, 1), []string{}, []int{}},
	}
	for _, tt := range tests {
		d, err := NewDecoder(tt.kind, tt.classes)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Decode(tt.out); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %v: Decode(%v) = %q, want %q", tt.kind, tt.classes, tt.out, got, tt.want)
		}
		if got := d.Indices(tt.out); !reflect.DeepEqual(got, tt.indices) {
			t.Errorf("%s %v: Indices(%v) = %v, want %v", tt.kind, tt.classes, tt.out, got, tt.indices)
		}
	}
	var d Decoder // the zero Decoder reads values as they are
	if got := d.Decode(nil); len(got) != 0 {
		t.Errorf("Decode(nil) = %q", got)
	}
}

func TestDecoderErrorsAndJSON(t *testing.T) {
	_, err := NewDecoder("softmax", nil)
	if want := `data: unknown decoder "softmax"; allowed: identity, argmax, threshold, sigmoid`; err == nil || err.Error() != want {
		t.Errorf("NewDecoder error = %v, want %s", err, want)
	}
	d, _ := NewDecoder("argmax", []string{"a", "b"})
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"kind":"argmax","classes":["a","b"]}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
	var r Decoder
	if err := json.Unmarshal(b, &r); err != nil || !reflect.DeepEqual(&r, d) {
		t.Errorf("round trip = %+v, %v", r, err)
	}
	if err := json.Unmarshal([]byte(`{"kind":"max"}`), &r); err == nil || err.Error() != `data: unknown decoder "max"; allowed: identity, argmax, threshold, sigmoid` {
		t.Errorf("Unmarshal of an unknown kind: %v", err)
	}
}

func TestOneHot(t *testing.T) {
	got, err := OneHot([]int{2, 0, 1}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 0, 1, 1, 0, 0, 0, 1, 0}; !reflect.DeepEqual(got.Data(), want) || !reflect.DeepEqual(got.Shape(), []int{3, 3}) {
		t.Errorf("OneHot = %v", got)
	}
	byName, err := OneHotNames([]string{"dog", "cat"}, []string{"cat", "dog"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 1, 1, 0}; !reflect.DeepEqual(byName.Data(), want) {
		t.Errorf("OneHotNames = %v", byName)
	}
	dst := tensor.Full(9, 2, 3)
	if allocs := testing.AllocsPerRun(100, func() { OneHotInto(dst, []int{1, 2}) }); allocs != 0 {
		t.Errorf("OneHotInto allocates %v times", allocs)
	}
	if want := []float32{0, 1, 0, 0, 0, 1}; !reflect.DeepEqual(dst.Data(), want) {
		t.Errorf("OneHotInto = %v", dst)
	}

	for _, tt := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := OneHot([]int{0, 3}, 3); return err }(), "data: one-hot: row 1: label 3 is not a class index (3 classes)"},
		{func() error { _, err := OneHot([]int{-1}, 3); return err }(), "data: one-hot: row 0: label -1 is not a class index (3 classes)"},
		{func() error { _, err := OneHot(nil, 0); return err }(), "data: one-hot with 0 classes, want at least 1"},
		{OneHotInto(tensor.Zeros(3, 2), []int{0}), "data: one-hot into shape [3 2], want [1, classes]"},
		{func() error { _, err := OneHotNames([]string{"emu"}, []string{"cat", "dog"}); return err }(), `data: one-hot: row 0: "emu" is not a class; allowed: cat, dog`},
		{func() error { _, err := OneHotNames(nil, []string{"cat", "cat"}); return err }(), `data: one-hot: class "cat" is listed twice`},
	} {
		if tt.err == nil {
			t.Errorf("no error, want %s", tt.want)
		} else if got := tt.err.Error(); got != tt.want {
			t.Errorf("error\n got %s\nwant %s", got, tt.want)
		}
	}
}
