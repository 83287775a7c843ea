package plot

import (
	"fmt"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Curve is one line of a Chart. A NaN in X or Y breaks the line, so a
// function with a jump (the derivative of ReLU at 0) is drawn as separate
// pieces instead of with a misleading vertical stroke.
type Curve struct {
	// Label names the curve in the legend; an empty label adds no entry.
	Label string
	X, Y  []float64
	// Color is the line colour; nil takes the next series colour.
	Color color.Color
	// Dashed draws a dashed line, the convention for derivatives.
	Dashed bool
	// Width is the line width; 0 means 1.6 points.
	Width vg.Length
}

// Mark is a dot on a Chart: a point worth pointing at, such as the value
// of a derivative exactly at a kink.
type Mark struct {
	X, Y float64
	// Hollow draws a ring instead of a disc: the end of a piece that does
	// not include its end point.
	Hollow bool
	Color  color.Color
	// Label is written next to the dot.
	Label string
}

// Corner places a chart's legend.
type Corner int

// Legend corners.
const (
	// TopLeft is the upper left corner of the data area.
	TopLeft Corner = iota
	// TopRight is the upper right corner.
	TopRight
	// BottomLeft is the lower left corner.
	BottomLeft
	// BottomRight is the lower right corner.
	BottomRight
)

// Chart is a function plot: axes, grid, labels, curves and a legend.
type Chart struct {
	Title, XLabel, YLabel string
	Curves                []Curve
	Marks                 []Mark
	// XMin, XMax and YMin, YMax fix the axis ranges; a range whose Min is
	// not below its Max is fitted to the data instead.
	XMin, XMax, YMin, YMax float64
	// LogY uses a logarithmic vertical axis.
	LogY bool
	// Legend places the legend, and LegendOffset moves it from there (to
	// the centre of an empty region, say).
	Legend       Corner
	LegendOffset vg.Point
	// ZeroLines draws the axes x = 0 and y = 0 when they are in range, as
	// a textbook figure of a function does.
	ZeroLines bool
}

// Sample evaluates f at n evenly spaced points of [lo, hi], both ends
// included.
func Sample(f func(float64) float64, lo, hi float64, n int) (xs, ys []float64) {
	xs, ys = make([]float64, n), make([]float64, n)
	for i := range n {
		x := lo + (hi-lo)*float64(i)/float64(n-1)
		xs[i], ys[i] = x, f(x)
	}
	return xs, ys
}

// BreakJumps returns xs and ys with a NaN inserted between neighbours
// whose step is both large (over a tenth of the range of ys) and far
// larger (eight times) than the steps on either side: a jump, not a steep
// stretch. A line through the result is cut there rather than bridging
// the jump with a stroke that suggests values the function never takes.
func BreakJumps(xs, ys []float64) (bx, by []float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, y := range ys {
		lo, hi = math.Min(lo, y), math.Max(hi, y)
	}
	limit := 0.1 * (hi - lo)
	step := func(i int) float64 {
		if i < 1 || i >= len(ys) {
			return 0
		}
		return math.Abs(ys[i] - ys[i-1])
	}
	for i := range xs {
		if s := step(i); i > 0 && s > limit && s > 8*math.Max(step(i-1), step(i+1)) {
			bx, by = append(bx, math.NaN()), append(by, math.NaN())
		}
		bx, by = append(bx, xs[i]), append(by, ys[i])
	}
	return bx, by
}

// pieces splits a curve at its NaNs.
func pieces(xs, ys []float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for i := range xs {
		if math.IsNaN(xs[i]) || math.IsNaN(ys[i]) || math.IsInf(ys[i], 0) {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, plotter.XY{X: xs[i], Y: ys[i]})
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// styled gives a gonum plot this package's fonts and colours.
func styled(p *gplot.Plot) {
	f := func(size vg.Length) font.Font { return font.From(sans, size) }
	p.Title.TextStyle.Font = bold(textStyle(12, Ink)).Font
	p.Title.TextStyle.Font.Size = 12
	p.Title.TextStyle.Color = Ink
	p.Title.Padding = 6
	for _, a := range []*gplot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = f(11)
		a.Label.TextStyle.Color = Ink
		a.Tick.Label.Font = f(9.5)
		a.Tick.Label.Color = Ink
		a.Color = Muted
		a.Tick.Color = Muted
	}
	p.Legend.TextStyle.Font = f(10)
	p.Legend.TextStyle.Color = Ink
	p.Legend.ThumbnailWidth = 28
	p.Legend.Padding = 3
}

// grid returns the background grid of a chart.
func grid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical = draw.LineStyle{Color: color.Gray{Y: 0xe4}, Width: 0.6}
	g.Horizontal = g.Vertical
	return g
}

// Plot builds the chart as a gonum plot.
func (ch *Chart) Plot() (*gplot.Plot, error) {
	p := gplot.New()
	styled(p)
	p.Title.Text = ch.Title
	p.X.Label.Text = ch.XLabel
	p.Y.Label.Text = ch.YLabel
	p.Add(grid())
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	if ch.LogY {
		// Plot log₁₀ y on a linear axis labelled in powers of ten, rather
		// than use gonum's logarithmic scale: that one places the y label
		// by the arithmetic middle of the range, which on a log axis sits
		// near the top and squeezes the plot.
		p.Y.Tick.Marker = decadeTicks{}
	}
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	type drawn struct {
		lines []*plotter.Line
		label string
	}
	var all []drawn
	for i, c := range ch.Curves {
		if len(c.X) != len(c.Y) {
			return nil, fmt.Errorf("plot: curve %q: %d x values but %d y values", c.Label, len(c.X), len(c.Y))
		}
		sty := draw.LineStyle{Color: c.Color, Width: c.Width}
		if sty.Color == nil {
			sty.Color = SeriesColor(i)
		}
		if sty.Width == 0 {
			sty.Width = 1.6
		}
		if c.Dashed {
			sty.Dashes = []vg.Length{5, 3}
		}
		d := drawn{label: c.Label}
		for _, xy := range pieces(c.X, c.Y) {
			if ch.LogY {
				xy = logY(xy)
				if len(xy) == 0 {
					continue
				}
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return nil, fmt.Errorf("plot: curve %q: %w", c.Label, err)
			}
			l.LineStyle = sty
			d.lines = append(d.lines, l)
			for _, pt := range xy {
				xmin, xmax = math.Min(xmin, pt.X), math.Max(xmax, pt.X)
				ymin, ymax = math.Min(ymin, pt.Y), math.Max(ymax, pt.Y)
			}
		}
		all = append(all, d)
	}
	if ch.XMin < ch.XMax {
		xmin, xmax = ch.XMin, ch.XMax
	}
	if ch.YMin < ch.YMax {
		ymin, ymax = ch.YMin, ch.YMax
		if ch.LogY {
			ymin, ymax = math.Log10(ymin), math.Log10(ymax)
		}
	} else if ymax > ymin {
		// Leave air above and below the data so that curves do not run
		// along the frame.
		pad := 0.08 * (ymax - ymin)
		ymin, ymax = ymin-pad, ymax+pad
	}
	if math.IsInf(xmin, 0) || math.IsInf(ymin, 0) {
		return nil, fmt.Errorf("plot: chart %q has no finite points", ch.Title)
	}
	if ch.ZeroLines {
		axis := draw.LineStyle{Color: color.Gray{Y: 0x88}, Width: 0.9}
		if xmin < 0 && xmax > 0 {
			l, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: ymin}, {X: 0, Y: ymax}})
			l.LineStyle = axis
			p.Add(l)
		}
		if ymin < 0 && ymax > 0 && !ch.LogY {
			l, _ := plotter.NewLine(plotter.XYs{{X: xmin, Y: 0}, {X: xmax, Y: 0}})
			l.LineStyle = axis
			p.Add(l)
		}
	}
	var texts []string
	for _, d := range all {
		if d.label != "" && len(d.lines) > 0 {
			texts = append(texts, d.label)
		}
	}
	p.Add(backdrop(texts))
	for _, d := range all {
		for _, l := range d.lines {
			p.Add(l)
		}
		if d.label != "" && len(d.lines) > 0 {
			p.Legend.Add(d.label, d.lines[0])
		}
	}
	for _, m := range ch.Marks {
		if ch.LogY {
			m.Y = math.Log10(m.Y)
		}
		s, err := plotter.NewScatter(plotter.XYs{{X: m.X, Y: m.Y}})
		if err != nil {
			return nil, err
		}
		clr := m.Color
		if clr == nil {
			clr = Ink
		}
		s.GlyphStyle = draw.GlyphStyle{Color: clr, Radius: 3, Shape: draw.CircleGlyph{}}
		if m.Hollow {
			s.GlyphStyle.Shape = hollowGlyph{}
		}
		p.Add(s)
		if m.Label != "" {
			p.Add(markLabel{x: m.X, y: m.Y, text: m.Label, clr: clr})
		}
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, ymin, ymax
	p.Legend.Top = ch.Legend == TopLeft || ch.Legend == TopRight
	p.Legend.Left = ch.Legend == TopLeft || ch.Legend == BottomLeft
	p.Legend.XOffs, p.Legend.YOffs = 8, -6
	if !p.Legend.Left {
		p.Legend.XOffs = -8
	}
	if !p.Legend.Top {
		p.Legend.YOffs = 6
	}
	p.Legend.XOffs += ch.LegendOffset.X
	p.Legend.YOffs += ch.LegendOffset.Y
	return p, nil
}

