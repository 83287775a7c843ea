package plot

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png" // decode the PNGs Write produces
	"math"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// linear builds a layer from explicit weights ([out][in]) and biases.
func linear(w [][]float64, b []float64) *nn.Linear {
	l := &nn.Linear{In: len(w[0]), Out: len(w), Weight: autograd.Param(tensor.Zeros(len(w), len(w[0])))}
	for o, row := range w {
		for i, v := range row {
			l.Weight.Value.Set(float32(v), o, i)
		}
	}
	if b != nil {
		l.Bias = autograd.Param(tensor.Zeros(len(b)))
		for o, v := range b {
			l.Bias.Value.Set(float32(v), o)
		}
	}
	return l
}

// absNet is |x| = ReLU(x) + ReLU(−x).
func absNet() *nn.Sequential {
	return nn.NewSequential(linear([][]float64{{1}, {-1}}, []float64{0, 0}), &activation.ReLULayer{}, linear([][]float64{{1, 1}}, []float64{0}))
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]Format{"a.svg": SVG, "dir.x/B.PNG": PNG, "c.pdf": PDF} {
		if f, err := FormatOf(path); err != nil || f != want {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", path, f, err, want)
		}
	}
	for _, path := range []string{"a.gif", "noext", "svg"} {
		if _, err := FormatOf(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("FormatOf(%q): want an error naming the file, got %v", path, err)
		}
	}
}

