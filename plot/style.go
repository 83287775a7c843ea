package plot

import (
	"image/color"
	"math"
	"strconv"
	"strings"

	xfont "golang.org/x/image/font"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colours shared by every figure, chosen to stay distinguishable for the
// common forms of colour blindness (blue against red-orange rather than red
// against green).
var (
	// Positive is the colour of positive weights and of the forward pass.
	Positive = color.RGBA{R: 0x1f, G: 0x5f, B: 0xbf, A: 0xff}
	// Negative is the colour of negative weights and of the backward pass.
	Negative = color.RGBA{R: 0xd6, G: 0x40, B: 0x1f, A: 0xff}
	// Zero is the colour of weights that are exactly zero.
	Zero = color.RGBA{R: 0xa0, G: 0xa0, B: 0xa0, A: 0xff}
	// Ink is the colour of text and outlines.
	Ink = color.RGBA{R: 0x22, G: 0x22, B: 0x22, A: 0xff}
	// Muted is the colour of secondary text such as biases.
	Muted = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}

	paper  = color.White
	fillIn = color.RGBA{R: 0xee, G: 0xf3, B: 0xfb, A: 0xff}
	fillH  = color.RGBA{R: 0xfb, G: 0xf7, B: 0xea, A: 0xff}
	fillO  = color.RGBA{R: 0xee, G: 0xf8, B: 0xee, A: 0xff}
)

// Series colours of function plots, in order of use.
var series = []color.Color{
	Positive,
	Negative,
	color.RGBA{R: 0x2a, G: 0x9d, B: 0x5a, A: 0xff},
	color.RGBA{R: 0x8e, G: 0x44, B: 0xad, A: 0xff},
	color.RGBA{R: 0xe0, G: 0x9a, B: 0x10, A: 0xff},
	color.RGBA{R: 0x11, G: 0x11, B: 0x11, A: 0xff},
}

// SeriesColor returns the i-th colour of the plot palette.
func SeriesColor(i int) color.Color { return series[i%len(series)] }

// sans is the typeface of every label. Liberation Sans ships inside gonum
// plot, so output does not depend on the fonts installed.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// textStyle returns a centred text style of the given size and colour.
func textStyle(size vg.Length, clr color.Color) draw.TextStyle {
	return draw.TextStyle{
		Color:   clr,
		Font:    font.From(sans, size),
		XAlign:  draw.XCenter,
		YAlign:  draw.YCenter,
		Handler: gplot.DefaultTextHandler,
	}
}

func bold(sty draw.TextStyle) draw.TextStyle {
	sty.Font.Weight = xfont.WeightBold
	return sty
}

func italic(sty draw.TextStyle) draw.TextStyle {
	sty.Font.Style = xfont.StyleItalic
	return sty
}

// textBox returns the rectangle sty would cover drawing txt at pt.
func textBox(sty draw.TextStyle, pt vg.Point, txt string) vg.Rectangle {
	return sty.Rectangle(txt).Add(pt)
}

// FormatNumber formats a weight for a label with three significant
// digits ("1", "0.942", "3.2e−5") and a true minus sign (U+2212), which is
// wider and easier to see than a hyphen.
func FormatNumber(v float64) string { return FormatDigits(v, 3) }

// FormatDigits formats v as FormatNumber does with the given number of
// significant digits.
func FormatDigits(v float64, digits int) string {
	s := strconv.FormatFloat(v, 'g', digits, 64)
	if m, e, ok := strings.Cut(s, "e"); ok {
		// 3.2e-05 → 3.2e−5
		sign := ""
		if e[0] == '-' {
			sign = "−"
		}
		s = m + "e" + sign + strings.TrimLeft(e[1:], "0")
	}
	return strings.Replace(s, "-", "−", 1)
}

// strokeLine draws a straight segment.
func strokeLine(c draw.Canvas, sty draw.LineStyle, a, b vg.Point) {
	c.StrokeLines(sty, []vg.Point{a, b})
}

// arrowHead fills a triangular head at tip pointing along direction dir.
func arrowHead(c draw.Canvas, clr color.Color, tip, dir vg.Point, size vg.Length) {
	d := unit(dir)
	n := vg.Point{X: -d.Y, Y: d.X}
	back := tip.Sub(d.Scale(size))
	half := size * 0.45
	c.FillPolygon(clr, []vg.Point{tip, back.Add(n.Scale(half)), back.Sub(n.Scale(half))})
}

// arrow draws a straight arrow from a to b, its head at b.
func arrow(c draw.Canvas, sty draw.LineStyle, a, b vg.Point, head vg.Length) {
	d := unit(b.Sub(a))
	// Stop the shaft inside the head so a thick line does not poke through
	// its tip.
	strokeLine(c, sty, a, b.Sub(d.Scale(head*0.8)))
	arrowHead(c, sty.Color, b, d, head)
}

func unit(p vg.Point) vg.Point {
	l := vg.Length(math.Hypot(float64(p.X), float64(p.Y)))
	if l == 0 {
		return vg.Point{X: 1}
	}
	return vg.Point{X: p.X / l, Y: p.Y / l}
}

// roundRect returns the outline of a rectangle with rounded corners.
func roundRect(r vg.Rectangle, rad vg.Length) vg.Path {
	var p vg.Path
	x0, y0, x1, y1 := r.Min.X, r.Min.Y, r.Max.X, r.Max.Y
	p.Move(vg.Point{X: x0 + rad, Y: y0})
	p.Line(vg.Point{X: x1 - rad, Y: y0})
	p.Arc(vg.Point{X: x1 - rad, Y: y0 + rad}, rad, -math.Pi/2, math.Pi/2)
	p.Line(vg.Point{X: x1, Y: y1 - rad})
	p.Arc(vg.Point{X: x1 - rad, Y: y1 - rad}, rad, 0, math.Pi/2)
	p.Line(vg.Point{X: x0 + rad, Y: y1})
	p.Arc(vg.Point{X: x0 + rad, Y: y1 - rad}, rad, math.Pi/2, math.Pi/2)
	p.Line(vg.Point{X: x0, Y: y0 + rad})
	p.Arc(vg.Point{X: x0 + rad, Y: y0 + rad}, rad, math.Pi, math.Pi/2)
	p.Close()
	return p
}

// circle returns the outline of a circle.
func circle(center vg.Point, r vg.Length) vg.Path {
	var p vg.Path
	p.Move(vg.Point{X: center.X + r, Y: center.Y})
	p.Arc(center, r, 0, 2*math.Pi)
	p.Close()
	return p
}

// label draws txt centred at pt on a white plate, so that it stays legible
// where it crosses lines.
func label(c draw.Canvas, sty draw.TextStyle, pt vg.Point, txt string) {
	r := padRect(textBox(sty, pt, txt), 2)
	c.SetColor(paper)
	c.Fill(roundRect(r, 2))
	c.FillText(sty, pt, txt)
}

func padRect(r vg.Rectangle, d vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: r.Min.X - d, Y: r.Min.Y - d}, Max: vg.Point{X: r.Max.X + d, Y: r.Max.Y + d}}
}

func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

// overlapArea is the area two rectangles share, zero when disjoint.
func overlapArea(a, b vg.Rectangle) float64 {
	w := math.Min(float64(a.Max.X), float64(b.Max.X)) - math.Max(float64(a.Min.X), float64(b.Min.X))
	h := math.Min(float64(a.Max.Y), float64(b.Max.Y)) - math.Max(float64(a.Min.Y), float64(b.Min.Y))
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}
