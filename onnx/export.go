package onnx

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	pb "github.com/bigfunc/bigfunc/onnx/internal/onnxpb"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// Opsets supported for export and import. DefaultOpset is what Export
// writes unless told otherwise.
const (
	MinOpset     = 13
	MaxOpset     = 21
	DefaultOpset = 17
)

// The decoders Export can append to the graph.
const (
	// DecodeProba appends softmax probabilities (sigmoid for a single
	// logit decoded by sign).
	DecodeProba = "proba"
	// DecodeClass appends the predicted class index as int64: the argmax
	// of the outputs, or the threshold of a single output.
	DecodeClass = "class"
	// DecodeThreshold appends class 1 or 0 per output, as int64: output ≥
	// 0.5, or ≥ 0 when the model's decoder reads logits (sigmoid).
	DecodeThreshold = "threshold"
)

// ExportOptions say how Export writes a model.
type ExportOptions struct {
	// Opset is the ONNX opset version, MinOpset to MaxOpset; 0 means
	// DefaultOpset.
	Opset int
	// FoldScaler puts the model's fitted input scaler into the graph, so
	// that it takes raw features. Without it the graph takes scaled
	// inputs and the scaler travels in the metadata.
	FoldScaler bool
	// Decoder appends a decoder to the graph: "" (none: the network's
	// outputs), DecodeProba, DecodeClass or DecodeThreshold.
	Decoder string
	// ProducerVersion is written as the model's producer_version.
	ProducerVersion string
}

// Metadata keys Export writes into the model's metadata_props and Import
// reads back.
const (
	metaLoss     = "bigfunc.loss"
	metaScaler   = "bigfunc.scaler"
	metaDecoder  = "bigfunc.decoder"
	metaFeatures = "bigfunc.features"
	metaTargets  = "bigfunc.targets"
	// metaInputShape is the per-sample input shape of a token model,
	// whose graph leaves the sequence length free.
	metaInputShape = "bigfunc.input_shape"
	metaVocab      = "bigfunc.vocab"
	docPrefix      = "bigfunc layer: "
)

// irVersion returns the IR version that goes with opset, the oldest that
// allows it, so older runtimes read the file.
func irVersion(opset int) int64 {
	switch {
	case opset <= 14:
		return 7
	case opset <= 18:
		return 8
	case opset <= 20:
		return 9
	}
	return 10
}

