package onnx

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	pb "github.com/bigfunc/bigfunc/onnx/internal/onnxpb"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// Import reads an ONNX model from r into a bigfunc model: a Sequential of
// nn and activation layers built from their registry names, with the
// graph's weights copied in. The model predicts, trains, saves and
// exports again like any other.
//
// It accepts graphs from a single float input [batch, …] (or int64
// token ids [batch, T] that an embedding reads) to a single output made
// of the operators the package documentation lists, as Export and
// PyTorch's torch.onnx.export write them at opsets 13 to 21.
// Errors are one line: an unsupported operator names itself, its node
// and the opset.
func Import(r io.Reader) (*train.Model, error) {
	mp, err := readModel(r)
	if err != nil {
		return nil, fmt.Errorf("onnx: import: %w", err)
	}
	m, err := importModel(mp)
	if err != nil {
		return nil, fmt.Errorf("onnx: import: %w", err)
	}
	return m, nil
}

// importer holds a graph being read: its nodes, constants, and which
// nodes the layers found so far have taken.
type importer struct {
	opset     int
	nodes     []*pb.NodeProto
	consts    map[string]*constant
	producer  map[string]int
	consumers map[string][]int
	used      []bool
	input     string
	output    string
	rng       *tensor.RNG
	scaler    *data.Scaler
	decoder   string // the decoder found at the end of the graph, if any
	cut       float32
	// budget bounds the pattern trials, which nested residual blocks
	// could otherwise multiply.
	budget int
	// folded maps a value computed on constants at reading to its node.
	folded map[string]int
	// constElems counts the values of every constant in the file.
	constElems int
	// tokens: the input is int64 token ids.
	tokens bool
	// byDoc indexes the nodes by their doc_string, for findExported.
	byDoc map[string][]int
}

func importModel(mp *pb.ModelProto) (*train.Model, error) {
	im := &importer{consts: map[string]*constant{}, producer: map[string]int{}, consumers: map[string][]int{}, rng: tensor.NewRNG(0), budget: 1 << 21,
		folded: map[string]int{}}
	for _, o := range mp.GetOpsetImport() {
		if o.GetDomain() == "" || o.GetDomain() == "ai.onnx" {
			im.opset = int(o.GetVersion())
		}
	}
	if im.opset == 0 {
		return nil, fmt.Errorf("the model imports no version of the standard ONNX opset")
	}
	if im.opset < MinOpset || im.opset > MaxOpset {
		return nil, fmt.Errorf("opset %d is not supported; want %d to %d", im.opset, MinOpset, MaxOpset)
	}
	g := mp.GetGraph()
	if g == nil {
		return nil, fmt.Errorf("the model has no graph")
	}
	if len(g.GetNode()) > maxNodes {
		return nil, fmt.Errorf("%d nodes, at most %d supported", len(g.GetNode()), maxNodes)
	}
	if len(g.GetSparseInitializer()) > 0 {
		return nil, fmt.Errorf("sparse initializer %q is not supported", g.GetSparseInitializer()[0].GetValues().GetName())
	}
	for _, t := range g.GetInitializer() {
		if t.GetName() == "" {
			return nil, fmt.Errorf("an initializer has no name")
		}
		if _, dup := im.consts[t.GetName()]; dup {
			return nil, fmt.Errorf("initializer %q is defined twice", t.GetName())
		}
		c, err := decodeTensor(t)
		if err != nil {
			return nil, fmt.Errorf("initializer %w", err)
		}
		im.consts[t.GetName()] = c
		im.constElems += c.size()
	}
	if err := im.readNodes(g); err != nil {
		return nil, err
	}
	meta := map[string]string{}
	for _, p := range mp.GetMetadataProps() {
		meta[p.GetKey()] = p.GetValue()
	}
	shape, err := im.readInput(g, meta[metaInputShape])
	if err != nil {
		return nil, err
	}
	if len(g.GetOutput()) != 1 {
		return nil, fmt.Errorf("the graph has %d outputs; want 1", len(g.GetOutput()))
	}
	im.output = g.GetOutput()[0].GetName()
	if _, ok := im.producer[im.output]; !ok {
		return nil, fmt.Errorf("no node computes the graph output %q", im.output)
	}

	layers, x, _, _, err := im.walk(im.input, shape, -1, false)
	if err != nil {
		return nil, err
	}
	if im.tokens && (len(layers) == 0 || layers[0].Describe().Op != "embedding") {
		return nil, fmt.Errorf("input %q holds int64 token ids, which only an embedding reads; the graph reads them otherwise", im.input)
	}
	if x != im.output {
		return nil, fmt.Errorf("the layers end at %q, not at the graph output %q", x, im.output)
	}
	return im.model(layers, shape, meta)
}

