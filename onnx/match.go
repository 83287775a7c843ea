package onnx

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/internal/param"
	"github.com/bigfunc/bigfunc/nn"
	pb "github.com/bigfunc/bigfunc/onnx/internal/onnxpb"
)

// A pat is a pattern over the graph, matched backwards from a node's
// output: a node of an op whose inputs match the argument patterns, the
// layer's input X, or a constant. Node inputs beyond the arguments
// (Gemm's bias, Conv's bias, Clip's bounds) must be constants and are
// captured as "name#k".
type pat struct {
	kind int
	op   string
	name string
	args []*pat
}

const (
	patNode = iota
	patX
	patConst
)

// X is the layer's input.
var X = &pat{kind: patX}

// K is a constant captured under name.
func K(name string) *pat { return &pat{kind: patConst, name: name} }

// P is a node of op with the given inputs.
func P(op string, args ...*pat) *pat { return &pat{kind: patNode, op: op, args: args} }

// N names the node p matches, for its attributes and extra inputs.
func N(name string, p *pat) *pat {
	q := *p
	q.name = name
	return &q
}

func (p *pat) size() int {
	n := 0
	if p.kind == patNode {
		n = 1
	}
	for _, a := range p.args {
		n += a.size()
	}
	return n
}

// match is one way a pattern fits the graph.
type match struct {
	root   int
	nodes  map[string]int
	consts map[string]*constant
	set    map[int]bool
}

func (m *match) clone() *match {
	c := &match{root: m.root, nodes: map[string]int{}, consts: map[string]*constant{}, set: map[int]bool{}}
	for k, v := range m.nodes {
		c.nodes[k] = v
	}
	for k, v := range m.consts {
		c.consts[k] = v
	}
	for k, v := range m.set {
		c.set[k] = v
	}
	return c
}

// node returns the node captured as name.
func (im *importer) node(m *match, name string) *pb.NodeProto {
	if i, ok := m.nodes[name]; ok {
		return im.nodes[i]
	}
	return nil
}

var errBudget = errors.New("the graph is too tangled to read: gave up after too many pattern trials")

// matchValue matches p against the value v, with x the layer's input.
func (im *importer) matchValue(p *pat, v, x string, m *match) (*match, bool) {
	switch p.kind {
	case patX:
		return m, v == x
	case patConst:
		c, ok := im.consts[v]
		if !ok {
			return m, false
		}
		if old, bound := m.consts[p.name]; bound && old != c {
			return m, false
		}
		m.consts[p.name] = c
		return m, true
	}
	im.budget--
	if im.budget < 0 {
		return m, false
	}
	idx, ok := im.producer[v]
	if !ok || im.used[idx] {
		return m, false
	}
	n := im.nodes[idx]
	if n.GetOpType() != p.op || n.GetOutput()[0] != v {
		return m, false
	}
	if old, bound := m.nodes[p.name]; p.name != "" && bound && old != idx {
		return m, false
	}
	ins := n.GetInput()
	for len(ins) > 0 && ins[len(ins)-1] == "" {
		ins = ins[:len(ins)-1]
	}
	if len(ins) < len(p.args) {
		return m, false
	}
	try := func(order []int) (*match, bool) {
		t := m.clone()
		for i, a := range p.args {
			var ok bool
			if t, ok = im.matchValue(a, ins[order[i]], x, t); !ok {
				return m, false
			}
		}
		return t, true
	}
	order := make([]int, len(p.args))
	for i := range order {
		order[i] = i
	}
	t, ok := try(order)
	if !ok && len(p.args) == 2 && (p.op == "Add" || p.op == "Mul") {
		t, ok = try([]int{1, 0})
	}
	if !ok {
		return m, false
	}
	for k := len(p.args); k < len(ins); k++ {
		if ins[k] == "" {
			continue
		}
		c, isConst := im.consts[ins[k]]
		if !isConst {
			return m, false
		}
		if p.name != "" {
			t.consts[p.name+"#"+strconv.Itoa(k)] = c
		}
	}
	t.set[idx] = true
	if p.name != "" {
		t.nodes[p.name] = idx
	}
	return t, true
}