// Export writes m as an ONNX model to w. The graph takes one input,
// "input" of shape [batch, InputShape…] with a symbolic batch dimension,
// and has one output: "output" (the network's outputs), or "probabilities"
// or "class" with a decoder. Every layer becomes the standard ONNX op that
// computes it at the opset, or an exact composition of standard ops where
// there is none; each node names its layer in doc_string so that Import
// recovers the layer and its options exactly.
//
// Export reads the network only through the layer protocol: Describe,
// OutShape, and the parameters and buffers under their state_dict names,
// which are also the initializers' names.
func Export(w io.Writer, m *train.Model, opts ExportOptions) error {
	mp, err := build(m, opts)
	if err != nil {
		return err
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(mp)
	if err != nil {
		return fmt.Errorf("onnx: export: %v", err)
	}
	_, err = w.Write(b)
	return err
}

// ExportFile writes m to path atomically: a temporary file beside it,
// synced, then renamed over path.
func ExportFile(path string, m *train.Model, opts ExportOptions) error {
	return writeAtomic(path, func(w io.Writer) error { return Export(w, m, opts) })
}

func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// names maps the network's parameters and buffers to their full
// state_dict names, so that a layer inside a composite finds the names
// its owner gives its tensors.
type names struct {
	params map[*autograd.Var]string
	bufs   map[*tensor.Tensor]string
}

func build(m *train.Model, opts ExportOptions) (*pb.ModelProto, error) {
	opset := opts.Opset
	if opset == 0 {
		opset = DefaultOpset
	}
	if opset < MinOpset || opset > MaxOpset {
		return nil, fmt.Errorf("onnx: export: opset %d is not supported; want %d to %d", opset, MinOpset, MaxOpset)
	}
	if m == nil || m.Net == nil {
		return nil, fmt.Errorf("onnx: export: no model")
	}
	g := newGraph(opset)
	g.taken["input"] = true
	nm := names{params: map[*autograd.Var]string{}, bufs: map[*tensor.Tensor]string{}}
	for _, p := range m.Net.Params() {
		nm.params[p.Var] = p.Name
	}
	for _, b := range m.Net.Buffers() {
		nm.bufs[b.Value] = b.Name
	}

	x, in := "input", m.InputShape
	meta := map[string]string{}
	inType, inShape := pb.TensorProto_FLOAT, m.InputShape
	tokens := isTokenModel(m)
	if tokens {
		// Token ids are int64, as every runtime and tokenizer hands
		// them over; the length is free where every layer allows it.
		inType = pb.TensorProto_INT64
		g.int64s[x] = true
		if seqFree(m.Net.Layers) {
			inShape = []int{seqDim}
		}
		js, _ := json.Marshal(m.InputShape)
		meta[metaInputShape] = string(js)
		if m.Vocab != nil {
			js, err := json.Marshal(m.Vocab)
			if err != nil {
				return nil, fmt.Errorf("onnx: export: vocabulary: %v", err)
			}
			meta[metaVocab] = string(js)
		}
		if m.Scaler != nil && opts.FoldScaler && m.Scaler.Kind() != data.ScaleNone {
			return nil, fmt.Errorf("onnx: export: a token model's ids cannot go through a scaler")
		}
	}
	if m.Scaler != nil {
		js, err := json.Marshal(m.Scaler)
		if err != nil {
			return nil, fmt.Errorf("onnx: export: scaler: %v", err)
		}
		if opts.FoldScaler {
			if x, err = emitScaler(g, x, in, js); err != nil {
				return nil, err
			}
		} else {
			meta[metaScaler] = string(js)
		}
	}
	x, out, err := emitLayers(g, m.Net.Layers, "", x, in, nm)
	if err != nil {
		return nil, err
	}

	outName, outType, outShape := "output", pb.TensorProto_FLOAT, out
	if inShape[0] == seqDim && len(out) > 0 && out[0] == m.InputShape[0] {
		outShape = append([]int{seqDim}, out[1:]...)
	}
	if opts.Decoder != "" {
		if x, outName, outType, outShape, err = emitDecoder(g, x, out, m, opts.Decoder); err != nil {
			return nil, err
		}
	}
	if x == "input" {
		x = g.node("output", "", "Identity", []string{x})
	}
	g.rename(x, outName)

	if m.Decoder != nil {
		js, _ := json.Marshal(m.Decoder)
		meta[metaDecoder] = string(js)
	}
	if m.LossName != "" {
		js, err := json.Marshal(map[string]any{"name": m.LossName, "params": m.LossParams})
		if err == nil {
			meta[metaLoss] = string(js)
		}
	}
	if len(m.FeatureNames) > 0 {
		meta[metaFeatures] = strings.Join(m.FeatureNames, "\n")
	}
	if len(m.TargetNames) > 0 {
		meta[metaTargets] = strings.Join(m.TargetNames, "\n")
	}
	var props []*pb.StringStringEntryProto
	for _, k := range []string{metaLoss, metaScaler, metaDecoder, metaFeatures, metaTargets, metaInputShape, metaVocab} {
		if v, ok := meta[k]; ok {
			props = append(props, &pb.StringStringEntryProto{Key: k, Value: v})
		}
	}

	graphProto := &pb.GraphProto{
		Name:        "bigfunc",
		Node:        g.nodes,
		Initializer: g.inits,
		Input:       []*pb.ValueInfoProto{valueInfo("input", inType, inShape)},
		Output:      []*pb.ValueInfoProto{valueInfo(outName, outType, outShape)},
	}
	return &pb.ModelProto{
		IrVersion:       irVersion(opset),
		OpsetImport:     []*pb.OperatorSetIdProto{{Domain: "", Version: int64(opset)}},
		ProducerName:    "bigfunc",
		ProducerVersion: opts.ProducerVersion,
		Graph:           graphProto,
		MetadataProps:   props,
	}, nil
}

// seqDim marks the free sequence dimension of a token model's graph.
const seqDim = -1

// isTokenModel reports whether m takes token ids [T]: its network starts
// with an embedding.
func isTokenModel(m *train.Model) bool {
	return len(m.InputShape) == 1 && len(m.Net.Layers) > 0 && m.Net.Layers[0].Describe().Op == "embedding"
}

// seqFree reports whether every layer computes each position the same
// way whatever the sequence's length, so the graph can leave it free:
// the sequence layers, linear maps, layer norms over the last dimension,
// dropout and the activations without parameters.
func seqFree(layers []nn.Layer) bool {
	for _, l := range layers {
		d := l.Describe()
		switch d.Op {
		case "embedding", "positional", "multihead_attention", "transformer_encoder_layer", "linear", "kan_linear", "dropout", "identity":
			continue
		case "layer_norm":
			if s, ok := d.Config["normalized_shape"]; ok && s != nil {
				if v, ok := s.([]int); !ok || len(v) != 1 {
					return false
				}
			}
			continue
		case "sequential", "residual":
			for _, b := range d.Blocks {
				if !seqFree(b.Layers) {
					return false
				}
			}
			continue
		}
		if !slices.Contains(activation.Names(), d.Op) || len(nn.ParamsOf(l)) > 0 || d.Op == "softmax" || d.Op == "log_softmax" {
			return false
		}
	}
	return true
}

// emitLayers appends layers in order to g, starting from the value x of
// per-sample shape in, and returns the last value and its shape. path is
// the position of the list in the network ("" at the top, "2.body" in a
// residual block), which names the nodes.
func emitLayers(g *graph, layers []nn.Layer, path string, x string, in []int, nm names) (string, []int, error) {
	for i, l := range layers {
		name := strconv.Itoa(i)
		if path != "" {
			name = path + "." + name
		}
		var err error
		if x, in, err = emitLayer(g, l, name, x, in, nm); err != nil {
			return "", nil, err
		}
	}
	return x, in, nil
}

func emitLayer(g *graph, l nn.Layer, name, x string, in []int, nm names) (string, []int, error) {
	d := l.Describe()
	out, err := l.OutShape(in)
	if err != nil {
		return "", nil, fmt.Errorf("onnx: export: layer %s (%s): %v", name, d.Op, err)
	}
	doc, err := describeDoc(l)
	if err != nil {
		return "", nil, fmt.Errorf("onnx: export: layer %s (%s): %v", name, d.Op, err)
	}
	c := &layerCtx{g: g, name: name, doc: doc, desc: d, in: in, out: out,
		params: map[string]ref{}, bufs: map[string]ref{}}
	for _, p := range nn.ParamsOf(l) {
		full, ok := nm.params[p.Var]
		if !ok {
			full = name + "." + p.Name
		}
		c.params[p.Name] = ref{full, p.Value}
	}
	for _, b := range nn.BuffersOf(l) {
		full, ok := nm.bufs[b.Value]
		if !ok {
			full = name + "." + b.Name
		}
		c.bufs[b.Name] = ref{full, b.Value}
	}
	var y string
	switch {
	case len(d.Blocks) > 0:
		y, err = emitComposite(c, x, nm)
	default:
		emit, ok := emitters[d.Op]
		if !ok {
			return "", nil, fmt.Errorf("onnx: export: layer %s: no ONNX form for op %q", name, d.Op)
		}
		y, err = emit(c, x)
	}
	if err != nil {
		return "", nil, fmt.Errorf("onnx: export: layer %s (%s): %v", name, d.Op, err)
	}
	return y, out, nil
}

// describeDoc returns the doc_string of a layer's nodes: the layer as a
// one-item spec architecture list in JSON, without its blocks.
func describeDoc(l nn.Layer) (string, error) {
	d := l.Describe()
	d.Blocks = nil
	item := nn.Architecture([]nn.Layer{described(d)})[0]
	b, err := json.Marshal(item)
	if err != nil {
		return "", err
	}
	return docPrefix + string(b), nil
}

// described is a stand-in layer that only describes itself, so that
// nn.Architecture can format a Desc.
type described nn.Desc

func (d described) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return x }
func (d described) Describe() nn.Desc                                { return nn.Desc(d) }
func (d described) OutShape(in []int) ([]int, error)                 { return in, nil }