// readNodes indexes the nodes, decodes Constant nodes, checks that every
// input is defined, and rejects cycles.
func (im *importer) readNodes(g *pb.GraphProto) error {
	im.nodes = g.GetNode()
	im.used = make([]bool, len(im.nodes))
	for i, n := range im.nodes {
		if d := n.GetDomain(); d != "" && d != "ai.onnx" {
			return im.unsupported(i)
		}
		if len(n.GetOutput()) == 0 {
			return fmt.Errorf("node %q (%s) has no output", n.GetName(), n.GetOpType())
		}
		if n.GetOpType() == "Constant" {
			c, err := constantNode(n)
			if err != nil {
				return err
			}
			if _, dup := im.consts[n.GetOutput()[0]]; dup {
				return fmt.Errorf("value %q is defined twice", n.GetOutput()[0])
			}
			im.consts[n.GetOutput()[0]] = c
			im.constElems += c.size()
			im.used[i] = true
			continue
		}
		if c, ok, err := im.fold(n); err != nil {
			return fmt.Errorf("node %q (%s): %v", n.GetName(), n.GetOpType(), err)
		} else if ok {
			// Computed on constants only: a constant itself, as
			// PyTorch writes without constant folding.
			if _, dup := im.consts[n.GetOutput()[0]]; dup {
				return fmt.Errorf("value %q is defined twice", n.GetOutput()[0])
			}
			im.consts[n.GetOutput()[0]] = c
			im.constElems += c.size()
			im.folded[n.GetOutput()[0]] = i
			im.used[i] = true
			continue
		}
		for _, out := range n.GetOutput() {
			if out == "" {
				continue
			}
			if _, dup := im.producer[out]; dup {
				return fmt.Errorf("value %q is computed by two nodes", out)
			}
			if _, dup := im.consts[out]; dup {
				return fmt.Errorf("value %q is both a constant and computed by node %q", out, n.GetName())
			}
			im.producer[out] = i
		}
	}
	// Consumers, defined inputs, and the in-degrees for the cycle check.
	indeg := make([]int, len(im.nodes))
	for i, n := range im.nodes {
		if im.used[i] {
			continue
		}
		for _, in := range n.GetInput() {
			if in == "" {
				continue
			}
			if _, ok := im.consts[in]; ok {
				continue
			}
			if _, ok := im.producer[in]; ok {
				indeg[i]++
				im.consumers[in] = append(im.consumers[in], i)
				continue
			}
			if !im.isGraphInput(g, in) {
				return fmt.Errorf("node %q (%s): input %q is not defined: no initializer, constant, graph input or node gives it", n.GetName(), n.GetOpType(), in)
			}
			im.consumers[in] = append(im.consumers[in], i)
		}
	}
	// Kahn's algorithm: whatever is left is on a cycle.
	queue := []int{}
	for i := range im.nodes {
		if !im.used[i] && indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	seen := 0
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		seen++
		for _, out := range im.nodes[i].GetOutput() {
			for _, j := range im.consumers[out] {
				if indeg[j]--; indeg[j] == 0 {
					queue = append(queue, j)
				}
			}
		}
	}
	live := 0
	for i := range im.nodes {
		if !im.used[i] {
			live++
		}
	}
	if seen != live {
		for i, d := range indeg {
			if d > 0 && !im.used[i] {
				return fmt.Errorf("the graph has a cycle through node %q (%s)", im.nodes[i].GetName(), im.nodes[i].GetOpType())
			}
		}
	}
	return nil
}

func (im *importer) isGraphInput(g *pb.GraphProto, name string) bool {
	for _, in := range g.GetInput() {
		if in.GetName() == name {
			return true
		}
	}
	return false
}