// closed reports whether the matched nodes form a layer on their own:
// nothing outside reads their intermediate values.
func (im *importer) closed(m *match) bool {
	for i := range m.set {
		for k, out := range im.nodes[i].GetOutput() {
			if out == "" || (i == m.root && k == 0) {
				continue
			}
			if out == im.output {
				return false
			}
			for _, c := range im.consumers[out] {
				if !m.set[c] {
					return false
				}
			}
		}
	}
	return true
}

// layerSpec is a layer a pattern found: its op, options and weights.
type layerSpec struct {
	op  string
	cfg map[string]any
	w   map[string]*constant
}

// errSkip from a pattern's builder means the structure fits but it is
// not this layer (another pattern may take it).
var errSkip = errors.New("skip")

type pattern struct {
	p     *pat
	build func(im *importer, m *match, in []int) ([]layerSpec, error)
}

// candidates lists the nodes near x that a layer starting at x could end
// at, breadth first.
func (im *importer) candidates(x string) []int {
	var out []int
	seen := map[int]bool{}
	frontier := []string{x}
	for depth := 0; depth < 12 && len(frontier) > 0 && len(out) < 256; depth++ {
		var next []string
		for _, v := range frontier {
			for _, c := range im.consumers[v] {
				if seen[c] || im.used[c] {
					continue
				}
				seen[c] = true
				out = append(out, c)
				next = append(next, im.nodes[c].GetOutput()...)
			}
		}
		frontier = next
	}
	return out
}

// unusedConsumers returns the nodes not yet taken that read v.
func (im *importer) unusedConsumers(v string) []int {
	var out []int
	for _, c := range im.consumers[v] {
		if !im.used[c] {
			out = append(out, c)
		}
	}
	return out
}

// find returns the layers of the largest pattern that starts at x and
// takes every reader of x (or, when first ≥ 0, takes node first), and
// the match.
func (im *importer) find(x string, readers []int, first int, in []int) ([]layerSpec, *match, error) {
	cands := im.candidates(x)
	for _, pt := range patterns {
		for _, r := range cands {
			if im.nodes[r].GetOpType() != pt.p.op {
				continue
			}
			m, ok := im.matchValue(pt.p, im.nodes[r].GetOutput()[0], x, &match{root: r, nodes: map[string]int{}, consts: map[string]*constant{}, set: map[int]bool{}})
			if im.budget < 0 {
				return nil, nil, errBudget
			}
			if !ok {
				continue
			}
			m.root = r
			if !im.closed(m) {
				continue
			}
			if first >= 0 {
				if !m.set[first] {
					continue
				}
			} else {
				all := true
				for _, c := range readers {
					all = all && m.set[c]
				}
				if !all {
					continue
				}
			}
			specs, err := pt.build(im, m, in)
			if err == errSkip {
				continue
			}
			if err != nil {
				n := im.nodes[r]
				return nil, nil, fmt.Errorf("node %q (%s): %v", n.GetName(), n.GetOpType(), err)
			}
			if len(specs) == 1 {
				specs[0] = im.refine(specs[0], im.nodes[r].GetDocString(), in)
			}
			return specs, m, nil
		}
	}
	return nil, nil, nil
}

// isJoin reports whether node i adds two computed values: the end of a
// residual block.
func (im *importer) isJoin(i int) bool {
	n := im.nodes[i]
	if n.GetOpType() != "Add" || len(n.GetInput()) != 2 {
		return false
	}
	for _, in := range n.GetInput() {
		if _, isConst := im.consts[in]; isConst || in == "" {
			return false
		}
	}
	return true
}

