package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/tensor"
)

// A state_dict in PyTorch's naming goes to a file and comes back.
func Example() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	// The weights of nn.Sequential(nn.Linear(2, 3)): weight is [out, in].
	err = safetensors.Save(path, &safetensors.File{
		Tensors: map[string]*tensor.Tensor{
			"0.weight": tensor.New([]float32{1, 2, 3, 4, 5, 6}, 3, 2),
			"0.bias":   tensor.New([]float32{0.5, 0, -0.5}, 3),
		},
		Metadata: map[string]string{"format": "pt"},
	})
	if err != nil {
		log.Fatal(err)
	}

	f, err := safetensors.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range f.Order {
		t := f.Tensors[name]
		fmt.Println(name, t.Shape(), t.Data())
	}
	fmt.Println(f.Metadata)
	// Output:
	// 0.bias [3] [0.5 0 -0.5]
	// 0.weight [3 2] [1 2 3 4 5 6]
	// map[format:pt]
}

// Encode writes the 8-byte header length, the JSON header padded with
// spaces, and the little-endian float32 data.
func ExampleEncode() {
	var buf bytes.Buffer
	err := safetensors.Encode(&buf, &safetensors.File{
		Tensors: map[string]*tensor.Tensor{"0.bias": tensor.New([]float32{1, 2}, 2)},
	})
	if err != nil {
		log.Fatal(err)
	}
	b := buf.Bytes()
	n := binary.LittleEndian.Uint64(b)
	fmt.Println(n)
	fmt.Printf("%q\n", b[8:8+n])
	fmt.Printf("% x\n", b[8+n:])
	// Output:
	// 64
	// "{\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}     "
	// 00 00 80 3f 00 00 00 40
}

// Decode reads a file from memory. Half-precision tensors are converted to
// float32.
func ExampleDecode() {
	header := `{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]}}  `
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	b = append(b, 0x00, 0x3c, 0x00, 0xc0, 0x55, 0x35) // 1, -2, 0.333 as F16

	f, err := safetensors.Decode(b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Tensors["h"].Data())
	// Output:
	// [1 -2 0.33325195]
}

// Malformed input gives an error that names the tensor, the field and what
// was expected.
func ExampleDecode_error() {
	header := `{"0.weight":{"dtype":"F32","shape":[4,5],"data_offsets":[0,96]}}`
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	b = append(b, make([]byte, 96)...)

	_, err := safetensors.Decode(b)
	fmt.Println(err)
	// Output:
	// safetensors: tensor "0.weight": data_offsets [0 96] hold 96 bytes, but F32 [4 5] needs 80
}