func TestWriteEveryFormat(t *testing.T) {
	d, err := NewDiagram(Network{Net: absNet(), Title: "|x|"})
	if err != nil {
		t.Fatal(err)
	}
	var svg, png, pdf bytes.Buffer
	for f, b := range map[Format]*bytes.Buffer{SVG: &svg, PNG: &png, PDF: &pdf} {
		if err := Write(b, d, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if s := svg.String(); !strings.HasPrefix(s, "<?xml") || !strings.Contains(s, "</svg>") {
		t.Errorf("SVG output is not an SVG document: %.80q…", s)
	}
	cfg, kind, err := image.DecodeConfig(&png)
	w, h := d.Size()
	if err != nil || kind != "png" {
		t.Fatalf("PNG output does not decode: %v (%s)", err, kind)
	}
	if want := int(float64(w)/72*DPI + 0.5); cfg.Width != want {
		t.Errorf("PNG is %d pixels wide, want %d (%.0f points at %d dpi)", cfg.Width, want, float64(w), DPI)
	}
	if want := int(float64(h)/72*DPI + 0.5); cfg.Height != want {
		t.Errorf("PNG is %d pixels high, want %d", cfg.Height, want)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Errorf("PDF output starts %q", pdf.Bytes()[:8])
	}
	if err := Write(&svg, d, Format("gif")); err == nil {
		t.Error("Write accepted an unknown format")
	}
	if err := Write(&svg, &Panels{}, SVG); err == nil {
		t.Error("Write accepted a figure of no size")
	}
}

func TestActivationCurveUsesAutograd(t *testing.T) {
	xs := []float64{-3, -1, -0.25, 0, 0.25, 1, 3}
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	cases := []struct {
		name  string
		f, df func(x float64) float64
	}{
		{"relu", func(x float64) float64 { return math.Max(0, x) }, func(x float64) float64 {
			if x > 0 {
				return 1
			}
			return 0 // PyTorch's choice at 0
		}},
		{"leaky_relu", func(x float64) float64 { return math.Max(0.01*x, x) }, func(x float64) float64 {
			if x > 0 {
				return 1
			}
			return 0.01
		}},
		{"sigmoid", sig, func(x float64) float64 { return sig(x) * (1 - sig(x)) }},
		{"tanh", math.Tanh, func(x float64) float64 { return 1 - math.Tanh(x)*math.Tanh(x) }},
		// Vector activations through (x, 0).
		{"softmax", sig, func(x float64) float64 { return sig(x) * (1 - sig(x)) }},
		{"maxout", func(x float64) float64 { return math.Max(x, 0) }, func(x float64) float64 {
			if x >= 0 {
				return 1 // a tie sends the gradient to the first maximum, x
			}
			return 0
		}},
	}
	for _, c := range cases {
		y, dy, err := ActivationCurve(c.name, nil, xs)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for i, x := range xs {
			if math.Abs(y[i]-c.f(x)) > 1e-6 || math.Abs(dy[i]-c.df(x)) > 1e-6 {
				t.Errorf("%s(%g) = %g, derivative %g; want %g, %g", c.name, x, y[i], dy[i], c.f(x), c.df(x))
			}
		}
	}
	if _, _, err := ActivationCurve("relux", nil, xs); err == nil {
		t.Error("an unknown activation gave no error")
	}
}

func TestActivationChartMarksTheKink(t *testing.T) {
	ch, err := ActivationChart("relu", nil, -3, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Marks) != 2 {
		t.Fatalf("want a disc and a ring at the kink, got %+v", ch.Marks)
	}
	disc, ring := ch.Marks[0], ch.Marks[1]
	if disc.X != 0 || disc.Y != 0 || disc.Hollow || ring.X != 0 || ring.Y != 1 || !ring.Hollow {
		t.Errorf("marks %+v %+v; want ReLU′(0) = 0 filled and the limit 1 hollow", disc, ring)
	}
	if !strings.Contains(disc.Label, "ReLU′(0) = 0") {
		t.Errorf("label %q", disc.Label)
	}
	// The derivative is drawn in two pieces, not bridged by a vertical
	// stroke.
	nan := 0
	for _, x := range ch.Curves[1].X {
		if math.IsNaN(x) {
			nan++
		}
	}
	if nan != 1 {
		t.Errorf("derivative curve has %d breaks, want 1", nan)
	}
	if !ch.Curves[1].Dashed || ch.Curves[0].Dashed {
		t.Error("the function should be solid and its derivative dashed")
	}
}

func TestBreakJumps(t *testing.T) {
	x, y := BreakJumps([]float64{0, 1, 2, 3}, []float64{0, 0, 1, 1})
	if len(x) != 5 || !math.IsNaN(x[2]) || !math.IsNaN(y[2]) {
		t.Errorf("got %v %v, want a NaN between the second and third points", x, y)
	}
	x, _ = BreakJumps([]float64{0, 1, 2}, []float64{0, 0.01, 0.02})
	if len(x) != 3 {
		t.Errorf("a smooth curve was broken: %v", x)
	}
}

func TestFormatNumber(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 1: "1", -1: "−1", 0.5: "0.5", 0.94213: "0.942", -1.3802: "−1.38", 3.2e-5: "3.2e−5", 1e6: "1e6"} {
		if got := FormatNumber(v); got != want {
			t.Errorf("FormatNumber(%g) = %q, want %q", v, got, want)
		}
	}
}

func TestDiagramOfAbs(t *testing.T) {
	d, err := NewDiagram(Network{Net: absNet()})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.cols) != 3 || d.cols[0].size != 1 || d.cols[1].size != 2 || d.cols[2].size != 1 {
		t.Fatalf("columns %+v, want sizes 1, 2, 1", d.cols)
	}
	if d.cols[1].act != "relu" || d.cols[2].act != "" {
		t.Errorf("activations %q %q, want relu on the hidden column only", d.cols[1].act, d.cols[2].act)
	}
	if len(d.edges) != 4 || !d.labelled {
		t.Fatalf("%d edges, labelled %v; want 4 labelled edges", len(d.edges), d.labelled)
	}
	// One label per edge, carrying its value and the colour of its sign.
	var texts []string
	for _, l := range d.edgeLabels {
		texts = append(texts, l.text)
		if (l.text == "−1") != (l.clr == Negative) {
			t.Errorf("label %q has colour %v", l.text, l.clr)
		}
	}
	if strings.Join(texts, " ") != "1 −1 1 1" {
		t.Errorf("edge labels %q", texts)
	}
	// Positions come from the layer sizes: hidden neurons symmetric about
	// the input.
	a, b := d.pos(1, 0), d.pos(1, 1)
	if a.Y != -b.Y || a.X != b.X || d.pos(0, 0).Y != 0 {
		t.Errorf("hidden neurons at %v and %v, input at %v", a, b, d.pos(0, 0))
	}
	// Labels stay off the neurons.
	for _, l := range d.edgeLabels {
		box := textBox(weightStyle, l.at, l.text)
		for c := range d.cols {
			for s := range d.cols[c].shown {
				p := d.pos(c, s)
				n := vg.Rectangle{Min: p.Sub(vg.Point{X: d.r, Y: d.r}), Max: p.Add(vg.Point{X: d.r, Y: d.r})}
				if overlaps(box, n) {
					t.Errorf("label %q at %v covers neuron %d of column %d", l.text, l.at, s, c)
				}
			}
		}
	}
	if d.lineFor(2).Width <= d.lineFor(1).Width || d.lineFor(-1).Color != Negative || d.lineFor(0).Dashes == nil {
		t.Error("line styles: want width growing with |w|, red for negative, dotted for zero")
	}
}

