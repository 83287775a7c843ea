package plot

import (
	"fmt"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Point is a labelled point drawn on a Surface.
type Point struct {
	X, Y  float64
	Label string
}

// Surface is a heat map of a function of two variables, such as a
// classifier's output over its input plane, with a colour bar, an optional
// contour line (the decision boundary) and labelled points (the training
// examples).
type Surface struct {
	Title, XLabel, YLabel string
	// F is the function drawn.
	F func(x, y float64) float64
	// XMin … YMax bound the plane drawn.
	XMin, XMax, YMin, YMax float64
	// N is the number of samples along each axis; 0 means 121.
	N int
	// Min and Max fix the ends of the colour scale; values beyond them get
	// the end colours.
	Min, Max float64
	// Level draws the contour F = Level when LevelLabel is not empty.
	Level      float64
	LevelLabel string
	Points     []Point
	// Width and Height are the size of the figure.
	Width, Height vg.Length
}

// samples holds a Surface sampled for gonum's heat map and contour plotters.
type samples struct {
	xs, ys []float64
	z      [][]float64 // z[row][col]
}

func (g *samples) Dims() (c, r int)   { return len(g.xs), len(g.ys) }
func (g *samples) Z(c, r int) float64 { return g.z[r][c] }
func (g *samples) X(c int) float64    { return g.xs[c] }
func (g *samples) Y(r int) float64    { return g.ys[r] }

// SurfaceFigure is a laid-out Surface: the heat map and its colour bar.
type SurfaceFigure struct {
	main, bar     *gplot.Plot
	width, height vg.Length
}

// Figure samples the function and builds the figure.
func (s *Surface) Figure() (*SurfaceFigure, error) {
	if s.F == nil || !(s.XMin < s.XMax && s.YMin < s.YMax && s.Min < s.Max) {
		return nil, fmt.Errorf("plot: surface %q: want a function and non-empty ranges", s.Title)
	}
	n := s.N
	if n == 0 {
		n = 121
	}
	g := &samples{}
	xs, _ := Sample(func(float64) float64 { return 0 }, s.XMin, s.XMax, n)
	ys, _ := Sample(func(float64) float64 { return 0 }, s.YMin, s.YMax, n)
	g.xs, g.ys = xs, ys
	for _, y := range ys {
		row := make([]float64, n)
		for i, x := range xs {
			v := s.F(x, y)
			if math.IsNaN(v) {
				return nil, fmt.Errorf("plot: surface %q: NaN at (%g, %g)", s.Title, x, y)
			}
			row[i] = v
		}
		g.z = append(g.z, row)
	}
	cm := moreland.SmoothBlueRed()
	cm.SetMin(s.Min)
	cm.SetMax(s.Max)
	pal := cm.Palette(255)
	h := plotter.NewHeatMap(g, pal)
	h.Min, h.Max = s.Min, s.Max
	h.Underflow, h.Overflow = pal.Colors()[0], pal.Colors()[len(pal.Colors())-1]
	// A raster keeps the SVG small: one embedded image instead of a
	// rectangle per sample.
	h.Rasterized = true

	p := gplot.New()
	styled(p)
	p.Title.Text = s.Title
	p.X.Label.Text = s.XLabel
	p.Y.Label.Text = s.YLabel
	p.Add(h)
	if s.LevelLabel != "" {
		c := plotter.NewContour(g, []float64{s.Level}, palette.Heat(1, 1))
		c.LineStyles = []draw.LineStyle{{Color: color.Black, Width: 1.8, Dashes: []vg.Length{6, 3}}}
		p.Add(c)
		// A contour draws no legend thumbnail of its own; a line in its
		// style stands in.
		l, _ := plotter.NewLine(plotter.XYs{{X: s.XMin, Y: s.YMin}})
		l.LineStyle = c.LineStyles[0]
		p.Legend.Add(s.LevelLabel, l)
	}
	if s.LevelLabel != "" {
		p.Add(backdrop{s.LevelLabel})
	}
	if len(s.Points) > 0 {
		xy := make(plotter.XYs, len(s.Points))
		lab := make([]string, len(s.Points))
		for i, pt := range s.Points {
			xy[i] = plotter.XY{X: pt.X, Y: pt.Y}
			lab[i] = pt.Label
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: 4, Shape: draw.CircleGlyph{}}
		p.Add(sc)
		ls, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: lab})
		if err != nil {
			return nil, err
		}
		for i := range ls.TextStyle {
			ls.TextStyle[i].Font = font.From(sans, 10.5)
			ls.TextStyle[i].Font.Weight = bold(textStyle(10, Ink)).Font.Weight
			ls.TextStyle[i].Color = color.Black
		}
		ls.Offset = vg.Point{X: 7, Y: 5}
		p.Add(ls)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = s.XMin, s.XMax, s.YMin, s.YMax
	p.X.Tick.Marker = halfTicks{}
	p.Y.Tick.Marker = halfTicks{}
	p.Legend.Top = true
	p.Legend.XOffs, p.Legend.YOffs = -6, -6

	bar := gplot.New()
	styled(bar)
	cb := &plotter.ColorBar{ColorMap: cm, Vertical: true}
	bar.Add(cb)
	bar.HideX()
	bar.Y.Padding = 0
	bar.Title.Text = " "
	bar.Y.Label.Text = "output"
	return &SurfaceFigure{main: p, bar: bar, width: s.Width, height: s.Height}, nil
}

// Size returns the figure's size.
func (f *SurfaceFigure) Size() (vg.Length, vg.Length) { return f.width, f.height }

// Draw draws the heat map with its colour bar on the right.
func (f *SurfaceFigure) Draw(c draw.Canvas) {
	split := c.Min.X + (c.Max.X-c.Min.X)*0.86
	left, right := c, c
	left.Max.X = split
	right.Min.X = split + 8
	right.Max.X -= 6
	f.main.Draw(left)
	// Leave the colour bar the height of the heat map's data area.
	data := f.main.DataCanvas(left)
	right.Min.Y = data.Min.Y - 8
	f.bar.Draw(right)
}

// halfTicks marks every half unit, labelled, so that the corners 0 and 1
// of a logic function's inputs are on the axes.
type halfTicks struct{}

func (halfTicks) Ticks(lo, hi float64) []gplot.Tick {
	var ts []gplot.Tick
	for v := math.Ceil(lo*2) / 2; v <= hi+1e-9; v += 0.5 {
		ts = append(ts, gplot.Tick{Value: v, Label: tickLabel(v)})
	}
	return ts
}