// readInput finds the one graph input that is not an initializer and
// returns its per-sample shape: a float tensor [batch, …], or int64 token
// ids [batch, T]. A free dimension takes its size from declared, the
// input shape Export writes into the metadata.
func (im *importer) readInput(g *pb.GraphProto, declared string) ([]int, error) {
	var vi *pb.ValueInfoProto
	for _, in := range g.GetInput() {
		if _, isConst := im.consts[in.GetName()]; isConst {
			continue
		}
		if vi != nil {
			return nil, fmt.Errorf("the graph has more than one input (%q, %q); want 1", vi.GetName(), in.GetName())
		}
		vi = in
	}
	if vi == nil {
		return nil, fmt.Errorf("the graph has no input")
	}
	im.input = vi.GetName()
	tt := vi.GetType().GetTensorType()
	if tt == nil || (tt.GetElemType() != int32(pb.TensorProto_FLOAT) && tt.GetElemType() != int32(pb.TensorProto_INT64)) {
		return nil, fmt.Errorf("input %q: want a float32 tensor, or int64 token ids", vi.GetName())
	}
	dims := tt.GetShape().GetDim()
	if len(dims) < 2 || len(dims) > maxRank {
		return nil, fmt.Errorf("input %q: want a shape [batch, …] of rank 2 to %d, got rank %d", vi.GetName(), maxRank, len(dims))
	}
	if tt.GetElemType() == int32(pb.TensorProto_INT64) {
		if len(dims) != 2 {
			return nil, fmt.Errorf("input %q: int64 token ids want a shape [batch, T], got rank %d", vi.GetName(), len(dims))
		}
		im.tokens = true
	}
	var decl []int
	if declared != "" {
		if err := json.Unmarshal([]byte(declared), &decl); err != nil || len(decl) != len(dims)-1 {
			return nil, fmt.Errorf("metadata %q: want the input's %d per-sample sizes as a JSON list, got %.40q", metaInputShape, len(dims)-1, declared)
		}
	}
	shape := make([]int, len(dims)-1)
	size := 1
	for i, d := range dims[1:] {
		v := d.GetDimValue()
		if d.GetDimParam() != "" && decl != nil {
			v = int64(decl[i])
		}
		if decl != nil && v != int64(decl[i]) {
			return nil, fmt.Errorf("input %q: dimension %d is %d, the metadata %q says %d", vi.GetName(), i+1, v, metaInputShape, decl[i])
		}
		if v < 1 || v > maxDim {
			return nil, fmt.Errorf("input %q: dimension %d must be a fixed size from 1 to %d, got %v", vi.GetName(), i+1, maxDim, dimString(d))
		}
		shape[i] = int(v)
		size *= int(v)
		if size > maxInputSize {
			return nil, fmt.Errorf("input %q: a sample of more than %d values is not supported", vi.GetName(), maxInputSize)
		}
	}
	return shape, nil
}

func dimString(d *pb.TensorShapeProto_Dimension) string {
	if p := d.GetDimParam(); p != "" {
		return fmt.Sprintf("%q", p)
	}
	return fmt.Sprint(d.GetDimValue())
}

// unsupported is the error for a node whose op Import cannot read.
func (im *importer) unsupported(i int) error {
	n := im.nodes[i]
	op := n.GetOpType()
	if d := n.GetDomain(); d != "" && d != "ai.onnx" {
		op = d + "." + op
	}
	return fmt.Errorf("unsupported op %s (node %q) at opset %d", op, n.GetName(), im.opset)
}