func TestSkipArcBypassesTheHiddenLayer(t *testing.T) {
	// max{x₁, x₂} = x₁ + ReLU(x₂ − x₁).
	net := nn.NewSequential(linear([][]float64{{-1, 1}}, []float64{0}), &activation.ReLULayer{}, linear([][]float64{{1}}, []float64{0}))
	d, err := NewDiagram(Network{Net: net, Skips: []Skip{{FromCol: 0, From: 0, ToCol: 2, To: 0, Weight: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.arcs) != 1 || !d.arcs[0].above {
		t.Fatalf("arcs %+v: want one, routed over the top (x₁ is the upper input)", d.arcs)
	}
	a := d.arcs[0]
	hidden := d.pos(1, 0)
	for i := 0; i <= 100; i++ {
		p := bezier(a.p0, a.c0, a.c1, a.p1, float64(i)/100)
		if dist := math.Hypot(float64(p.X-hidden.X), float64(p.Y-hidden.Y)); dist < float64(d.r)+10 {
			t.Fatalf("the arc passes %.1f points from the hidden neuron", dist)
		}
	}
	if top := bezier(a.p0, a.c0, a.c1, a.p1, 0.5); top.Y <= hidden.Y+d.r {
		t.Errorf("the arc's middle (%v) is not above the hidden neuron (%v)", top, hidden)
	}
	found := false
	for _, l := range d.edgeLabels {
		if l.at == bezier(a.p0, a.c0, a.c1, a.p1, 0.5) && l.text == "1" {
			found = true
		}
	}
	if !found {
		t.Error("the skip arc carries no weight label at its apex")
	}
}

func TestResidualDrawnAsSkips(t *testing.T) {
	rng := tensor.NewRNG(1)
	body := nn.NewSequential(nn.NewLinear(3, 3, true, rng), &activation.ReLULayer{}, nn.NewLinear(3, 3, true, rng))
	net := nn.NewSequential(nn.NewLinear(2, 3, true, rng), &activation.TanhLayer{}, &nn.Residual{F: body}, nn.NewLinear(3, 1, true, rng))
	d, err := NewDiagram(Network{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.cols) != 5 {
		t.Fatalf("%d columns, want 5 (input, 3, 3, 3, output)", len(d.cols))
	}
	if len(d.arcs) != 3 {
		t.Fatalf("%d arcs, want an identity skip per neuron of the block", len(d.arcs))
	}
	for k, a := range d.arcs {
		if !a.identity || a.FromCol != 1 || a.ToCol != 3 || a.From != k || a.To != k || a.Weight != 1 {
			t.Errorf("arc %d: %+v", k, a.Skip)
		}
	}
}

func TestDiagramErrors(t *testing.T) {
	rng := tensor.NewRNG(1)
	cases := map[string]struct {
		n    Network
		want string
	}{
		"maxout":     {Network{Net: nn.NewSequential(nn.NewLinear(2, 4, true, rng), &activation.Maxout{Pieces: 2})}, "maxout"},
		"mismatch":   {Network{Net: nn.NewSequential(nn.NewLinear(2, 4, true, rng), nn.NewLinear(3, 1, true, rng))}, "linear 3→1 follows a layer of width 4"},
		"no linear":  {Network{Net: nn.NewSequential(&activation.ReLULayer{})}, "no linear layer"},
		"unknown":    {Network{Net: nn.NewSequential(nn.NewLinear(2, 2, true, rng), nn.Unflatten{Shape: []int{2, 1}})}, "cannot draw a unflatten layer"},
		"skip col":   {Network{Net: absNet(), Skips: []Skip{{FromCol: 0, ToCol: 3}}}, "want 0 ≤ from < to ≤ 2"},
		"skip unit":  {Network{Net: absNet(), Skips: []Skip{{FromCol: 0, From: 1, ToCol: 2}}}, "no such neuron"},
		"no network": {Network{}, "no network"},
	}
	for name, c := range cases {
		if _, err := NewDiagram(c.n); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}

func TestLargeLayersAreElided(t *testing.T) {
	rng := tensor.NewRNG(2)
	net := nn.NewSequential(nn.NewLinear(784, 32, true, rng), &activation.ReLULayer{}, nn.NewLinear(32, 10, true, rng))
	d, err := NewDiagram(Network{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	if d.labelled {
		t.Error("a 784-32-10 network should not have its weights written")
	}
	for i, c := range d.cols {
		if len(c.shown) > MaxNeurons {
			t.Errorf("column %d shows %d neurons, more than %d", i, len(c.shown), MaxNeurons)
		}
	}
	if d.cols[0].shown[MaxNeurons/2] != -1 || d.cols[0].shown[MaxNeurons-1] != 783 {
		t.Errorf("input column shows %v; want the first, an ellipsis and the last", d.cols[0].shown)
	}
	var b bytes.Buffer
	if err := Write(&b, d, SVG); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "input (784)") {
		t.Error("the input column does not state its size")
	}
	forced, _ := NewDiagram(Network{Net: net, Labels: LabelNever})
	small, _ := NewDiagram(Network{Net: absNet(), Labels: LabelNever})
	if forced.labelled || small.labelled {
		t.Error("LabelNever still labels")
	}
}

func TestFiveElementsNamesBothDirections(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, NewFiveElements(), SVG); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, want := range []string{"Input", "Architecture", "Output", "Loss function", "Optimizer", "parameters θ",
		"forward propagation", "backward propagation", colorHex(Positive), colorHex(Negative)} {
		if !strings.Contains(s, want) {
			t.Errorf("the five-elements SVG lacks %q", want)
		}
	}
}

// colorHex writes a colour the way the SVG back end does.
func colorHex(c interface{ RGBA() (r, g, b, a uint32) }) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02X%02X%02X", r>>8, g>>8, b>>8)
}

func TestTicks(t *testing.T) {
	var labels []string
	for _, tk := range (niceTicks{}).Ticks(-3, 3) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "−3 −2 −1 0 1 2 3" {
		t.Errorf("ticks of [−3, 3]: %s", got)
	}
	labels = nil
	for _, tk := range (decadeTicks{}).Ticks(-8, 1) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "1e−8 1e−7 1e−6 1e−5 1e−4 0.001 0.01 0.1 1 10" {
		t.Errorf("decades of [1e−8, 10]: %s", got)
	}
}

func TestChartsAndSurface(t *testing.T) {
	xs, ys := Sample(math.Exp, 0, 3, 50)
	ch := &Chart{Title: "exp", Curves: []Curve{{Label: "eˣ", X: xs, Y: ys}}, LogY: true}
	p, err := Charts("two", 2, 600, 300, ch, &Chart{Curves: []Curve{{X: xs, Y: ys}}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, p, PNG); err != nil {
		t.Fatal(err)
	}
	if _, err := Charts("", 1, 100, 100, &Chart{Curves: []Curve{{X: xs, Y: ys[:3]}}}); err == nil {
		t.Error("a curve with unequal x and y lengths was accepted")
	}
	s := &Surface{F: func(x, y float64) float64 { return x * y }, XMin: 0, XMax: 1, YMin: 0, YMax: 1, Min: 0, Max: 1,
		Level: 0.5, LevelLabel: "xy = ½", Points: []Point{{X: 1, Y: 1, Label: "1"}}, Width: 300, Height: 250}
	f, err := s.Figure()
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, f, SVG); err != nil {
		t.Fatal(err)
	}
	if _, err := (&Surface{}).Figure(); err == nil {
		t.Error("an empty surface was accepted")
	}
}

func TestOutlinedTextDrawsGlyphs(t *testing.T) {
	// PDF text goes through outlined; check on a raster canvas that the
	// outlines land where the text should be.
	c := &outlined{CanvasWriterTo: vgimg.PngCanvas{Canvas: vgimg.New(120, 40)}}
	dc := draw.New(c)
	sty := textStyle(20, Ink)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
	dc.FillText(sty, vg.Point{X: 10, Y: 10}, "θ−x₁")
	img := c.CanvasWriterTo.(vgimg.PngCanvas).Image()
	dark := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
				dark++
			}
		}
	}
	if dark < 100 {
		t.Errorf("only %d dark pixels: the glyph outlines were not filled", dark)
	}
}