// walk reads layers from the value x of per-sample shape in until the
// graph output or, in a branch, until the residual join, whose node it
// returns. first ≥ 0 starts a branch at that reader of x.
func (im *importer) walk(x string, in []int, first int, branch bool) ([]nn.Layer, string, []int, int, error) {
	var layers []nn.Layer
	for step := 0; ; step++ {
		if step > len(im.nodes)+1 {
			return nil, "", nil, -1, fmt.Errorf("the graph does not lead from input to output")
		}
		readers := im.unusedConsumers(x)
		if !branch && x == im.output && len(readers) == 0 {
			return layers, x, in, -1, nil
		}
		if branch && first < 0 && len(readers) == 1 && im.isJoin(readers[0]) {
			return layers, x, in, readers[0], nil
		}
		if x == im.output && len(readers) == 0 {
			return nil, "", nil, -1, fmt.Errorf("the graph output %q is computed inside a branch that no Add joins", x)
		}
		if x == im.output {
			return nil, "", nil, -1, fmt.Errorf("the graph output %q is also read by node %q (%s)", x, im.nodes[readers[0]].GetName(), im.nodes[readers[0]].GetOpType())
		}
		if len(readers) == 0 {
			return nil, "", nil, -1, fmt.Errorf("value %q leads nowhere: no node reads it and it is not the graph output", x)
		}
		if len(readers) > maxFanOut {
			return nil, "", nil, -1, fmt.Errorf("value %q is read by %d nodes, at most %d supported", x, len(readers), maxFanOut)
		}
		if l, y, out, m, ok, err := im.findExported(x, readers, first, in); err != nil {
			return nil, "", nil, -1, err
		} else if ok {
			for k := range m.set {
				im.used[k] = true
			}
			layers, in, x, first = append(layers, l), out, y, -1
			continue
		}
		specs, m, err := im.find(x, readers, first, in)
		if err != nil {
			return nil, "", nil, -1, err
		}
		if m != nil {
			for k := range m.set {
				im.used[k] = true
			}
			for _, s := range specs {
				if s.op == "" {
					continue // the scaler or decoder: no layer
				}
				l, out, err := im.buildLayer(s.op, s.cfg, s.w, in)
				if err == nil && prod(out) > maxInputSize {
					err = fmt.Errorf("an output of %v per sample is more than the %d values supported", out, maxInputSize)
				}
				if err != nil {
					n := im.nodes[m.root]
					return nil, "", nil, -1, fmt.Errorf("node %q (%s): %v", n.GetName(), n.GetOpType(), err)
				}
				layers, in = append(layers, l), out
			}
			x, first = im.nodes[m.root].GetOutput()[0], -1
			continue
		}
		if first >= 0 {
			return nil, "", nil, -1, im.unsupported(first)
		}
		if len(readers) >= 2 {
			l, out, shape, err := im.fork(x, readers, in)
			if err != nil {
				return nil, "", nil, -1, err
			}
			layers, x, in = append(layers, l), out, shape
			continue
		}
		return nil, "", nil, -1, im.unsupported(readers[0])
	}
}

// fork reads a residual block starting at x: two branches, one of which
// may be x itself, joined by an Add.
func (im *importer) fork(x string, readers []int, in []int) (nn.Layer, string, []int, error) {
	saved := append([]bool(nil), im.used...)
	var lastErr error
	for _, c := range readers {
		if im.isJoin(c) {
			continue
		}
		copy(im.used, saved)
		a, aEnd, _, join, err := im.walk(x, in, c, true)
		if err != nil {
			if err == errBudget {
				return nil, "", nil, err
			}
			lastErr = err
			continue
		}
		var b []nn.Layer
		bEnd, identity := x, true
		for _, r := range im.unusedConsumers(x) {
			if r == join {
				continue
			}
			var j2 int
			b, bEnd, _, j2, err = im.walk(x, in, r, true)
			if err == nil && j2 != join {
				err = fmt.Errorf("the branches from %q end in different Add nodes", x)
			}
			identity = false
			break
		}
		if err != nil {
			lastErr = err
			continue
		}
		if rest := im.unusedConsumers(x); len(rest) > 1 || (len(rest) == 1 && rest[0] != join) {
			lastErr = fmt.Errorf("value %q feeds more than the two branches of a residual block", x)
			continue
		}
		jn := im.nodes[join]
		ins := jn.GetInput()
		if !((ins[0] == aEnd && ins[1] == bEnd) || (ins[0] == bEnd && ins[1] == aEnd)) {
			lastErr = fmt.Errorf("node %q (Add) does not join the branches from %q", jn.GetName(), x)
			continue
		}
		body, short := a, b
		if !identity {
			// Export writes Add(shortcut, body); otherwise the longer
			// branch is the body, and on a tie the Add's first operand,
			// as PyTorch's `body(x) + shortcut(x)`.
			bigfunc := strings.HasPrefix(jn.GetDocString(), docPrefix)
			first, second := a, b
			if ins[0] == bEnd {
				first, second = b, a
			}
			switch {
			case bigfunc:
				body, short = second, first
			case len(second) > len(first):
				body, short = second, first
			default:
				body, short = first, second
			}
		}
		r := &nn.Residual{F: nn.NewSequential(body...)}
		if !identity {
			r.Shortcut = nn.NewSequential(short...)
		}
		out, err := r.OutShape(in)
		if err != nil {
			lastErr = fmt.Errorf("node %q (Add): %v", jn.GetName(), err)
			continue
		}
		im.used[join] = true
		return r, jn.GetOutput()[0], out, nil
	}
	copy(im.used, saved)
	if lastErr == nil {
		lastErr = im.unsupported(readers[0])
	}
	return nil, "", nil, lastErr
}

