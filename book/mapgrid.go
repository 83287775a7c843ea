package book

import (
	"fmt"
	"image"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/bigfunc/bigfunc/plot"
	"github.com/bigfunc/bigfunc/tensor"
)

// panel is one small image of values: a kernel or a feature map, h×w,
// row-major, row 0 at the top.
type panel struct {
	label string
	h, w  int
	v     []float32
}

// panelRow is a titled run of panels that share one colour scale: values
// from lo to hi go through shade, which takes t in [0, 1].
type panelRow struct {
	title  string
	panels []panel
	lo, hi float64
	shade  func(t float64) color.Color
}

// mapGrid draws rows of panels, perLine to a line, each cell points wide:
// the first convolution's filters, and a digit's feature maps.
type mapGrid struct {
	title, caption string
	rows           []panelRow
	cell           vg.Length
	perLine        int
}

const (
	gridPad    vg.Length = 18
	gridTitleH vg.Length = 30
	gridRowH   vg.Length = 22 // a row's title
	gridLabelH vg.Length = 13 // a panel's label
	gridGap    vg.Length = 10
	gridCapH   vg.Length = 26
)

var (
	gridSans    = font.Font{Typeface: "Liberation", Variant: "Sans"}
	gridTitle   = gridText(13, plot.Ink)
	gridRowText = gridText(10.5, plot.Ink)
	gridSmall   = gridText(8.5, plot.Muted)
)

func gridText(size vg.Length, c color.Color) draw.TextStyle {
	return draw.TextStyle{Color: c, Font: font.From(gridSans, size), XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: gplot.DefaultTextHandler}
}

func (g *mapGrid) lines(r panelRow) int { return (len(r.panels) + g.perLine - 1) / g.perLine }

// Size returns the grid's width and height.
func (g *mapGrid) Size() (vg.Length, vg.Length) {
	w := vg.Length(g.perLine)*g.cell + vg.Length(g.perLine-1)*gridGap
	w = max(w, gridTitle.Width(g.title), gridSmall.Width(g.caption))
	for _, r := range g.rows {
		w = max(w, gridRowText.Width(r.title))
	}
	h := gridTitleH + gridCapH
	for _, r := range g.rows {
		h += gridRowH + vg.Length(g.lines(r))*(g.cell+gridLabelH+gridGap)
	}
	return w + 2*gridPad, h + 2*gridPad
}

// panelRect returns where panel k of row r lies on a canvas whose
// rectangle is c: Draw and the tests share it.
func (g *mapGrid) panelRect(c vg.Rectangle, r, k int) vg.Rectangle {
	width, _ := g.Size()
	top := c.Max.Y - gridPad - gridTitleH
	for i := range r {
		top -= gridRowH + vg.Length(g.lines(g.rows[i]))*(g.cell+gridLabelH+gridGap)
	}
	top -= gridRowH
	line, col := k/g.perLine, k%g.perLine
	n := min(g.perLine, len(g.rows[r].panels)-line*g.perLine)
	span := vg.Length(n)*g.cell + vg.Length(n-1)*gridGap
	left := c.Min.X + (width-span)/2 + vg.Length(col)*(g.cell+gridGap)
	y := top - vg.Length(line)*(g.cell+gridLabelH+gridGap)
	return vg.Rectangle{Min: vg.Point{X: left, Y: y - g.cell}, Max: vg.Point{X: left + g.cell, Y: y}}
}

// colorAt returns the colour panel p of row r gives its pixel (i, j).
func (r panelRow) colorAt(p panel, i, j int) color.Color {
	t := 0.5
	if r.hi > r.lo {
		t = (float64(p.v[i*p.w+j]) - r.lo) / (r.hi - r.lo)
	}
	return r.shade(math.Min(1, math.Max(0, t)))
}

// image returns the panel as an image with every value a block of s×s
// pixels, so that scaling it to the cell blurs only the blocks' edges.
func (r panelRow) image(p panel) image.Image {
	s := max(1, 112/max(p.w, p.h))
	img := image.NewRGBA(image.Rect(0, 0, p.w*s, p.h*s))
	for i := range p.h {
		for j := range p.w {
			c := r.colorAt(p, i, j)
			for y := i * s; y < (i+1)*s; y++ {
				for x := j * s; x < (j+1)*s; x++ {
					img.Set(x, y, c)
				}
			}
		}
	}
	return img
}

// Draw draws the title, then each row's title and panels, then the
// caption.
func (g *mapGrid) Draw(c draw.Canvas) {
	width, _ := g.Size()
	mid := c.Min.X + width/2
	c.FillText(gridTitle, vg.Point{X: mid, Y: c.Max.Y - gridPad - gridTitleH/2}, g.title)
	frame := draw.LineStyle{Color: plot.Muted, Width: 0.5}
	for ri, r := range g.rows {
		first := g.panelRect(c.Rectangle, ri, 0)
		c.FillText(gridRowText, vg.Point{X: mid, Y: first.Max.Y + gridRowH/2}, r.title)
		for k, p := range r.panels {
			rect := g.panelRect(c.Rectangle, ri, k)
			c.DrawImage(rect, r.image(p))
			c.SetLineStyle(frame)
			c.Stroke(rect.Path())
			if p.label != "" {
				c.FillText(gridSmall, vg.Point{X: (rect.Min.X + rect.Max.X) / 2, Y: rect.Min.Y - gridLabelH/2}, p.label)
			}
		}
	}
	c.FillText(gridSmall, vg.Point{X: mid, Y: c.Min.Y + gridPad + gridCapH/2}, g.caption)
}

// diverging shades signed values: blue below the middle of the scale,
// red above, light grey at it.
func diverging() func(float64) color.Color {
	cm := moreland.SmoothBlueRed()
	cm.SetMin(0)
	cm.SetMax(1)
	return func(t float64) color.Color {
		c, err := cm.At(t)
		if err != nil {
			return color.Black // t is clamped to [0, 1], so unreachable
		}
		return c
	}
}

// ink shades non-negative values like print: white at 0, black at the top
// of the scale.
func ink(t float64) color.Color {
	v := uint8(math.Round(255 * (1 - t)))
	return color.RGBA{R: v, G: v, B: v, A: 0xff}
}

// channels splits t, [C, H, W], into one panel per channel, labelled from
// 1.
func channels(t *tensor.Tensor) []panel {
	sh := t.Shape()
	c, h, w := sh[0], sh[1], sh[2]
	d := t.Data()
	ps := make([]panel, c)
	for k := range ps {
		ps[k] = panel{label: fmt.Sprint(k + 1), h: h, w: w, v: d[k*h*w : (k+1)*h*w]}
	}
	return ps
}

// span returns the smallest and largest value of the panels.
func span(ps []panel) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range ps {
		for _, v := range p.v {
			lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
		}
	}
	return lo, hi
}
