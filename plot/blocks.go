package plot

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bigfunc/bigfunc/nn"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BlockDiagram draws a network as a column of boxes, one per layer, each
// naming the layer and the shape of the feature maps it produces: the
// picture of a convolutional network, whose neurons are too many to draw
// one by one. Residual blocks are drawn as a bracket around their body,
// with the shortcut beside it.
type BlockDiagram struct {
	title, caption string
	rows           []blockRow
	width, height  vg.Length
}

// blockRow is one box: its text, its indentation (depth of residual
// nesting) and whether it opens or closes a residual block.
type blockRow struct {
	text, shape string
	depth       int
	kind        rowKind
}

type rowKind int

const (
	rowLayer rowKind = iota
	rowInput
	rowResidual // a residual block's header: the shortcut's description
	rowMerge    // where shortcut and body add up
)

// NewBlockDiagram lays out net for inputs of the per-sample shape in. It
// reads only the layer protocol: descriptions and shapes.
func NewBlockDiagram(net *nn.Sequential, in []int, title, caption string) (*BlockDiagram, error) {
	d := &BlockDiagram{title: title, caption: caption}
	d.rows = append(d.rows, blockRow{text: "input", shape: shapeText(in), kind: rowInput})
	if _, err := d.add(net.Layers, in, 0); err != nil {
		return nil, err
	}
	d.layout()
	return d, nil
}

func (d *BlockDiagram) add(layers []nn.Layer, in []int, depth int) ([]int, error) {
	for i, l := range layers {
		out, err := l.OutShape(in)
		if err != nil {
			return nil, fmt.Errorf("plot: layer %d: %w", i, err)
		}
		desc := l.Describe()
		if desc.Op != "residual" {
			d.rows = append(d.rows, blockRow{text: LayerSummary(desc, in, out), shape: shapeText(out), depth: depth})
			in = out
			continue
		}
		short := "identity shortcut"
		var body []nn.Layer
		for _, b := range desc.Blocks {
			switch b.Name {
			case "body":
				body = b.Layers
			case "shortcut":
				parts := make([]string, len(b.Layers))
				sin := in
				for j, sl := range b.Layers {
					sout, err := sl.OutShape(sin)
					if err != nil {
						return nil, fmt.Errorf("plot: layer %d shortcut: %w", i, err)
					}
					parts[j] = LayerSummary(sl.Describe(), sin, sout)
					sin = sout
				}
				short = "shortcut: " + strings.Join(parts, ", ")
			}
		}
		d.rows = append(d.rows, blockRow{text: "residual", shape: short, depth: depth, kind: rowResidual})
		if _, err := d.add(body, in, depth+1); err != nil {
			return nil, err
		}
		d.rows = append(d.rows, blockRow{text: "+", shape: shapeText(out), depth: depth, kind: rowMerge})
		in = out
	}
	return in, nil
}

// LayerSummary names a layer by its op and options, "linear 2→4",
// "dropout p=0.2", "conv2d kernel_size=[3 3] out_channels=8", leaving out
// options at their usual true (bias, affine).
func LayerSummary(d nn.Desc, in, out []int) string {
	if d.Op == "linear" && len(in) > 0 && len(out) > 0 {
		return fmt.Sprintf("linear %d→%d", in[len(in)-1], out[len(out)-1])
	}
	keys := make([]string, 0, len(d.Config))
	for k := range d.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := []string{d.Op}
	for _, k := range keys {
		v := d.Config[k]
		if b, ok := v.(bool); ok && b && (k == "bias" || k == "affine" || k == "elementwise_affine" || k == "track_running_stats") {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	return strings.Join(parts, " ")
}

// shapeText writes a per-sample shape, channels × height × width.
func shapeText(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " × ")
}

const (
	blockRowH  = vg.Length(30)
	blockGap   = vg.Length(10)
	blockIndnt = vg.Length(22)
	blockPad   = vg.Length(24)
)

var (
	blockText  = textStyle(10, Ink)
	blockShape = textStyle(9, Muted)
)

func (d *BlockDiagram) layout() {
	w := vg.Length(260)
	for _, r := range d.rows {
		tw := blockText.Width(r.text) + blockShape.Width(r.shape) + 48 + vg.Length(r.depth)*blockIndnt
		w = max(w, tw)
	}
	w = max(w, titleStyle.Width(d.title), capStyle.Width(d.caption))
	d.width = w + 2*blockPad
	d.height = vg.Length(len(d.rows))*(blockRowH+blockGap) + 2*blockPad + 44
}

// Size returns the diagram's width and height.
func (d *BlockDiagram) Size() (vg.Length, vg.Length) { return d.width, d.height }

// Draw draws the boxes top to bottom with arrows between them.
func (d *BlockDiagram) Draw(c draw.Canvas) {
	top := c.Max.Y - blockPad
	c.FillText(titleStyle, vg.Point{X: c.Min.X + d.width/2, Y: top}, d.title)
	top -= 28
	left, right := c.Min.X+blockPad, c.Min.X+d.width-blockPad
	line := draw.LineStyle{Color: Muted, Width: 1}
	var prev vg.Point
	for i, r := range d.rows {
		y := top - vg.Length(i)*(blockRowH+blockGap)
		x0 := left + vg.Length(r.depth)*blockIndnt
		box := vg.Rectangle{Min: vg.Point{X: x0, Y: y - blockRowH}, Max: vg.Point{X: right, Y: y}}
		fill := fillH
		switch r.kind {
		case rowInput:
			fill = fillIn
		case rowResidual, rowMerge:
			fill = fillO
		}
		if i == len(d.rows)-1 {
			fill = fillO
		}
		c.SetColor(fill)
		c.Fill(roundRect(box, 5))
		c.SetLineStyle(draw.LineStyle{Color: Ink, Width: 0.8})
		c.Stroke(roundRect(box, 5))
		mid := y - blockRowH/2
		name := blockText
		name.XAlign = draw.XLeft
		if r.kind != rowLayer {
			name = bold(name)
		}
		c.FillText(name, vg.Point{X: x0 + 10, Y: mid}, r.text)
		shape := blockShape
		shape.XAlign = draw.XRight
		c.FillText(shape, vg.Point{X: right - 10, Y: mid}, r.shape)
		here := vg.Point{X: (x0 + right) / 2, Y: y}
		if i > 0 {
			arrow(c, line, prev, here, 5)
		}
		prev = vg.Point{X: here.X, Y: y - blockRowH}
	}
	c.FillText(capStyle, vg.Point{X: c.Min.X + d.width/2, Y: c.Min.Y + blockPad/2 + 4}, d.caption)
}