// refine replaces the options a graph shows only to float32 precision
// (or not at all, such as dropout's p) with the exact ones Export wrote
// into the node's doc_string, when the two agree: the graph stays the
// authority on what is computed.
func (im *importer) refine(s layerSpec, doc string, in []int) layerSpec {
	if !strings.HasPrefix(doc, docPrefix) {
		return s
	}
	var item any
	if err := json.Unmarshal([]byte(doc[len(docPrefix):]), &item); err != nil {
		return s
	}
	op, cfg := "", map[string]any{}
	switch v := item.(type) {
	case string:
		op = v
	case map[string]any:
		if len(v) != 1 {
			return s
		}
		for k, c := range v {
			op = k
			if c, ok := c.(map[string]any); ok {
				cfg = c
			}
		}
	}
	// Ops the graph cannot tell apart from another.
	switch {
	case op == s.op:
	case s.op == "identity" && (op == "dropout" || op == "dropout2d"):
		return layerSpec{op: op, cfg: cfg, w: s.w}
	case s.op == "leaky_relu" && op == "rrelu":
		lo, ok1 := param.Number(cfg["lower"])
		hi, ok2 := param.Number(cfg["upper"])
		slope, _ := param.Number(s.cfg["negative_slope"])
		if ok1 && ok2 && float32((lo+hi)/2) == float32(slope) {
			return layerSpec{op: op, cfg: cfg, w: s.w}
		}
		return s
	case s.op == "avg_pool2d" && op == "adaptive_avg_pool2d":
		// Equal windows: the kernel and stride are the input over the
		// output size.
		size, err := nn.Options(cfg).Ints("output_size", 2, nil)
		if err != nil || len(in) != 3 || size == nil || size[0] < 1 || size[1] < 1 {
			return s
		}
		kernel := []int{in[1] / size[0], in[2] / size[1]}
		if in[1]%size[0] == 0 && in[2]%size[1] == 0 && sameValue(s.cfg["kernel_size"], []any{float64(kernel[0]), float64(kernel[1])}) &&
			sameValue(s.cfg["stride"], []any{float64(kernel[0]), float64(kernel[1])}) && sameValue(s.cfg["padding"], 0.0) && s.cfg["ceil_mode"] == false {
			return layerSpec{op: op, cfg: cfg, w: s.w}
		}
		return s
	default:
		return s
	}
	free := map[string]bool{"momentum": true, "init": true, "p": true}
	out := map[string]any{}
	for k, v := range s.cfg {
		out[k] = v
	}
	for k, v := range cfg {
		g, has := s.cfg[k]
		switch {
		case free[k]:
			out[k] = v
		case !has:
			return s
		case sameValue(g, v):
			out[k] = v
		case k == "padding" && samePadding(s.cfg, v):
			out[k] = v
		case (k == "affine" || k == "elementwise_affine") && g == true && v == false && identityAffine(s.w):
			out[k] = v
			s.w = dropAffine(s.w)
		default:
			return s
		}
	}
	for k := range s.cfg {
		if _, ok := cfg[k]; !ok && !defaultable(k) {
			return s
		}
	}
	return layerSpec{op: s.op, cfg: out, w: s.w}
}

