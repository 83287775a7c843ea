package onnx

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/param"
	"github.com/bigfunc/bigfunc/nn"
	pb "github.com/bigfunc/bigfunc/onnx/internal/onnxpb"
	"github.com/bigfunc/bigfunc/tensor"
)

// exportedOps are the layers Import reads only as Export writes them:
// their graphs are too large to recognise piece by piece, so Import
// takes the layer the nodes' doc_string names, writes it again as Export
// would, and accepts the nodes only if they are that graph node for
// node, attribute for attribute and constant for constant, with the
// layer's parameters and buffers taken from the initializers in their
// places. The graph stays the authority: a doc_string that does not
// describe its nodes is an error.
var exportedOps = []string{"embedding", "positional", "multihead_attention", "transformer_encoder_layer", "kan_linear"}

// parseDoc reads the layer a node's doc_string names: its op and
// options.
func parseDoc(doc string) (string, map[string]any, bool) {
	if !strings.HasPrefix(doc, docPrefix) {
		return "", nil, false
	}
	var item any
	if err := json.Unmarshal([]byte(doc[len(docPrefix):]), &item); err != nil {
		return "", nil, false
	}
	switch v := item.(type) {
	case string:
		return v, map[string]any{}, true
	case map[string]any:
		if len(v) != 1 {
			return "", nil, false
		}
		for k, c := range v {
			cfg, _ := c.(map[string]any)
			if cfg == nil {
				cfg = map[string]any{}
			}
			return k, cfg, true
		}
	}
	return "", nil, false
}

// weightsClaimed returns how many weights (and constant table entries)
// the exported layer op claims for the input in, so that a doc_string
// cannot make Import allocate more than the file holds.
func weightsClaimed(op string, cfg map[string]any, in []int) float64 {
	num := func(k string, def float64) float64 {
		if f, ok := param.Number(cfg[k]); ok {
			return math.Abs(f)
		}
		return def
	}
	last := 1.0
	if len(in) > 0 {
		last = float64(in[len(in)-1])
	}
	switch op {
	case "embedding":
		return num("num_embeddings", 0) * num("embedding_dim", 0)
	case "positional":
		return num("max_len", 5000) * last
	case "multihead_attention":
		return 4 * last * last
	case "transformer_encoder_layer":
		return last * (4*last + 2*num("dim_feedforward", 2048))
	case "kan_linear":
		return last * num("out_features", 0) * (num("grid_size", 5) + num("spline_order", 3) + 2)
	}
	return math.Inf(1)
}

// findExported reads the layer starting at x when its first node names
// one of exportedOps. It reports false when the node names another
// layer (or none), and an error when the nodes are not what Export
// writes for the layer they name.
func (im *importer) findExported(x string, readers []int, first int, in []int) (nn.Layer, string, []int, *match, bool, error) {
	start := first
	if start < 0 {
		start = readers[0]
	}
	sn := im.nodes[start]
	doc := sn.GetDocString()
	op, cfg, ok := parseDoc(doc)
	if !ok || !slices.Contains(exportedOps, op) {
		return nil, "", nil, nil, false, nil
	}
	fail := func(format string, a ...any) (nn.Layer, string, []int, *match, bool, error) {
		return nil, "", nil, nil, false, fmt.Errorf("node %q (%s): layer %s: "+format, append([]any{sn.GetName(), sn.GetOpType(), op}, a...)...)
	}
	if w := weightsClaimed(op, cfg, in); w > float64(im.constElems)+1 {
		return fail("its options claim %.0f weights, the file holds %d values", w, im.constElems)
	}
	l, err := nn.Build(op, nn.Options(cfg), in, im.rng)
	if err != nil {
		return fail("%v", err)
	}
	out, err := l.OutShape(in)
	if err != nil {
		return fail("%v", err)
	}
	if prod(out) > maxInputSize {
		return fail("an output of %v per sample is more than the %d values supported", out, maxInputSize)
	}

	// The layer as Export writes it, its tensors named by what they are.
	g := newGraph(im.opset)
	g.taken["x"] = true
	g.int64s["x"] = im.tokens && x == im.input
	nm := names{params: map[*autograd.Var]string{}, bufs: map[*tensor.Tensor]string{}}
	targets := map[string]*tensor.Tensor{}
	for _, p := range nn.ParamsOf(l) {
		nm.params[p.Var] = "\x00" + p.Name
		targets["\x00"+p.Name] = p.Value
	}
	for _, b := range nn.BuffersOf(l) {
		nm.bufs[b.Value] = "\x00" + b.Name
		targets["\x00"+b.Name] = b.Value
	}
	y, _, err := emitLayer(g, l, "layer", "x", in, nm)
	if err != nil {
		return fail("%v", err)
	}
	sm := &shapeMatch{im: im, g: g, x: x, prod: map[string]*pb.NodeProto{}, inits: map[string]*pb.TensorProto{},
		memo: map[string]string{}, got: map[string]*constant{}, set: map[int]bool{}}
	for _, n := range g.nodes {
		sm.prod[n.GetOutput()[0]] = n
	}
	for _, t := range g.inits {
		sm.inits[t.GetName()] = t
	}
	rootOp := sm.prod[y].GetOpType()
	if im.byDoc == nil {
		im.byDoc = map[string][]int{}
		for i, n := range im.nodes {
			if d := n.GetDocString(); strings.HasPrefix(d, docPrefix) {
				im.byDoc[d] = append(im.byDoc[d], i)
			}
		}
	}
	for _, i := range im.byDoc[doc] {
		n := im.nodes[i]
		if im.used[i] || n.GetOpType() != rootOp {
			continue
		}
		sm.reset()
		if !sm.value(y, n.GetOutput()[0]) {
			continue
		}
		m := &match{root: i, set: sm.set}
		if !im.closed(m) || !m.set[start] {
			continue
		}
		all := true
		for _, r := range readers {
			all = all && (m.set[r] || first >= 0)
		}
		if !all {
			continue
		}
		for name, dst := range targets {
			c, ok := sm.got[name]
			if !ok {
				return fail("no tensor for its %s", name[1:])
			}
			if err := copyInto(dst, c, op, name[1:]); err != nil {
				return fail("%v", err)
			}
		}
		return l, n.GetOutput()[0], out, m, true, nil
	}
	return fail("the nodes are not the graph Export writes for it at opset %d", im.opset)
}

