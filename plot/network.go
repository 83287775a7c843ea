package plot

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Skip is a shortcut connection that bypasses the layers between two
// columns of neurons: neuron From of column FromCol, times Weight, is added
// to neuron To of column ToCol. Column 0 is the input and column k the
// output of the network's k-th linear layer, so in a network with one
// hidden layer a skip from the input to the output runs from column 0 to
// column 2.
type Skip struct {
	FromCol, From int
	ToCol, To     int
	Weight        float64
}

// Labels says whether a network diagram writes weights and biases.
type Labels int

const (
	// LabelAuto writes them when the network is small enough to read:
	// at most MaxLabelledEdges edges and no layer too tall to draw whole.
	LabelAuto Labels = iota
	// LabelAlways writes them regardless of size.
	LabelAlways
	// LabelNever draws colours and widths only.
	LabelNever
)

// MaxLabelledEdges is the largest number of connections LabelAuto labels.
const MaxLabelledEdges = 40

// MaxNeurons is the most neurons a column shows; taller layers show their
// first and last neurons with an ellipsis between.
const MaxNeurons = 12

// Network describes the diagram of a feed-forward network: its linear
// layers and activations, and optional skip connections.
type Network struct {
	// Net holds the layers: nn.Linear, activations, and nn.Residual blocks
	// (drawn as identity skips around their body); nn.Dropout and
	// nn.Flatten are noted but change nothing.
	Net *nn.Sequential
	// Skips are extra shortcut connections drawn as arcs around the
	// columns they bypass.
	Skips []Skip
	// InputNames and OutputNames label the first and last columns; missing
	// names default to x₁, x₂, … and y₁, y₂, … (x and y for one neuron).
	InputNames, OutputNames []string
	// Title is written above the diagram and Caption, smaller, under it.
	Title, Caption string
	// Labels chooses whether weights and biases are written.
	Labels Labels
}

// Diagram is a laid-out network diagram, ready to draw.
type Diagram struct {
	cols     []column
	edges    []edge
	arcs     []arc
	labelled bool
	maxW     float64
	title    string
	caption  string
	hasZero  bool
	hasSkip  bool
	residual bool
	nEdges   int

	// Layout, in points, in the diagram's own frame.
	r, dx, dy  vg.Length
	edgeLabels []placed
	width      vg.Length
	height     vg.Length
	offset     vg.Point
	top        vg.Length // where the column headers start
	actRow     bool      // some column names its activation
	noteRows   int       // the most notes a column has
	bottom     vg.Length // lowest point of the network drawing
}

type column struct {
	size  int
	act   string // registry name of the activation applied to the column
	notes []string
	bias  []float64
	names []string
	shown []int // neuron indices drawn, -1 for the ellipsis slot
	x     vg.Length
}

type edge struct {
	fromCol, from, toCol, to int
	w                        float64
}

type arc struct {
	Skip
	identity bool
	above    bool
	p0, c0   vg.Point
	c1, p1   vg.Point
}

type placed struct {
	text string
	at   vg.Point
	clr  color.Color
}