// samePadding reports whether the padding mode d ("same" or "valid") of
// a convolution gives the explicit padding in cfg.
func samePadding(cfg map[string]any, d any) bool {
	pads, ok1 := cfg["padding"].([]int)
	kernel, ok2 := cfg["kernel_size"].([]int)
	dilation, ok3 := cfg["dilation"].([]int)
	if !ok1 || !ok2 || !ok3 || len(kernel) != len(pads) || len(dilation) != len(pads) {
		return false
	}
	for i, p := range pads {
		switch d {
		case "valid":
			if p != 0 {
				return false
			}
		case "same":
			if total := dilation[i] * (kernel[i] - 1); total%2 != 0 || p != total/2 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// defaultable lists options the graph-derived layer names but Describe
// may leave out, their defaults being the same.
func defaultable(k string) bool { return k == "normalized_shape" || k == "stride" }

// sameValue compares an option from the graph with one from the doc
// string: numbers equal at float32 precision, lists element by element.
func sameValue(g, d any) bool {
	if gf, ok := param.Number(g); ok {
		df, ok := param.Number(d)
		return ok && (gf == df || float32(gf) == float32(df))
	}
	switch gv := g.(type) {
	case []int:
		dl, ok := d.([]any)
		if !ok {
			// a single number repeated
			df, ok := param.Number(d)
			if !ok {
				return false
			}
			for _, e := range gv {
				if float64(e) != df {
					return false
				}
			}
			return true
		}
		if len(dl) != len(gv) {
			return false
		}
		for i, e := range dl {
			if f, ok := param.Number(e); !ok || f != float64(gv[i]) {
				return false
			}
		}
		return true
	}
	return fmt.Sprint(g) == fmt.Sprint(d)
}

func identityAffine(w map[string]*constant) bool {
	for name, c := range w {
		want := float32(0)
		switch name {
		case "weight":
			want = 1
		case "bias":
		default:
			continue
		}
		for _, v := range c.f {
			if v != want {
				return false
			}
		}
	}
	return true
}

func dropAffine(w map[string]*constant) map[string]*constant {
	out := map[string]*constant{}
	for k, v := range w {
		if k != "weight" && k != "bias" {
			out[k] = v
		}
	}
	return out
}

// attribute helpers

func attr(n *pb.NodeProto, name string) *pb.AttributeProto {
	for _, a := range n.GetAttribute() {
		if a.GetName() == name {
			return a
		}
	}
	return nil
}

func attrI(n *pb.NodeProto, name string, def int64) int64 {
	if a := attr(n, name); a != nil {
		return a.GetI()
	}
	return def
}

func attrF(n *pb.NodeProto, name string, def float32) float32 {
	if a := attr(n, name); a != nil {
		return a.GetF()
	}
	return def
}

func attrS(n *pb.NodeProto, name, def string) string {
	if a := attr(n, name); a != nil {
		return string(a.GetS())
	}
	return def
}

// attrIs returns the ints attribute name, or def.
func attrIs(n *pb.NodeProto, name string, def []int) ([]int, error) {
	a := attr(n, name)
	if a == nil {
		return def, nil
	}
	out := make([]int, len(a.GetInts()))
	for i, v := range a.GetInts() {
		if v < -maxDim || v > maxDim {
			return nil, fmt.Errorf("attribute %s: value %d out of range", name, v)
		}
		out[i] = int(v)
	}
	return out, nil
}

// only returns an error naming the first attribute of n not in allowed.
func only(n *pb.NodeProto, allowed ...string) error {
	for _, a := range n.GetAttribute() {
		ok := false
		for _, s := range allowed {
			ok = ok || a.GetName() == s
		}
		if !ok {
			return fmt.Errorf("attribute %q is not supported", a.GetName())
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isFinite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }
