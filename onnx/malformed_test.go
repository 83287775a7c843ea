package onnx_test

import (
	"bytes"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/bigfunc/bigfunc/onnx"
	pb "github.com/bigfunc/bigfunc/onnx/internal/onnxpb"
)

// exported returns a small exported model as a protobuf message to
// break in various ways.
func exported(t *testing.T) *pb.ModelProto {
	t.Helper()
	m := fromArch(t, []int{4}, "[{linear: 3}, relu, {linear: 2}]", 1)
	var buf bytes.Buffer
	if err := onnx.Export(&buf, m, onnx.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	var mp pb.ModelProto
	if err := proto.Unmarshal(buf.Bytes(), &mp); err != nil {
		t.Fatal(err)
	}
	return &mp
}

func TestImportMalformed(t *testing.T) {
	marshal := func(mp *pb.ModelProto) []byte {
		b, err := proto.Marshal(mp)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := marshal(exported(t))
	cases := []struct {
		name  string
		bytes func() []byte
		want  string
	}{
		{"empty", func() []byte { return nil }, "empty file"},
		{"truncated", func() []byte { return good[:len(good)/2] }, "truncated or malformed protobuf"},
		{"not protobuf", func() []byte { return []byte("name: linear\nlayers: 3\n") }, "malformed protobuf"},
		{"huge dims", func() []byte {
			mp := exported(t)
			mp.Graph.Initializer[0].Dims = []int64{1 << 30, 1 << 30}
			return marshal(mp)
		}, "needs"},
		{"overflowing dims", func() []byte {
			mp := exported(t)
			mp.Graph.Initializer[0].Dims = []int64{1 << 62, 1 << 62, 4}
			return marshal(mp)
		}, "dimension"},
		{"negative dim", func() []byte {
			mp := exported(t)
			mp.Graph.Initializer[0].Dims = []int64{-3, 4}
			return marshal(mp)
		}, "dimension 0 is -3"},
		{"missing initializer", func() []byte {
			mp := exported(t)
			mp.Graph.Initializer = mp.Graph.Initializer[1:]
			return marshal(mp)
		}, `input "0.weight" is not defined`},
		{"external data", func() []byte {
			mp := exported(t)
			w := mp.Graph.Initializer[0]
			w.RawData = nil
			w.DataLocation = pb.TensorProto_EXTERNAL
			w.ExternalData = []*pb.StringStringEntryProto{{Key: "location", Value: "../../etc/passwd"}}
			return marshal(mp)
		}, "external data"},
		{"cycle", func() []byte {
			mp := exported(t)
			// The first Gemm reads the last node's output.
			mp.Graph.Node[0].Input[0] = mp.Graph.Node[len(mp.Graph.Node)-1].Output[0]
			mp.Graph.Output[0].Name = mp.Graph.Node[1].Output[0]
			return marshal(mp)
		}, "cycle"},
		{"unsupported op", func() []byte {
			mp := exported(t)
			mp.Graph.Node[1].OpType = "Einsum"
			return marshal(mp)
		}, `unsupported op Einsum (node "1/Relu") at opset 17`},
		{"custom domain", func() []byte {
			mp := exported(t)
			mp.Graph.Node[1].Domain = "com.example"
			return marshal(mp)
		}, "unsupported op com.example.Relu"},
		{"old opset", func() []byte {
			mp := exported(t)
			mp.OpsetImport[0].Version = 9
			return marshal(mp)
		}, "opset 9 is not supported"},
		{"no graph", func() []byte {
			mp := exported(t)
			mp.Graph = nil
			return marshal(mp)
		}, "no graph"},
		{"huge input", func() []byte {
			mp := exported(t)
			mp.Graph.Input[0].Type.GetTensorType().Shape.Dim[1].Value = &pb.TensorShapeProto_Dimension_DimValue{DimValue: 1 << 40}
			return marshal(mp)
		}, "must be a fixed size"},
		{"wrong weight shape", func() []byte {
			mp := exported(t)
			w := mp.Graph.Initializer[0]
			w.Dims = []int64{4, 3}
			return marshal(mp)
		}, "weights for 3 inputs"},
		{"value defined twice", func() []byte {
			mp := exported(t)
			mp.Graph.Node[1].Output[0] = mp.Graph.Node[0].Output[0]
			return marshal(mp)
		}, "computed by two nodes"},
		{"dangling output", func() []byte {
			mp := exported(t)
			mp.Graph.Output[0].Name = "nowhere"
			return marshal(mp)
		}, `no node computes the graph output "nowhere"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := onnx.Import(bytes.NewReader(c.bytes()))
			if err == nil {
				t.Fatalf("imported a model (%d layers), want an error containing %q", len(m.Net.Layers), c.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "onnx: import: ") {
				t.Fatalf("error %q, want one line containing %q", msg, c.want)
			}
		})
	}
}