// logY replaces y by log₁₀ y, dropping the points a logarithmic axis
// cannot show.
func logY(xy plotter.XYs) plotter.XYs {
	var out plotter.XYs
	for _, p := range xy {
		if p.Y > 0 {
			out = append(out, plotter.XY{X: p.X, Y: math.Log10(p.Y)})
		}
	}
	return out
}

// hollowGlyph is a ring filled with the paper colour, so that it hides the
// line it sits on: the open end of a piece.
type hollowGlyph struct{}

func (hollowGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetColor(paper)
	c.Fill(circle(pt, sty.Radius))
	c.SetLineWidth(1.2)
	c.SetLineDash(nil, 0)
	c.SetColor(sty.Color)
	c.Stroke(circle(pt, sty.Radius))
}

// Panels is a figure of gonum plots in a grid whose data areas line up.
type Panels struct {
	// Title is written above the grid.
	Title string
	// Plots holds the rows of plots; a nil cell stays blank.
	Plots [][]*gplot.Plot
	// Width and Height are the size of the whole figure.
	Width, Height vg.Length
}

// Size returns the figure's size.
func (p *Panels) Size() (vg.Length, vg.Length) { return p.Width, p.Height }

// Draw draws the plots.
func (p *Panels) Draw(c draw.Canvas) {
	if p.Title != "" {
		sty := bold(textStyle(13, Ink))
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y - 6}, p.Title)
		c.Max.Y -= sty.Rectangle(p.Title).Size().Y + 12
	}
	rows := len(p.Plots)
	cols := 0
	for _, r := range p.Plots {
		cols = max(cols, len(r))
	}
	if rows == 0 || cols == 0 {
		return
	}
	// Align wants a full rectangle of cells.
	full := make([][]*gplot.Plot, rows)
	for i, r := range p.Plots {
		full[i] = make([]*gplot.Plot, cols)
		copy(full[i], r)
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: 14, PadY: 14, PadTop: 4, PadBottom: 4, PadLeft: 4, PadRight: 8}
	cells := gplot.Align(full, tiles, c)
	for i, r := range full {
		for j, pl := range r {
			if pl != nil {
				pl.Draw(cells[i][j])
			}
		}
	}
}

