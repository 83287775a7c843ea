package plot

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"github.com/bigfunc/bigfunc/nn"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MaxKANEdges is the most edges a KAN diagram draws: each edge gets a plot
// of its own.
const MaxKANEdges = 96

// KANDiagram is a laid-out drawing of a Kolmogorov–Arnold network as the
// KAN paper draws one: nodes that sum, and on every edge i → o a small plot
// of its learned function φ_oi over the input's grid, the edge drawn
// stronger the more its function varies.
type KANDiagram struct {
	title, caption string
	cols           [][]string // node names per column ("" inside)
	layers         []kanLayer
	width, height  vg.Length
	top            vg.Length // where the network drawing starts, from the bottom
	xs             []vg.Length
	boxX           []vg.Length
}

type kanLayer struct {
	in, out int
	curves  [][]vg.Point // by edge o·in + i, in box coordinates [0, 1]²
	spread  []float64    // max φ − min φ by edge
	zero    []float64    // where φ = 0 lies in the box, or −1
	ranges  [][2]float64 // input ranges by i
	top     float64      // the largest spread of the layer
}

// Layout of KAN diagrams, in points.
const (
	kanBoxW, kanBoxH = 64, 38
	kanBoxGap        = 10
	kanNodeR         = 10
	kanNodeGap       = 46
	kanColGap        = 46
	kanSamples       = 64
)

// IsKAN reports whether every layer of net that computes anything carries
// edge functions (nn.EdgeFunctions), so that NewKANDiagram can draw it.
func IsKAN(net *nn.Sequential) bool {
	found := false
	for _, l := range net.Layers {
		switch {
		case isEdgeFunctions(l):
			found = true
		case l.Describe().Op == "flatten":
		default:
			return false
		}
	}
	return found
}

func isEdgeFunctions(l nn.Layer) bool {
	_, ok := l.(nn.EdgeFunctions)
	return ok
}

// NewKANDiagram lays out a network of Kolmogorov–Arnold layers (see
// IsKAN), reading Net, InputNames, OutputNames, Title and Caption of n.
// It reports an error for other layers, for sizes that do not chain, and
// for more than MaxKANEdges edges.
func NewKANDiagram(n Network) (*KANDiagram, error) {
	if n.Net == nil {
		return nil, fmt.Errorf("plot: no network to draw")
	}
	d := &KANDiagram{title: n.Title, caption: n.Caption}
	edges := 0
	for i, l := range n.Net.Layers {
		ef, ok := l.(nn.EdgeFunctions)
		if !ok {
			if l.Describe().Op == "flatten" {
				continue
			}
			return nil, fmt.Errorf("plot: layer %d: a %s layer has no functions on its edges to draw", i, l.Describe().Op)
		}
		in, out := ef.EdgeShape()
		if len(d.layers) > 0 && d.layers[len(d.layers)-1].out != in {
			return nil, fmt.Errorf("plot: layer %d takes %d inputs but follows a layer of %d outputs", i, in, d.layers[len(d.layers)-1].out)
		}
		if edges += in * out; edges > MaxKANEdges {
			return nil, fmt.Errorf("plot: the network has more than %d edges, too many to plot one by one", MaxKANEdges)
		}
		d.layers = append(d.layers, sampleLayer(ef, in, out))
	}
	if len(d.layers) == 0 {
		return nil, fmt.Errorf("plot: the network has no layer with edge functions")
	}
	d.cols = append(d.cols, names(n.InputNames, d.layers[0].in, "x"))
	for k, l := range d.layers {
		if k == len(d.layers)-1 {
			d.cols = append(d.cols, names(n.OutputNames, l.out, "y"))
		} else {
			d.cols = append(d.cols, make([]string, l.out))
		}
	}
	d.layout()
	return d, nil
}