// emitComposite writes a layer with blocks: a residual block (output =
// shortcut(x) + body(x)) or a nested sequence.
func emitComposite(c *layerCtx, x string, nm names) (string, error) {
	switch c.desc.Op {
	case "sequential":
		if len(c.desc.Blocks) != 1 {
			return "", fmt.Errorf("want one block of layers, got %d", len(c.desc.Blocks))
		}
		y, _, err := emitLayers(c.g, c.desc.Blocks[0].Layers, c.name, x, c.in, nm)
		return y, err
	case "residual":
		var body, shortcut []nn.Layer
		hasShortcut := false
		for _, b := range c.desc.Blocks {
			switch b.Name {
			case "body":
				body = b.Layers
			case "shortcut":
				shortcut, hasShortcut = b.Layers, true
			default:
				return "", fmt.Errorf("unknown block %q", b.Name)
			}
		}
		// The shortcut first, as the Add's first input: Import reads the
		// operands in this order.
		s := x
		if hasShortcut {
			var err error
			if s, _, err = emitLayers(c.g, shortcut, c.name+".shortcut", x, c.in, nm); err != nil {
				return "", err
			}
		}
		f, _, err := emitLayers(c.g, body, c.name+".body", x, c.in, nm)
		if err != nil {
			return "", err
		}
		return c.op("Add", s, f), nil
	}
	return "", fmt.Errorf("no ONNX form for a %q block", c.desc.Op)
}