// model wraps the layers as a train.Model, with the loss, scaler, decoder
// and column names from the metadata Export writes.
func (im *importer) model(layers []nn.Layer, in []int, meta map[string]string) (*train.Model, error) {
	lossName, lossParams := "mse", map[string]any(nil)
	if js, ok := meta[metaLoss]; ok {
		var l struct {
			Name   string         `json:"name"`
			Params map[string]any `json:"params"`
		}
		if err := json.Unmarshal([]byte(js), &l); err != nil || l.Name == "" {
			return nil, fmt.Errorf("metadata %q: want {\"name\": …, \"params\": …}", metaLoss)
		}
		lossName, lossParams = l.Name, l.Params
	}
	m, err := train.FromNet(nn.NewSequential(layers...), in, lossName, lossParams)
	if err != nil {
		return nil, fmt.Errorf("metadata %q: %v", metaLoss, err)
	}
	m.Scaler = im.scaler
	if js, ok := meta[metaScaler]; ok && m.Scaler == nil {
		s := &data.Scaler{}
		if err := json.Unmarshal([]byte(js), s); err != nil {
			return nil, fmt.Errorf("metadata %q: %v", metaScaler, err)
		}
		if f := s.Features(); f >= 0 && f != m.Inputs && s.Kind() != data.ScaleNone {
			return nil, fmt.Errorf("metadata %q: fitted on %d features, the graph takes %d", metaScaler, f, m.Inputs)
		}
		m.Scaler = s
	}
	if js, ok := meta[metaDecoder]; ok {
		d := &data.Decoder{}
		if err := json.Unmarshal([]byte(js), d); err != nil {
			return nil, fmt.Errorf("metadata %q: %v", metaDecoder, err)
		}
		m.Decoder = d
	} else if im.decoder != "" {
		switch {
		case im.decoder == DecodeThreshold || m.Outputs == 1:
			kind := data.Threshold
			if im.cut == 0 {
				kind = data.Sigmoid
			}
			m.Decoder = &data.Decoder{Kind: kind}
		default:
			m.Decoder = &data.Decoder{Kind: data.ArgMax}
		}
	}
	if v := meta[metaFeatures]; v != "" {
		if names := strings.Split(v, "\n"); len(names) == m.Inputs {
			m.FeatureNames = names
		}
	}
	if v := meta[metaTargets]; v != "" {
		m.TargetNames = strings.Split(v, "\n")
	}
	if js, ok := meta[metaVocab]; ok {
		v := &data.Vocab{}
		if err := json.Unmarshal([]byte(js), v); err != nil {
			return nil, fmt.Errorf("metadata %q: %v", metaVocab, err)
		}
		if err := v.Check(); err != nil {
			return nil, fmt.Errorf("metadata %q: %v", metaVocab, err)
		}
		out, _ := m.Net.OutShape(in)
		if !im.tokens || len(in) != 1 || len(out) != 2 || out[0] != in[0] || out[1] != v.Size() {
			return nil, fmt.Errorf("metadata %q: a vocabulary of %d tokens, but the graph maps %v to %v", metaVocab, v.Size(), in, out)
		}
		m.Vocab, m.Positions = v, in[0]
	}
	return m, nil
}

// buildLayer makes the layer op with its options for the per-sample
// shape in, through the same registries a spec goes through, and copies
// in the weights, which must match its parameters and buffers exactly
// in number of elements.
func (im *importer) buildLayer(op string, cfg map[string]any, weights map[string]*constant, in []int) (nn.Layer, []int, error) {
	var l nn.Layer
	var err error
	if nn.Registered(op) {
		l, err = nn.Build(op, nn.Options(cfg), in, im.rng)
	} else if !slices.Contains(activation.Names(), op) {
		return nil, nil, fmt.Errorf("the layer %q is not available in this build", op)
	} else {
		l, err = activation.New(op, cfg)
	}
	if err != nil {
		return nil, nil, err
	}
	out, err := l.OutShape(in)
	if err != nil {
		return nil, nil, err
	}
	left := len(weights)
	for _, p := range nn.ParamsOf(l) {
		w, ok := weights[p.Name]
		if !ok {
			return nil, nil, fmt.Errorf("%s: no tensor for its %s %v", op, p.Name, p.Value.Shape())
		}
		if err := copyInto(p.Value, w, op, p.Name); err != nil {
			return nil, nil, err
		}
		left--
	}
	for _, b := range nn.BuffersOf(l) {
		w, ok := weights[b.Name]
		if !ok {
			continue // num_batches_tracked: not part of inference
		}
		if err := copyInto(b.Value, w, op, b.Name); err != nil {
			return nil, nil, err
		}
		left--
	}
	if left != 0 {
		return nil, nil, fmt.Errorf("%s: the graph gives %d tensors the layer has no place for", op, left)
	}
	return l, out, nil
}

func copyInto(dst *tensor.Tensor, src *constant, op, name string) error {
	f, ok := src.floats()
	if !ok || len(f) != dst.Len() {
		return fmt.Errorf("%s: %s has %d values, want %v", op, name, src.size(), dst.Shape())
	}
	copy(dst.Data(), f)
	return nil
}