// sampleLayer evaluates every edge function of a layer on its input's
// range and scales each curve into its box.
func sampleLayer(ef nn.EdgeFunctions, in, out int) kanLayer {
	l := kanLayer{in: in, out: out, curves: make([][]vg.Point, in*out), spread: make([]float64, in*out), zero: make([]float64, in*out)}
	x, y := make([]float64, kanSamples), make([]float64, kanSamples)
	for i := range in {
		lo, hi := ef.EdgeRange(i)
		l.ranges = append(l.ranges, [2]float64{lo, hi})
		for j := range x {
			x[j] = lo + (hi-lo)*float64(j)/float64(kanSamples-1)
		}
		for o := range out {
			ef.EdgeFunction(o, i, x, y)
			ymin, ymax := math.Inf(1), math.Inf(-1)
			for _, v := range y {
				ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
			}
			e := o*in + i
			l.spread[e] = ymax - ymin
			l.top = math.Max(l.top, ymax-ymin)
			span := ymax - ymin
			if !(span > 1e-12) {
				span, ymin = 1, ymin-0.5 // a constant: drawn across the middle
			}
			pts := make([]vg.Point, kanSamples)
			for j, v := range y {
				pts[j] = vg.Point{X: vg.Length(float64(j) / float64(kanSamples-1)), Y: vg.Length((v - ymin) / span)}
			}
			l.curves[e] = pts
			l.zero[e] = -1
			if z := -ymin / span; z >= 0 && z <= 1 {
				l.zero[e] = z
			}
		}
	}
	return l
}

// layout places the columns of nodes and the columns of edge plots
// between them.
func (d *KANDiagram) layout() {
	tallest := vg.Length(0)
	for _, c := range d.cols {
		tallest = max(tallest, vg.Length(len(c))*kanNodeGap)
	}
	for _, l := range d.layers {
		tallest = max(tallest, vg.Length(l.in*l.out)*(kanBoxH+kanBoxGap))
	}
	x := vg.Length(70) // room for the input names
	for k := range d.cols {
		d.xs = append(d.xs, x)
		if k < len(d.layers) {
			d.boxX = append(d.boxX, x+kanNodeR+kanColGap)
			x += kanNodeR + kanColGap + kanBoxW + kanColGap + kanNodeR
		}
	}
	d.width = x + 70
	d.top = tallest + 30
	d.height = d.top + 20
	if d.title != "" {
		d.height += 24
	}
	if d.caption != "" {
		d.height += 18
	}
	d.height += 10
}

// Size returns the diagram's width and height.
func (d *KANDiagram) Size() (vg.Length, vg.Length) { return d.width, d.height }

// node returns the centre of node k of column c.
func (d *KANDiagram) node(c, k int) vg.Point {
	n := len(d.cols[c])
	mid := d.top / 2
	return vg.Point{X: d.xs[c], Y: mid + (vg.Length(n-1)/2-vg.Length(k))*kanNodeGap}
}

// box returns the lower-left corner of the plot of edge e of layer k.
func (d *KANDiagram) box(k, e int) vg.Point {
	m := d.layers[k].in * d.layers[k].out
	mid := d.top / 2
	step := vg.Length(kanBoxH + kanBoxGap)
	cy := mid + (vg.Length(m-1)/2-vg.Length(e))*step
	return vg.Point{X: d.boxX[k], Y: cy - kanBoxH/2}
}

// strength returns how strongly to draw an edge, from 0.15 to 1, by how
// much its function varies against the strongest edge of its layer.
func (l *kanLayer) strength(e int) float64 {
	if !(l.top > 0) {
		return 0.15
	}
	return 0.15 + 0.85*l.spread[e]/l.top
}

func faded(c color.Color, a float64) color.Color {
	r, g, b, _ := c.RGBA()
	// Blend towards white rather than using alpha, which PDF and some
	// viewers render unevenly.
	mix := func(v uint32) uint8 { return uint8(float64(v>>8)*a + 255*(1-a)) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 0xff}
}