// ref is a tensor and its initializer name.
type ref struct {
	name string
	t    *tensor.Tensor
}

// layerCtx is what an emitter sees of one layer: its description, shapes,
// tensors, and the graph to add nodes to.
type layerCtx struct {
	g       *graph
	name    string // the layer's position, which prefixes its node names
	doc     string
	desc    nn.Desc
	in, out []int // per-sample shapes
	params  map[string]ref
	bufs    map[string]ref
}

// op adds a node of the layer.
func (c *layerCtx) op(op string, inputs ...string) string {
	return c.g.node(c.name, c.doc, op, inputs)
}

// opA adds a node with attributes.
func (c *layerCtx) opA(op string, inputs []string, attrs ...*pb.AttributeProto) string {
	return c.g.node(c.name, c.doc, op, inputs, attrs...)
}

// has reports whether the layer has the parameter name.
func (c *layerCtx) has(name string) bool { _, ok := c.params[name]; return ok }

// param adds the parameter name as an initializer, reshaped to shape if
// one is given (same elements, same order).
func (c *layerCtx) param(name string, shape ...int) (string, error) {
	r, ok := c.params[name]
	if !ok {
		return "", fmt.Errorf("missing parameter %q", name)
	}
	return c.tensorInit(r, shape)
}

// buffer adds the buffer name as an initializer.
func (c *layerCtx) buffer(name string, shape ...int) (string, error) {
	r, ok := c.bufs[name]
	if !ok {
		return "", fmt.Errorf("missing buffer %q", name)
	}
	return c.tensorInit(r, shape)
}

func (c *layerCtx) tensorInit(r ref, shape []int) (string, error) {
	if shape == nil {
		shape = r.t.Shape()
	}
	if nn.Size(shape) != r.t.Len() {
		return "", fmt.Errorf("%s: cannot view %v as %v", r.name, r.t.Shape(), shape)
	}
	return c.g.floats(r.name, shape, r.t.Data()), nil
}

// konst adds a float32 constant of the layer.
func (c *layerCtx) konst(name string, shape []int, data ...float32) string {
	return c.g.floats(c.name+"/"+name, shape, data)
}

// scalar adds a float32 scalar constant of the layer.
func (c *layerCtx) scalar(name string, v float64) string {
	return c.g.scalar(c.name+"/"+name, float32(v))
}

// shapeConst adds an int64 constant of the layer.
func (c *layerCtx) shapeConst(name string, vals ...int) string {
	v := make([]int64, len(vals))
	for i, d := range vals {
		v[i] = int64(d)
	}
	return c.g.ints(c.name+"/"+name, v...)
}