// NewDiagram lays out the network. It reports an error for a layer it
// cannot draw neuron by neuron (maxout, or any layer type it does not
// know), for sizes that do not chain, and for skips that name neurons the
// network does not have.
func NewDiagram(n Network) (*Diagram, error) {
	if n.Net == nil {
		return nil, fmt.Errorf("plot: no network to draw")
	}
	in, ok := inputWidth(n.Net.Layers)
	if !ok {
		return nil, fmt.Errorf("plot: the network has no linear layer, so there are no neurons and weights to draw")
	}
	d := &Diagram{title: n.Title, caption: n.Caption}
	d.cols = []column{{size: in}}
	var skips []arc
	if err := d.walk(n.Net.Layers, "", &skips); err != nil {
		return nil, err
	}
	for _, s := range n.Skips {
		if s.FromCol < 0 || s.ToCol >= len(d.cols) || s.FromCol >= s.ToCol {
			return nil, fmt.Errorf("plot: skip from column %d to %d: want 0 ≤ from < to ≤ %d", s.FromCol, s.ToCol, len(d.cols)-1)
		}
		if s.From < 0 || s.From >= d.cols[s.FromCol].size || s.To < 0 || s.To >= d.cols[s.ToCol].size {
			return nil, fmt.Errorf("plot: skip from neuron %d of column %d to neuron %d of column %d: no such neuron", s.From, s.FromCol, s.To, s.ToCol)
		}
		skips = append(skips, arc{Skip: s})
	}
	d.arcs = skips
	d.hasSkip = len(skips) > 0
	last := len(d.cols) - 1
	d.cols[0].names = names(n.InputNames, d.cols[0].size, "x")
	d.cols[last].names = names(n.OutputNames, d.cols[last].size, "y")

	elided := false
	for i := range d.cols {
		c := &d.cols[i]
		if c.size > MaxNeurons {
			elided = true
			head := MaxNeurons / 2
			tail := MaxNeurons - head - 1
			for k := range head {
				c.shown = append(c.shown, k)
			}
			c.shown = append(c.shown, -1)
			for k := c.size - tail; k < c.size; k++ {
				c.shown = append(c.shown, k)
			}
		} else {
			for k := range c.size {
				c.shown = append(c.shown, k)
			}
		}
	}
	d.nEdges = len(d.edges) + len(d.arcs)
	switch n.Labels {
	case LabelAlways:
		d.labelled = true
	case LabelAuto:
		d.labelled = !elided && d.nEdges <= MaxLabelledEdges
	}
	for _, e := range d.edges {
		d.maxW = math.Max(d.maxW, math.Abs(e.w))
		if e.w == 0 {
			d.hasZero = true
		}
	}
	for _, a := range d.arcs {
		d.maxW = math.Max(d.maxW, math.Abs(a.Weight))
	}
	d.layout()
	return d, nil
}

// inputWidth finds the input width of the first linear layer.
func inputWidth(layers []nn.Layer) (int, bool) {
	for _, l := range layers {
		d := l.Describe()
		switch d.Op {
		case "linear":
			if w, _ := linearParams(l); w != nil {
				return w.Dim(1), true
			}
		case "residual":
			if n, ok := inputWidth(blockOf(d, "body")); ok {
				return n, true
			}
		}
	}
	return 0, false
}

// blockOf returns the layers of the composite block called name.
func blockOf(d nn.Desc, name string) []nn.Layer {
	for _, b := range d.Blocks {
		if b.Name == name {
			return b.Layers
		}
	}
	return nil
}

// linearParams returns a linear layer's weight [out, in] and bias (nil
// when it has none), found by their state_dict names.
func linearParams(l nn.Layer) (w, b *tensor.Tensor) {
	for _, p := range nn.ParamsOf(l) {
		switch p.Name {
		case "weight":
			w = p.Value
		case "bias":
			b = p.Value
		}
	}
	return w, b
}

// walk turns layers into columns, edges and residual skips, reading each
// layer's description.
func (d *Diagram) walk(layers []nn.Layer, where string, skips *[]arc) error {
	for i, l := range layers {
		at := where + strconv.Itoa(i)
		cur := &d.cols[len(d.cols)-1]
		desc := l.Describe()
		switch op := desc.Op; {
		case op == "linear":
			w, bias := linearParams(l)
			out, in := w.Dim(0), w.Dim(1)
			if in != cur.size {
				return fmt.Errorf("plot: layer %s: linear %d→%d follows a layer of width %d", at, in, out, cur.size)
			}
			from := len(d.cols) - 1
			c := column{size: out, bias: make([]float64, out)}
			if bias != nil {
				for o := range out {
					c.bias[o] = float64(bias.At(o))
				}
			}
			d.cols = append(d.cols, c)
			for o := range out {
				for k := range in {
					d.edges = append(d.edges, edge{fromCol: from, from: k, toCol: from + 1, to: o, w: float64(w.At(o, k))})
				}
			}
		case op == "residual":
			if len(blockOf(desc, "shortcut")) > 0 {
				return fmt.Errorf("plot: layer %s: a residual block with a projection shortcut has no neuron-by-neuron drawing", at)
			}
			start := len(d.cols) - 1
			width := cur.size
			if err := d.walk(blockOf(desc, "body"), at+".", skips); err != nil {
				return err
			}
			end := len(d.cols) - 1
			if end == start {
				d.cols[end].notes = append(d.cols[end].notes, "+ residual")
				continue
			}
			d.residual = true
			for k := range width {
				*skips = append(*skips, arc{Skip: Skip{FromCol: start, From: k, ToCol: end, To: k, Weight: 1}, identity: true})
			}
		case op == "dropout":
			p, _ := nn.Options(desc.Config).Float("p", 0)
			cur.notes = append(cur.notes, "dropout "+strconv.FormatFloat(p, 'g', 3, 64))
		case op == "flatten":
		case op == "maxout":
			return fmt.Errorf("plot: layer %s: maxout merges neurons, which this diagram cannot show neuron by neuron", at)
		case slices.Contains(activation.Names(), op):
			if cur.act != "" {
				cur.notes = append(cur.notes, "then "+DisplayName(op))
				continue
			}
			cur.act = op
		default:
			return fmt.Errorf("plot: layer %s: cannot draw a %s layer neuron by neuron", at, op)
		}
	}
	return nil
}

// names fills in default neuron names.
func names(given []string, n int, stem string) []string {
	out := make([]string, n)
	for i := range out {
		switch {
		case i < len(given) && given[i] != "":
			out[i] = given[i]
		case n == 1:
			out[i] = stem
		case n > 9:
			// Subscript digits are set wide; x12 reads better than x₁₂.
			out[i] = stem + strconv.Itoa(i+1)
		default:
			out[i] = stem + subscript(i+1)
		}
	}
	return out
}

// subscript writes n with Unicode subscript digits: x₁, x₁₂.
func subscript(n int) string {
	s := []rune(strconv.Itoa(n))
	for i, r := range s {
		s[i] = '₀' + (r - '0')
	}
	return string(s)
}

// Style of the diagram.
var (
	nameStyle   = textStyle(13, Ink)
	headStyle   = bold(textStyle(11.5, Ink))
	actStyle    = italic(textStyle(11, Positive))
	noteStyle   = textStyle(9.5, Muted)
	weightStyle = bold(textStyle(10, Ink))
	biasStyle   = textStyle(9.5, Muted)
	titleStyle  = bold(textStyle(14, Ink))
	capStyle    = textStyle(11.5, Muted)
	legendStyle = textStyle(10, Ink)
)

// pos returns the centre of slot k of column c.
func (d *Diagram) pos(c, slot int) vg.Point {
	col := &d.cols[c]
	m := len(col.shown)
	return vg.Point{X: col.x, Y: (vg.Length(m-1)/2 - vg.Length(slot)) * d.dy}
}

// slotOf returns the slot in which neuron k of column c is drawn, or -1
// when it is hidden by the ellipsis.
func (d *Diagram) slotOf(c, k int) int {
	for s, n := range d.cols[c].shown {
		if n == k {
			return s
		}
	}
	return -1
}

// layout places everything and computes the figure size.
func (d *Diagram) layout() {
	d.r = 16
	d.dx, d.dy = 120, 46
	if d.labelled {
		d.dx, d.dy = 175, 72
	}
	for i := range d.cols {
		d.cols[i].x = vg.Length(i) * d.dx
	}
	d.routeArcs()

	// Bounding box of what has been placed so far: neurons, names, biases,
	// arcs.
	box := vg.Rectangle{Min: vg.Point{X: 0, Y: 0}, Max: vg.Point{X: 0, Y: 0}}
	grow := func(r vg.Rectangle) {
		box.Min.X, box.Min.Y = min(box.Min.X, r.Min.X), min(box.Min.Y, r.Min.Y)
		box.Max.X, box.Max.Y = max(box.Max.X, r.Max.X), max(box.Max.Y, r.Max.Y)
	}
	for c := range d.cols {
		for s := range d.cols[c].shown {
			p := d.pos(c, s)
			grow(vg.Rectangle{Min: p.Sub(vg.Point{X: d.r, Y: d.r}), Max: p.Add(vg.Point{X: d.r, Y: d.r})})
			for _, r := range d.neuronText(c, s) {
				grow(r.box)
			}
		}
	}
	for _, a := range d.arcs {
		for t := 0.0; t <= 1; t += 0.05 {
			p := bezier(a.p0, a.c0, a.c1, a.p1, t)
			grow(vg.Rectangle{Min: p.Sub(vg.Point{X: 8, Y: 10}), Max: p.Add(vg.Point{X: 8, Y: 10})})
		}
	}
	if d.labelled {
		d.placeLabels()
		for _, l := range d.edgeLabels {
			grow(padRect(textBox(weightStyle, l.at, l.text), 2))
		}
	}
	d.bottom = box.Min.Y
	// Column headers sit above everything.
	for _, c := range d.cols {
		d.actRow = d.actRow || c.act != ""
		d.noteRows = max(d.noteRows, len(c.notes))
	}
	d.top = box.Max.Y + 14
	for i := range d.cols {
		for _, r := range d.headerText(i) {
			grow(r.box)
		}
	}
	// Title and caption above the headers.
	box.Max.Y += 8
	if d.title != "" {
		box.Max.Y += titleStyle.Height(d.title) + 10
		box.Max.X = max(box.Max.X, box.Min.X+titleStyle.Width(d.title))
	}
	if d.caption != "" {
		box.Max.Y += capStyle.Height(d.caption) + 6
		box.Max.X = max(box.Max.X, box.Min.X+capStyle.Width(d.caption))
	}
	// The legend goes below, wrapped to the width.
	width := max(box.Max.X-box.Min.X, 380)
	lh := d.legendHeight(width)
	box.Min.Y -= lh + 16
	const margin = 18
	d.width = width + 2*margin
	d.height = box.Max.Y - box.Min.Y + 2*margin
	// Centre the drawing horizontally when the legend or title is wider.
	extra := width - (box.Max.X - box.Min.X)
	d.offset = vg.Point{X: margin - box.Min.X + extra/2, Y: margin - box.Min.Y}
}

// Size returns the diagram's size.
func (d *Diagram) Size() (vg.Length, vg.Length) { return d.width, d.height }

type textItem struct {
	text string
	sty  draw.TextStyle
	at   vg.Point
	box  vg.Rectangle
	// plate puts the text on a paper-coloured plate, for text that edges
	// may cross.
	plate bool
}

func item(sty draw.TextStyle, at vg.Point, txt string) textItem {
	return textItem{text: txt, sty: sty, at: at, box: padRect(textBox(sty, at, txt), 2)}
}

// neuronText returns the names and bias written around the neuron in slot
// s of column c.
func (d *Diagram) neuronText(c, s int) []textItem {
	col := &d.cols[c]
	k := col.shown[s]
	if k < 0 {
		return nil
	}
	p := d.pos(c, s)
	var out []textItem
	last := len(d.cols) - 1
	if c == 0 {
		sty := nameStyle
		sty.XAlign = draw.XRight
		out = append(out, item(sty, vg.Point{X: p.X - d.r - 8, Y: p.Y}, col.names[k]))
	}
	if c == last {
		sty := nameStyle
		sty.XAlign = draw.XLeft
		out = append(out, item(sty, vg.Point{X: p.X + d.r + 8, Y: p.Y}, col.names[k]))
	}
	if d.labelled && c > 0 {
		// Under the neuron, unless a skip arc arrives or leaves there;
		// then over it, or off to the lower right if arcs use both.
		sty := biasStyle
		at := vg.Point{X: p.X, Y: p.Y - d.r - 9}
		switch below, above := d.arcAt(c, k, false), d.arcAt(c, k, true); {
		case below && above:
			sty.XAlign = draw.XLeft
			at = vg.Point{X: p.X + d.r*0.8, Y: p.Y - d.r - 6}
		case below:
			at.Y = p.Y + d.r + 9
		}
		t := item(sty, at, "b = "+FormatNumber(col.bias[k]))
		t.plate = true
		out = append(out, t)
	}
	return out
}

// arcAt reports whether a skip arc routed over (above) or under the
// network starts or ends at neuron k of column c.
func (d *Diagram) arcAt(c, k int, above bool) bool {
	for _, a := range d.arcs {
		if a.FromCol >= 0 && a.above == above && ((a.FromCol == c && a.From == k) || (a.ToCol == c && a.To == k)) {
			return true
		}
	}
	return false
}

// headerText returns the column's heading: its role, its activation and
// any notes.
func (d *Diagram) headerText(c int) []textItem {
	col := &d.cols[c]
	var role string
	switch {
	case c == 0:
		role = "input"
	case c == len(d.cols)-1:
		role = "output"
	case len(d.cols) == 3:
		role = "hidden"
	default:
		role = "hidden " + strconv.Itoa(c)
	}
	if col.size > MaxNeurons || d.nEdges > MaxLabelledEdges {
		role += " (" + strconv.Itoa(col.size) + ")"
	}
	// Bottom up: notes, activation, role. Every column keeps the rows the
	// tallest heading needs, so the roles line up.
	y := d.top
	var out []textItem
	for i := d.noteRows - 1; i >= 0; i-- {
		if i < len(col.notes) {
			s := noteStyle
			s.YAlign = draw.YBottom
			out = append(out, item(s, vg.Point{X: col.x, Y: y}, col.notes[i]))
		}
		y += noteStyle.Height("dropout") + 2
	}
	if d.actRow {
		if col.act != "" {
			a := actStyle
			a.YAlign = draw.YBottom
			out = append(out, item(a, vg.Point{X: col.x, Y: y}, DisplayName(col.act)))
		}
		y += actStyle.Height("ReLU") + 3
	}
	sty := headStyle
	sty.YAlign = draw.YBottom
	out = append(out, item(sty, vg.Point{X: col.x, Y: y}, role))
	return out
}

// routeArcs places every skip arc on the side of its source neuron, high
// enough to clear the neurons of the columns it bypasses.
func (d *Diagram) routeArcs() {
	stack := map[bool]int{}
	for i := range d.arcs {
		a := &d.arcs[i]
		s0, s1 := d.slotOf(a.FromCol, a.From), d.slotOf(a.ToCol, a.To)
		if s0 < 0 || s1 < 0 {
			a.FromCol = -1 // hidden by an ellipsis: not drawn
			continue
		}
		p0, p1 := d.pos(a.FromCol, s0), d.pos(a.ToCol, s1)
		a.above = p0.Y >= 0
		sign := vg.Length(1)
		if !a.above {
			sign = -1
		}
		// The extreme neuron of the bypassed columns on this side.
		edge := sign * max(sign*p0.Y, sign*p1.Y)
		for c := a.FromCol + 1; c < a.ToCol; c++ {
			m := len(d.cols[c].shown)
			ext := (vg.Length(m-1) / 2) * d.dy
			edge = sign * max(sign*edge, ext)
		}
		k := stack[a.above]
		stack[a.above]++
		apex := edge + sign*(d.r+26+vg.Length(k)*16)
		if d.labelled {
			apex += sign * 10 // room for the bias label of a bypassed neuron
		}
		dxs := p1.X - p0.X
		// A cubic whose control points sit at height c reaches
		// (y0+y1)/8 + 3c/4 at its middle; solve for the apex.
		cy := (apex - (p0.Y+p1.Y)/8) / 0.75
		a.c0 = vg.Point{X: p0.X + dxs*0.12, Y: cy}
		a.c1 = vg.Point{X: p1.X - dxs*0.12, Y: cy}
		a.p0 = p0.Add(unit(a.c0.Sub(p0)).Scale(d.r))
		a.p1 = p1.Add(unit(a.c1.Sub(p1)).Scale(d.r + 1))
	}
}

func bezier(p0, c0, c1, p1 vg.Point, t float64) vg.Point {
	u := 1 - t
	f := func(a, b, c, d vg.Length) vg.Length {
		return vg.Length(u*u*u)*a + vg.Length(3*u*u*t)*b + vg.Length(3*u*t*t)*c + vg.Length(t*t*t)*d
	}
	return vg.Point{X: f(p0.X, c0.X, c1.X, p1.X), Y: f(p0.Y, c0.Y, c1.Y, p1.Y)}
}

// segment returns the visible part of an edge, from circle to circle.
func (d *Diagram) segment(e edge) (a, b vg.Point, ok bool) {
	s0, s1 := d.slotOf(e.fromCol, e.from), d.slotOf(e.toCol, e.to)
	if s0 < 0 || s1 < 0 {
		return a, b, false
	}
	p0, p1 := d.pos(e.fromCol, s0), d.pos(e.toCol, s1)
	u := unit(p1.Sub(p0))
	return p0.Add(u.Scale(d.r)), p1.Sub(u.Scale(d.r + 1)), true
}

// placeLabels puts each weight label on its edge where it overlaps the
// fewest neurons, texts and other edges, trying positions from the middle
// of the edge outwards.
func (d *Diagram) placeLabels() {
	var taken []vg.Rectangle
	for c := range d.cols {
		for s := range d.cols[c].shown {
			p := d.pos(c, s)
			taken = append(taken, vg.Rectangle{Min: p.Sub(vg.Point{X: d.r + 2, Y: d.r + 2}), Max: p.Add(vg.Point{X: d.r + 2, Y: d.r + 2})})
			for _, t := range d.neuronText(c, s) {
				taken = append(taken, t.box)
			}
		}
	}
	type seg struct{ a, b vg.Point }
	var segs []seg
	for _, e := range d.edges {
		if a, b, ok := d.segment(e); ok {
			segs = append(segs, seg{a, b})
		}
	}
	// Skip arcs are labelled at their apex, which is theirs alone.
	for _, a := range d.arcs {
		if a.FromCol < 0 || (a.identity && len(d.arcs) > 4) {
			continue
		}
		at := bezier(a.p0, a.c0, a.c1, a.p1, 0.5)
		l := placed{text: FormatNumber(a.Weight), at: at, clr: weightColor(a.Weight)}
		d.edgeLabels = append(d.edgeLabels, l)
		taken = append(taken, padRect(textBox(weightStyle, at, l.text), 3))
	}
	ts := []float64{0.5, 0.4, 0.6, 0.32, 0.68, 0.25, 0.75, 0.18, 0.82}
	for i, e := range d.edges {
		a, b, ok := d.segment(e)
		if !ok {
			continue
		}
		txt := FormatNumber(e.w)
		best, bestCost := vg.Point{}, math.Inf(1)
		for _, t := range ts {
			at := a.Add(b.Sub(a).Scale(vg.Length(t)))
			box := padRect(textBox(weightStyle, at, txt), 3)
			cost := math.Abs(t-0.5) * 2
			for _, r := range taken {
				cost += 1000 * overlapArea(box, r)
			}
			for j, s := range segs {
				if j != i && segmentHitsRect(s.a, s.b, box) {
					cost += 40
				}
			}
			if cost < bestCost {
				best, bestCost = at, cost
			}
		}
		d.edgeLabels = append(d.edgeLabels, placed{text: txt, at: best, clr: weightColor(e.w)})
		taken = append(taken, padRect(textBox(weightStyle, best, txt), 3))
	}
}

// segmentHitsRect reports whether segment ab passes through r.
func segmentHitsRect(a, b vg.Point, r vg.Rectangle) bool {
	// Sample the segment: exact clipping is not worth it for a cost
	// estimate.
	for i := 0; i <= 24; i++ {
		p := a.Add(b.Sub(a).Scale(vg.Length(i) / 24))
		if p.X >= r.Min.X && p.X <= r.Max.X && p.Y >= r.Min.Y && p.Y <= r.Max.Y {
			return true
		}
	}
	return false
}

func weightColor(w float64) color.Color {
	switch {
	case w > 0:
		return Positive
	case w < 0:
		return Negative
	}
	return Zero
}

// lineFor returns the stroke of a connection of weight w: colour by sign,
// width by magnitude, dotted grey for exactly zero.
func (d *Diagram) lineFor(w float64) draw.LineStyle {
	if w == 0 {
		return draw.LineStyle{Color: Zero, Width: 0.9, Dashes: []vg.Length{2, 2.5}}
	}
	rel := 1.0
	if d.maxW > 0 {
		rel = math.Abs(w) / d.maxW
	}
	return draw.LineStyle{Color: weightColor(w), Width: vg.Length(0.6 + 2.6*rel)}
}

// Draw draws the diagram.
func (d *Diagram) Draw(c draw.Canvas) {
	c.Push()
	c.Translate(d.offset)
	defer c.Pop()

	// Title and caption.
	y := d.height - d.offset.Y - 18
	cx := (d.width)/2 - d.offset.X
	if d.title != "" {
		sty := titleStyle
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: cx, Y: y}, d.title)
		y -= sty.Height(d.title) + 6
	}
	if d.caption != "" {
		sty := capStyle
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: cx, Y: y}, d.caption)
	}

	// Thin edges first, so strong ones stay on top.
	order := make([]int, len(d.edges))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return cmp.Compare(math.Abs(d.edges[i].w), math.Abs(d.edges[j].w))
	})
	for _, i := range order {
		e := d.edges[i]
		a, b, ok := d.segment(e)
		if !ok {
			continue
		}
		sty := d.lineFor(e.w)
		if d.labelled {
			arrow(c, sty, a, b, 6+sty.Width)
		} else {
			strokeLine(c, sty, a, b)
		}
	}
	for _, a := range d.arcs {
		if a.FromCol < 0 {
			continue
		}
		sty := d.lineFor(a.Weight)
		var p vg.Path
		p.Move(a.p0)
		// Stop short of the head, along the final tangent.
		dir := unit(a.p1.Sub(a.c1))
		head := 7 + sty.Width
		p.CubeTo(a.c0, a.c1, a.p1.Sub(dir.Scale(head*0.8)))
		c.SetLineStyle(sty)
		c.Stroke(p)
		arrowHead(c, sty.Color, a.p1, dir, head)
	}

	// Neurons.
	last := len(d.cols) - 1
	for ci, col := range d.cols {
		fill := fillH
		switch ci {
		case 0:
			fill = fillIn
		case last:
			fill = fillO
		}
		for s, k := range col.shown {
			p := d.pos(ci, s)
			if k < 0 {
				for _, dy := range []vg.Length{-8, 0, 8} {
					c.SetColor(Muted)
					c.Fill(circle(vg.Point{X: p.X, Y: p.Y + dy}, 1.8))
				}
				continue
			}
			c.SetColor(fill)
			c.Fill(circle(p, d.r))
			c.SetLineStyle(draw.LineStyle{Color: Ink, Width: 1.2})
			c.Stroke(circle(p, d.r))
			switch {
			case col.act != "":
				d.glyph(c, col.act, p)
			case ci > 0:
				c.FillText(textStyle(13, Ink), p, "Σ")
			}
			for _, t := range d.neuronText(ci, s) {
				if t.plate {
					label(c, t.sty, t.at, t.text)
				} else {
					c.FillText(t.sty, t.at, t.text)
				}
			}
		}
		for _, t := range d.headerText(ci) {
			c.FillText(t.sty, t.at, t.text)
		}
	}
	for _, l := range d.edgeLabels {
		sty := weightStyle
		sty.Color = l.clr
		if l.clr == Zero {
			sty.Color = Muted
		}
		label(c, sty, l.at, l.text)
	}
	d.drawLegend(c)
}

// glyph draws a small plot of the activation inside a neuron.
func (d *Diagram) glyph(c draw.Canvas, name string, center vg.Point) {
	const n = 41
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = -3 + 6*float64(i)/(n-1)
	}
	ys, _, err := ActivationCurve(name, nil, xs)
	if err != nil {
		c.FillText(textStyle(9, Ink), center, DisplayName(name))
		return
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, y := range ys {
		lo, hi = math.Min(lo, y), math.Max(hi, y)
	}
	if hi-lo < 1e-9 {
		hi = lo + 1
	}
	half := d.r * 0.55
	pt := func(i int) vg.Point {
		return vg.Point{
			X: center.X + vg.Length(xs[i]/3)*half,
			Y: center.Y + vg.Length((ys[i]-lo)/(hi-lo)*2-1)*half,
		}
	}
	pts := make([]vg.Point, n)
	for i := range pts {
		pts[i] = pt(i)
	}
	c.StrokeLines(draw.LineStyle{Color: Positive, Width: 1.6}, pts)
}

// legendItems lists what the legend explains.
func (d *Diagram) legendItems() []legendItem {
	items := []legendItem{
		{line: d.lineFor(d.maxW), text: "positive weight"},
		{line: d.lineFor(-d.maxW), text: "negative weight"},
	}
	if d.hasZero {
		items = append(items, legendItem{line: d.lineFor(0), text: "zero weight"})
	}
	items = append(items, legendItem{text: "line width grows with |weight|"})
	if d.hasSkip {
		t := "curved arc: skip connection"
		if d.residual {
			t = "curved arc: residual shortcut (identity)"
		}
		items = append(items, legendItem{arc: true, line: d.lineFor(d.maxW), text: t})
	}
	if d.labelled {
		items = append(items, legendItem{text: "b = bias of the neuron"})
	} else {
		items = append(items, legendItem{text: strconv.Itoa(d.nEdges) + " connections, values not written"})
	}
	return items
}

type legendItem struct {
	line draw.LineStyle
	arc  bool
	text string
}

func (it legendItem) width() vg.Length {
	w := legendStyle.Width(it.text)
	if it.line.Color != nil {
		w += 30
	}
	return w
}

// legendRows wraps the legend items into rows no wider than width.
func (d *Diagram) legendRows(width vg.Length) [][]legendItem {
	var rows [][]legendItem
	var cur []legendItem
	var w vg.Length
	for _, it := range d.legendItems() {
		iw := it.width() + 18
		if len(cur) > 0 && w+iw > width {
			rows = append(rows, cur)
			cur, w = nil, 0
		}
		cur = append(cur, it)
		w += iw
	}
	return append(rows, cur)
}

func (d *Diagram) legendHeight(width vg.Length) vg.Length {
	return vg.Length(len(d.legendRows(width))) * 18
}

func (d *Diagram) drawLegend(c draw.Canvas) {
	inner := d.width - 36
	rows := d.legendRows(inner)
	y := d.bottom - 16 - 9
	left := -d.offset.X + 18
	for _, row := range rows {
		var total vg.Length
		for _, it := range row {
			total += it.width() + 18
		}
		x := left + (inner-total+18)/2
		for _, it := range row {
			if it.line.Color != nil {
				if it.arc {
					var p vg.Path
					p.Move(vg.Point{X: x, Y: y - 4})
					p.CubeTo(vg.Point{X: x + 4, Y: y + 6}, vg.Point{X: x + 20, Y: y + 6}, vg.Point{X: x + 24, Y: y - 4})
					c.SetLineStyle(it.line)
					c.Stroke(p)
				} else {
					strokeLine(c, it.line, vg.Point{X: x, Y: y}, vg.Point{X: x + 24, Y: y})
				}
				x += 30
			}
			sty := legendStyle
			sty.XAlign = draw.XLeft
			c.FillText(sty, vg.Point{X: x, Y: y}, it.text)
			x += legendStyle.Width(it.text) + 18
		}
		y -= 18
	}
}