// Charts builds the charts and lays them out in cols columns.
func Charts(title string, cols int, width, height vg.Length, charts ...*Chart) (*Panels, error) {
	if cols < 1 {
		cols = 1
	}
	p := &Panels{Title: title, Width: width, Height: height}
	for i, ch := range charts {
		pl, err := ch.Plot()
		if err != nil {
			return nil, err
		}
		if i%cols == 0 {
			p.Plots = append(p.Plots, nil)
		}
		p.Plots[len(p.Plots)-1] = append(p.Plots[len(p.Plots)-1], pl)
	}
	return p, nil
}

// backdrop is a plotter that paints the paper colour where the legend
// will go, so that grid and axis lines do not run through its text. It is
// added before the curves, so it never hides data.
type backdrop []string

func (b backdrop) Plot(c draw.Canvas, p *gplot.Plot) {
	if len(b) == 0 {
		return
	}
	l := p.Legend
	sty := l.TextStyle
	em := sty.Rectangle(" ").Max.X
	var w, enth vg.Length
	for _, t := range b {
		r := sty.Rectangle(t)
		w = max(w, r.Max.X)
		enth = max(enth, r.Max.Y)
	}
	w += l.ThumbnailWidth + em
	n := vg.Length(len(b))
	h := n*enth + (n-1)*l.Padding
	var r vg.Rectangle
	if l.Left {
		r.Min.X = c.Min.X + l.XOffs
	} else {
		r.Min.X = c.Max.X + l.XOffs - w
	}
	r.Max.X = r.Min.X + w
	if l.Top {
		r.Max.Y = c.Max.Y + l.YOffs
		r.Min.Y = r.Max.Y - h
	} else {
		r.Min.Y = c.Min.Y + l.YOffs
		r.Max.Y = r.Min.Y + h
	}
	c.SetColor(color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xe6})
	c.Fill(roundRect(padRect(r, 5), 3))
}

// markLabel writes a mark's label beside it on a translucent plate, so
// that a curve passing under it does not cross out the text.
type markLabel struct {
	x, y float64
	text string
	clr  color.Color
}

func (m markLabel) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := textStyle(9.5, m.clr)
	// Below and to the right of the dot, where a rising curve is not;
	// above it when the dot is near the bottom of the frame.
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YTop
	at := vg.Point{X: trX(m.x) + 7, Y: trY(m.y) - 5}
	if at.Y-c.Min.Y < 17 {
		sty.YAlign = draw.YBottom
		at.Y = trY(m.y) + 5
	}
	c.SetColor(color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xc0})
	c.Fill(roundRect(padRect(textBox(sty, at, m.text), 1.5), 2))
	c.FillText(sty, at, m.text)
}