// reduce adds a reduction over axes; opset 18 moved the axes from an
// attribute to an input.
func (c *layerCtx) reduce(op, x string, axes []int, keep bool) string {
	k := 0
	if keep {
		k = 1
	}
	if c.g.opset >= 18 {
		return c.opA(op, []string{x, c.shapeConst("axes", axes...)}, attrInt("keepdims", k))
	}
	return c.opA(op, []string{x}, attrInts("axes", axes...), attrInt("keepdims", k))
}

// emitScaler writes the fitted scaler: (x − offset)/scale per feature,
// with the scaler's own rule that a zero or non-finite scale is 1.
func emitScaler(g *graph, x string, in []int, js []byte) (string, error) {
	var s struct {
		Kind     string    `json:"kind"`
		Features *int      `json:"features"`
		Mean     []float32 `json:"mean"`
		Std      []float32 `json:"std"`
		Min      []float32 `json:"min"`
		Max      []float32 `json:"max"`
	}
	if err := json.Unmarshal(js, &s); err != nil {
		return "", fmt.Errorf("onnx: export: scaler: %v", err)
	}
	var offset, scale []float32
	switch s.Kind {
	case "none", "":
		return x, nil
	case "standardize":
		offset, scale = s.Mean, append([]float32(nil), s.Std...)
	case "minmax":
		offset = s.Min
		scale = make([]float32, len(s.Max))
		for i := range scale {
			if i < len(s.Min) {
				scale[i] = s.Max[i] - s.Min[i]
			}
		}
	default:
		return "", fmt.Errorf("onnx: export: scaler: unknown kind %q", s.Kind)
	}
	if len(offset) == 0 {
		return "", fmt.Errorf("onnx: export: scaler: not fitted")
	}
	if len(offset) != nn.Size(in) || len(scale) != len(offset) {
		return "", fmt.Errorf("onnx: export: scaler fitted on %d features, the network takes %d", len(offset), nn.Size(in))
	}
	for i, v := range scale {
		if v == 0 || isBad(v) {
			scale[i] = 1
		}
	}
	doc := docPrefix + `{"scaler":` + string(js) + `}`
	o := g.floats("scaler/offset", in, offset)
	sc := g.floats("scaler/scale", in, scale)
	y := g.node("scaler", doc, "Sub", []string{x, o})
	return g.node("scaler", doc, "Div", []string{y, sc}), nil
}

// emitDecoder appends the decoder kind to the network's output y of
// per-sample shape out.
func emitDecoder(g *graph, y string, out []int, m *train.Model, kind string) (string, string, pb.TensorProto_DataType, []int, error) {
	fail := func(format string, a ...any) (string, string, pb.TensorProto_DataType, []int, error) {
		return "", "", 0, nil, fmt.Errorf("onnx: export: decoder %s: "+format, append([]any{kind}, a...)...)
	}
	if len(out) != 1 {
		return fail("want a network with flat outputs [n], got %v", out)
	}
	logit := m.Decoder != nil && m.Decoder.Kind == "sigmoid"
	doc := docPrefix + `{"decoder":"` + kind + `"}`
	cut := func() string {
		c := 0.5
		if logit {
			c = 0
		}
		v := g.scalar("decoder/cut", float32(c))
		ge := g.node("decoder", doc, "GreaterOrEqual", []string{y, v})
		return g.node("decoder", doc, "Cast", []string{ge}, attrInt("to", int(pb.TensorProto_INT64)))
	}
	switch kind {
	case DecodeProba:
		switch {
		case out[0] > 1:
			return g.node("decoder", doc, "Softmax", []string{y}, attrInt("axis", -1)), "probabilities", pb.TensorProto_FLOAT, out, nil
		case logit:
			return g.node("decoder", doc, "Sigmoid", []string{y}), "probabilities", pb.TensorProto_FLOAT, out, nil
		}
		return fail("a single output that is not a logit is a probability already")
	case DecodeClass:
		if out[0] > 1 {
			return g.node("decoder", doc, "ArgMax", []string{y}, attrInt("axis", 1), attrInt("keepdims", 0)), "class", pb.TensorProto_INT64, nil, nil
		}
		return cut(), "class", pb.TensorProto_INT64, out, nil
	case DecodeThreshold:
		return cut(), "class", pb.TensorProto_INT64, out, nil
	}
	return fail("unknown decoder; want %s, %s or %s", DecodeProba, DecodeClass, DecodeThreshold)
}