// Draw draws the diagram.
func (d *KANDiagram) Draw(c draw.Canvas) {
	y := d.height - 18
	if d.title != "" {
		sty := titleStyle
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: d.width / 2, Y: y}, d.title)
		y -= sty.Height(d.title) + 6
	}
	if d.caption != "" {
		sty := capStyle
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: d.width / 2, Y: y}, d.caption)
	}
	// Edges, then the plots on them, then the nodes on top.
	for k, l := range d.layers {
		for o := range l.out {
			for i := range l.in {
				e := o*l.in + i
				a := l.strength(e)
				sty := draw.LineStyle{Color: faded(Ink, a), Width: vg.Length(0.5 + 1.5*a)}
				b := d.box(k, e)
				from, to := d.node(k, i), d.node(k+1, o)
				strokeLine(c, sty, vg.Point{X: from.X + kanNodeR, Y: from.Y}, vg.Point{X: b.X, Y: b.Y + kanBoxH/2})
				strokeLine(c, sty, vg.Point{X: b.X + kanBoxW, Y: b.Y + kanBoxH/2}, vg.Point{X: to.X - kanNodeR, Y: to.Y})
			}
		}
		for e := range l.in * l.out {
			d.drawBox(c, k, e)
		}
	}
	last := len(d.cols) - 1
	for ci, col := range d.cols {
		fill := fillH
		switch ci {
		case 0:
			fill = fillIn
		case last:
			fill = fillO
		}
		for k, name := range col {
			p := d.node(ci, k)
			c.SetColor(fill)
			c.Fill(circle(p, kanNodeR))
			c.SetLineStyle(draw.LineStyle{Color: Ink, Width: 1.2})
			c.Stroke(circle(p, kanNodeR))
			if ci > 0 {
				c.FillText(textStyle(11, Ink), p, "Σ")
			}
			if name != "" {
				sty := nameStyle
				if ci == 0 {
					sty.XAlign = draw.XRight
					c.FillText(sty, vg.Point{X: p.X - kanNodeR - 6, Y: p.Y}, name)
				} else {
					sty.XAlign = draw.XLeft
					c.FillText(sty, vg.Point{X: p.X + kanNodeR + 6, Y: p.Y}, name)
				}
			}
		}
	}
}

// drawBox draws the plot of edge e of layer k: a frame, the zero line,
// the curve, and under the first plot of each input its range.
func (d *KANDiagram) drawBox(c draw.Canvas, k, e int) {
	l := &d.layers[k]
	b := d.box(k, e)
	a := l.strength(e)
	r := vg.Rectangle{Min: b, Max: vg.Point{X: b.X + kanBoxW, Y: b.Y + kanBoxH}}
	c.SetColor(color.White)
	c.Fill(r.Path())
	c.SetLineStyle(draw.LineStyle{Color: faded(Muted, 0.5), Width: 0.6})
	c.Stroke(r.Path())
	const pad = 3
	at := func(p vg.Point) vg.Point {
		return vg.Point{X: b.X + pad + p.X*(kanBoxW-2*pad), Y: b.Y + pad + p.Y*(kanBoxH-2*pad)}
	}
	if z := l.zero[e]; z >= 0 {
		zl := draw.LineStyle{Color: faded(Muted, 0.35), Width: 0.5, Dashes: []vg.Length{2, 2}}
		strokeLine(c, zl, at(vg.Point{X: 0, Y: vg.Length(z)}), at(vg.Point{X: 1, Y: vg.Length(z)}))
	}
	var p vg.Path
	for j, q := range l.curves[e] {
		if j == 0 {
			p.Move(at(q))
		} else {
			p.Line(at(q))
		}
	}
	c.SetLineStyle(draw.LineStyle{Color: faded(Positive, a), Width: vg.Length(0.8 + 0.9*a)})
	c.Stroke(p)
	// The edge's name, small, in the corner: φ_oi with 1-based indices.
	tag := textStyle(7, Muted)
	tag.XAlign, tag.YAlign = draw.XLeft, draw.YTop
	o, i := e/l.in, e%l.in
	c.FillText(tag, vg.Point{X: b.X + 2, Y: b.Y + kanBoxH - 1}, "φ"+subscript(o+1)+","+subscript(i+1))
	if o == l.out-1 || l.out == 1 {
		rng := textStyle(7, Muted)
		rng.YAlign = draw.YTop
		lo, hi := l.ranges[i][0], l.ranges[i][1]
		c.FillText(rng, vg.Point{X: b.X + kanBoxW/2, Y: b.Y - 1}, "["+strconv.FormatFloat(lo, 'g', 2, 64)+", "+strconv.FormatFloat(hi, 'g', 2, 64)+"]")
	}
}
