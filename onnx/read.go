package onnx

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"google.golang.org/protobuf/proto"

	pb "github.com/bigfunc/bigfunc/onnx/internal/onnxpb"
	"github.com/bigfunc/bigfunc/train"
)

// Limits on what Import accepts, so that a hostile file cannot make it
// allocate without bound: everything Import allocates is either
// proportional to the file's size or bounded by these.
const (
	// MaxFileSize is the largest file Import reads (2 GiB is also
	// protobuf's own limit).
	MaxFileSize = 2<<30 - 1
	maxNodes    = 1 << 16
	maxRank     = 8
	// maxInputSize bounds the per-sample input size a graph may declare.
	maxInputSize = 1 << 28
	maxDim       = 1 << 24
	maxFanOut    = 16
)

// constant is a decoded constant tensor: an initializer or the value of
// a Constant node. Exactly one of f and i is set.
type constant struct {
	dims []int
	f    []float32
	i    []int64
}

func (c *constant) size() int { return len(c.f) + len(c.i) }

// floats returns the constant as float32 values, or false if it is not
// a float tensor.
func (c *constant) floats() ([]float32, bool) { return c.f, c.i == nil }

// scalarF returns the single float value of c.
func (c *constant) scalarF() (float32, bool) {
	if c.i != nil || len(c.f) != 1 {
		return 0, false
	}
	return c.f[0], true
}

// ints returns the int64 values of c.
func (c *constant) ints() ([]int64, bool) { return c.i, c.f == nil }

// readModel reads and decodes an ONNX model, bounded by MaxFileSize.
func readModel(r io.Reader) (*pb.ModelProto, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileSize)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("empty file: not an ONNX model")
	}
	var m pb.ModelProto
	if err := (proto.UnmarshalOptions{RecursionLimit: 64}).Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("not an ONNX model: truncated or malformed protobuf (%v)", firstLine(err.Error()))
	}
	return &m, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// decodeTensor checks a TensorProto's shape against the data it holds,
// before allocating anything, and decodes float32 and int64 tensors.
func decodeTensor(t *pb.TensorProto) (*constant, error) {
	name := t.GetName()
	if t.GetDataLocation() == pb.TensorProto_EXTERNAL || len(t.GetExternalData()) > 0 {
		loc := ""
		for _, e := range t.GetExternalData() {
			if e.GetKey() == "location" {
				loc = e.GetValue()
			}
		}
		return nil, fmt.Errorf("tensor %q: external data (%q) is not supported: save the model with its weights inside", name, loc)
	}
	if len(t.GetDims()) > maxRank {
		return nil, fmt.Errorf("tensor %q: rank %d, at most %d supported", name, len(t.GetDims()), maxRank)
	}
	n := int64(1)
	dims := make([]int, len(t.GetDims()))
	for i, d := range t.GetDims() {
		if d < 0 || d > math.MaxInt32 {
			return nil, fmt.Errorf("tensor %q: dimension %d is %d", name, i, d)
		}
		dims[i] = int(d)
		if d != 0 && n > math.MaxInt64/d {
			return nil, fmt.Errorf("tensor %q: shape %v overflows", name, t.GetDims())
		}
		n *= d
	}
	raw := t.GetRawData()
	switch pb.TensorProto_DataType(t.GetDataType()) {
	case pb.TensorProto_FLOAT:
		have := int64(len(t.GetFloatData()))
		if raw != nil {
			have = int64(len(raw)) / 4
			if len(raw)%4 != 0 {
				return nil, fmt.Errorf("tensor %q: %d raw bytes is not a whole number of float32s", name, len(raw))
			}
		}
		if have != n {
			return nil, fmt.Errorf("tensor %q: shape %v needs %d values, the file holds %d", name, dims, n, have)
		}
		f := make([]float32, n)
		if raw != nil {
			for i := range f {
				f[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			}
		} else {
			copy(f, t.GetFloatData())
		}
		return &constant{dims: dims, f: f}, nil
	case pb.TensorProto_INT64:
		have := int64(len(t.GetInt64Data()))
		if raw != nil {
			have = int64(len(raw)) / 8
			if len(raw)%8 != 0 {
				return nil, fmt.Errorf("tensor %q: %d raw bytes is not a whole number of int64s", name, len(raw))
			}
		}
		if have != n {
			return nil, fmt.Errorf("tensor %q: shape %v needs %d values, the file holds %d", name, dims, n, have)
		}
		v := make([]int64, n)
		if raw != nil {
			for i := range v {
				v[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
			}
		} else {
			copy(v, t.GetInt64Data())
		}
		return &constant{dims: dims, i: v}, nil
	}
	return nil, fmt.Errorf("tensor %q: data type %s is not supported (want FLOAT or INT64)", name, pb.TensorProto_DataType(t.GetDataType()))
}

// constantNode decodes the value of a Constant node.
func constantNode(n *pb.NodeProto) (*constant, error) {
	if len(n.GetAttribute()) != 1 {
		return nil, fmt.Errorf("constant node %q: want one value attribute, got %d", n.GetName(), len(n.GetAttribute()))
	}
	a := n.GetAttribute()[0]
	switch a.GetName() {
	case "value":
		if a.GetT() == nil {
			return nil, fmt.Errorf("constant node %q: value holds no tensor", n.GetName())
		}
		return decodeTensor(a.GetT())
	case "value_float":
		return &constant{f: []float32{a.GetF()}}, nil
	case "value_floats":
		return &constant{dims: []int{len(a.GetFloats())}, f: append([]float32{}, a.GetFloats()...)}, nil
	case "value_int":
		return &constant{i: []int64{a.GetI()}}, nil
	case "value_ints":
		return &constant{dims: []int{len(a.GetInts())}, i: append([]int64{}, a.GetInts()...)}, nil
	}
	return nil, fmt.Errorf("constant node %q: attribute %q is not supported", n.GetName(), a.GetName())
}

// ImportFile reads the ONNX model at path; errors name the file.
func ImportFile(path string) (*train.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := Import(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