// shapeMatch matches the graph Export writes for one layer against the
// file's, value by value, backwards from the output.
type shapeMatch struct {
	im    *importer
	g     *graph
	x     string // the layer's input in the file
	prod  map[string]*pb.NodeProto
	inits map[string]*pb.TensorProto
	memo  map[string]string    // Export's value → the file's
	got   map[string]*constant // the layer's tensors, by Export's name
	set   map[int]bool         // the file's live nodes matched
}

func (sm *shapeMatch) reset() {
	clear(sm.memo)
	clear(sm.got)
	sm.set = map[int]bool{}
}

// value reports whether the file's value fv computes what Export's value
// sv does.
func (sm *shapeMatch) value(sv, fv string) bool {
	im := sm.im
	if prev, ok := sm.memo[sv]; ok {
		return prev == fv
	}
	if im.budget--; im.budget < 0 {
		return false
	}
	sm.memo[sv] = fv
	if sv == "x" {
		return fv == sm.x
	}
	if t, ok := sm.inits[sv]; ok {
		c, ok := im.consts[fv]
		if !ok {
			return false
		}
		want, err := decodeTensor(t)
		if err != nil || !slices.Equal(want.dims, c.dims) || (want.f == nil) != (c.f == nil) {
			return false
		}
		if strings.HasPrefix(sv, "\x00") {
			sm.got[sv] = c // one of the layer's tensors: any values
			return true
		}
		return sameBits(want, c)
	}
	sn, ok := sm.prod[sv]
	if !ok {
		return false
	}
	idx, live := im.producer[fv]
	if live && im.used[idx] {
		return false
	}
	if !live {
		if idx, ok = im.folded[fv]; !ok {
			return false
		}
	}
	fn := im.nodes[idx]
	if fn.GetOpType() != sn.GetOpType() || len(fn.GetOutput()) != 1 || fn.GetOutput()[0] != fv ||
		len(fn.GetInput()) != len(sn.GetInput()) || !sameAttrs(fn.GetAttribute(), sn.GetAttribute()) {
		return false
	}
	for i, in := range sn.GetInput() {
		if !sm.value(in, fn.GetInput()[i]) {
			return false
		}
	}
	if live {
		sm.set[idx] = true
	}
	return true
}

// sameBits reports whether two constants hold the same values bit for
// bit.
func sameBits(a, b *constant) bool {
	if len(a.f) != len(b.f) || !slices.Equal(a.i, b.i) {
		return false
	}
	for i, v := range a.f {
		if math.Float32bits(v) != math.Float32bits(b.f[i]) {
			return false
		}
	}
	return true
}

// sameAttrs reports whether two attribute lists are equal up to order.
func sameAttrs(a, b []*pb.AttributeProto) bool {
	if len(a) != len(b) {
		return false
	}
	byName := func(s []*pb.AttributeProto) []*pb.AttributeProto {
		s = slices.Clone(s)
		sort.Slice(s, func(i, j int) bool { return s[i].GetName() < s[j].GetName() })
		return s
	}
	a, b = byName(a), byName(b)
	for i := range a {
		if !proto.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
