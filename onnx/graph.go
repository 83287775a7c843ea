package onnx

import (
	"encoding/binary"
	"math"
	"strconv"

	pb "github.com/bigfunc/bigfunc/onnx/internal/onnxpb"
)

// graph collects the nodes and initializers of an ONNX graph under
// construction. Value names are unique: fresh appends a counter when a
// name is taken.
type graph struct {
	opset int
	nodes []*pb.NodeProto
	inits []*pb.TensorProto
	taken map[string]bool
	// int64s holds the values of type int64 (a token model's input).
	int64s map[string]bool
}

func newGraph(opset int) *graph {
	return &graph{opset: opset, taken: map[string]bool{}, int64s: map[string]bool{}}
}

// fresh returns base, or base_k for the first k that is free, and marks it
// taken.
func (g *graph) fresh(base string) string {
	name := base
	for k := 1; g.taken[name]; k++ {
		name = base + "_" + strconv.Itoa(k)
	}
	g.taken[name] = true
	return name
}

// node appends a node of op with a single fresh output named after prefix
// and op, and returns that output.
func (g *graph) node(prefix, doc, op string, inputs []string, attrs ...*pb.AttributeProto) string {
	out := g.fresh(prefix + "/" + op)
	g.nodes = append(g.nodes, &pb.NodeProto{
		Name: out, OpType: op, Input: inputs, Output: []string{out}, Attribute: attrs, DocString: doc,
	})
	return out
}

// floats adds a float32 initializer and returns its name.
func (g *graph) floats(name string, shape []int, data []float32) string {
	name = g.fresh(name)
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	g.inits = append(g.inits, &pb.TensorProto{
		Name: name, Dims: dims64(shape), DataType: int32(pb.TensorProto_FLOAT), RawData: raw,
	})
	return name
}

// ints adds a 1-D int64 initializer and returns its name.
func (g *graph) ints(name string, vals ...int64) string {
	name = g.fresh(name)
	raw := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	g.inits = append(g.inits, &pb.TensorProto{
		Name: name, Dims: []int64{int64(len(vals))}, DataType: int32(pb.TensorProto_INT64), RawData: raw,
	})
	return name
}

// int64Scalar adds an int64 scalar initializer.
func (g *graph) int64Scalar(name string, v int64) string {
	name = g.fresh(name)
	raw := make([]byte, 8)
	binary.LittleEndian.PutUint64(raw, uint64(v))
	g.inits = append(g.inits, &pb.TensorProto{Name: name, DataType: int32(pb.TensorProto_INT64), RawData: raw})
	return name
}

// scalar adds a float32 scalar initializer.
func (g *graph) scalar(name string, v float32) string { return g.floats(name, nil, []float32{v}) }

// rename replaces the value name old by new wherever it appears.
func (g *graph) rename(old, new string) {
	for _, n := range g.nodes {
		for i, s := range n.Output {
			if s == old {
				n.Output[i] = new
			}
		}
		for i, s := range n.Input {
			if s == old {
				n.Input[i] = new
			}
		}
	}
	g.taken[new] = true
}

func dims64(shape []int) []int64 {
	d := make([]int64, len(shape))
	for i, v := range shape {
		d[i] = int64(v)
	}
	return d
}

func attrInt(name string, v int) *pb.AttributeProto {
	return &pb.AttributeProto{Name: name, Type: pb.AttributeProto_INT, I: int64(v)}
}

func attrInts(name string, v ...int) *pb.AttributeProto {
	return &pb.AttributeProto{Name: name, Type: pb.AttributeProto_INTS, Ints: dims64(v)}
}

func attrFloat(name string, v float64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: name, Type: pb.AttributeProto_FLOAT, F: float32(v)}
}

func attrString(name, v string) *pb.AttributeProto {
	return &pb.AttributeProto{Name: name, Type: pb.AttributeProto_STRING, S: []byte(v)}
}

// valueInfo describes a tensor [batch, per…] with a symbolic batch
// dimension; a dimension of per that is seqDim is the symbolic sequence
// length "seq".
func valueInfo(name string, elem pb.TensorProto_DataType, per []int) *pb.ValueInfoProto {
	dims := []*pb.TensorShapeProto_Dimension{{Value: &pb.TensorShapeProto_Dimension_DimParam{DimParam: "batch"}}}
	for _, d := range per {
		if d == seqDim {
			dims = append(dims, &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimParam{DimParam: "seq"}})
			continue
		}
		dims = append(dims, &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}})
	}
	return &pb.ValueInfoProto{Name: name, Type: &pb.TypeProto{Value: &pb.TypeProto_TensorType{
		TensorType: &pb.TypeProto_Tensor{ElemType: int32(elem), Shape: &pb.TensorShapeProto{Dim: dims}},
	}}}
}
