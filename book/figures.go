package book

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/plot"
	"gonum.org/v1/plot/vg"
)

// ChapterFigures are the figures the chapter asks for, in its order. Each
// is written as NAME.svg and NAME.png.
var ChapterFigures = []string{
	"01-five-elements",
	"02-relu",
	"03-abs-network",
	"04-max-skip-network",
	"05-max-three-units-network",
	"06-square-approximation",
	"07-sigmoid",
	"08-tanh",
}

// ExtraFigures are the figures beyond the chapter's: the learned versions
// of its networks, the logic gates, the XOR decision surface, the
// vanishing-gradient measurement and the training curves. The activation
// gallery (gallery/NAME) comes on top of these.
var ExtraFigures = []string{
	"03-abs-network-learned",
	"04-max-skip-network-learned",
	"05-max-three-units-network-learned",
	"06-square-network",
	"06-square-network-learned",
	"09-and-network",
	"09-or-network",
	"09-xor-network",
	"09-xor-network-learned",
	"10-xor-decision-surface",
	"11-vanishing-gradients",
	"12-training-curves",
	"13-cnn-filters",
	"14-cnn-feature-maps",
}

// Formats are the encodings every figure is written in.
var Formats = []plot.Format{plot.SVG, plot.PNG}

// Size of the function plots.
const (
	chartW vg.Length = 520
	chartH vg.Length = 360
)

// figures builds figures by name, training the learned examples and the
// digits network once, on first use.
type figures struct {
	learned map[string]*Learned
	digits  *Digits
}

func (f *figures) learnDigits() (*Digits, error) {
	if f.digits == nil {
		d, err := LearnDigits()
		if err != nil {
			return nil, err
		}
		f.digits = d
	}
	return f.digits, nil
}

func newFigures() *figures { return &figures{learned: map[string]*Learned{}} }

func (f *figures) learn(name string) (*Learned, error) {
	if l, ok := f.learned[name]; ok {
		return l, nil
	}
	l, err := Learn(name)
	if err != nil {
		return nil, err
	}
	f.learned[name] = l
	return l, nil
}

// Figure builds the figure called name: one of ChapterFigures,
// ExtraFigures, or "gallery/" followed by an activation's registry name.
// Figures of learned networks train them first (a second or two each).
func Figure(name string) (plot.Figure, error) { return newFigures().build(name) }

func diagram(n plot.Network) (plot.Figure, error) { return plot.NewDiagram(n) }

func (f *figures) build(name string) (plot.Figure, error) {
	if act, ok := strings.CutPrefix(name, "gallery/"); ok {
		ch, err := plot.ActivationChart(act, nil, -4, 4)
		if err != nil {
			return nil, err
		}
		return plot.Charts("", 1, chartW, chartH, ch)
	}
	in1 := []string{"x₁", "x₂"}
	switch name {
	case "01-five-elements":
		return plot.NewFiveElements(), nil
	case "02-relu":
		return activationFigure("relu", -3, 3)
	case "03-abs-network":
		return diagram(plot.Network{Net: AbsNet(), InputNames: []string{"x"}, OutputNames: []string{"|x|"},
			Title: "|x| = ReLU(x) + ReLU(−x)", Caption: "w₁ = (1, −1)ᵀ, b₁ = 0, w₂ = (1 1), b₂ = 0"})
	case "04-max-skip-network":
		s := MaxSkipNet()
		return diagram(plot.Network{Net: s.Net, Skips: s.Skips(), InputNames: in1, OutputNames: []string{"max{x₁, x₂}"},
			Title: "max{x₁, x₂} = x₁ + ReLU(x₂ − x₁)", Caption: "x₁ skips the hidden layer: a channel of its own"})
	case "05-max-three-units-network":
		return diagram(plot.Network{Net: MaxNet(), InputNames: in1, OutputNames: []string{"max{x₁, x₂}"},
			Title: "max{x₁, x₂} = ReLU(x₁) − ReLU(−x₁) + ReLU(x₂ − x₁)", Caption: "three hidden units, every input through the same layer, biases 0"})
	case "06-square-approximation":
		return f.square()
	case "07-sigmoid":
		return activationFigure("sigmoid", -6, 6)
	case "08-tanh":
		return activationFigure("tanh", -4, 4)
	case "03-abs-network-learned":
		return f.learnedDiagram("abs", []string{"x"}, []string{"|x|"})
	case "04-max-skip-network-learned":
		return f.learnedDiagram("max-skip", in1, []string{"max{x₁, x₂}"})
	case "05-max-three-units-network-learned":
		return f.learnedDiagram("max", in1, []string{"max{x₁, x₂}"})
	case "06-square-network":
		return diagram(plot.Network{Net: SquareMinimax(), InputNames: []string{"x"}, OutputNames: []string{"≈ x²"},
			Title: "x² on [−1, 1], best four pieces", Caption: "f(x) = ReLU(x − ½) + ½ReLU(x) + ½ReLU(−x) + ReLU(−x − ½) − 1/32"})
	case "06-square-network-learned":
		return f.learnedDiagram("square", []string{"x"}, []string{"≈ x²"})
	case "09-and-network":
		return diagram(plot.Network{Net: AndNet(), InputNames: in1, OutputNames: []string{"x₁ and x₂"}, Title: "x₁ and x₂ = ReLU(x₁ + x₂ − 1)"})
	case "09-or-network":
		return diagram(plot.Network{Net: OrNet(), InputNames: in1, OutputNames: []string{"x₁ or x₂"}, Title: "x₁ or x₂ = ReLU(x₁) + ReLU(x₂ − x₁)"})
	case "09-xor-network":
		return diagram(plot.Network{Net: XorNet(), InputNames: in1, OutputNames: []string{"x₁ xor x₂"}, Title: "x₁ xor x₂ = ReLU(x₁ − x₂) + ReLU(x₂ − x₁)"})
	case "09-xor-network-learned":
		return f.learnedDiagram("xor", in1, []string{"x₁ xor x₂"})
	case "10-xor-decision-surface":
		return f.xorSurface()
	case "11-vanishing-gradients":
		return vanishingFigure()
	case "12-training-curves":
		return f.trainingCurves()
	case "13-cnn-filters":
		return f.filters()
	case "14-cnn-feature-maps":
		return f.featureMaps()
	}
	return nil, fmt.Errorf("book: no figure %q", name)
}

func activationFigure(name string, lo, hi float64) (plot.Figure, error) {
	ch, err := plot.ActivationChart(name, nil, lo, hi)
	if err != nil {
		return nil, err
	}
	return plot.Charts("", 1, chartW, chartH, ch)
}

// describe is how a learned example is summarised in titles and reports.
func describe(l *Learned) string {
	s := fmt.Sprintf("max error %s", num(l.MaxError))
	if !math.IsNaN(l.Accuracy) {
		s = fmt.Sprintf("accuracy %.0f%%, %s", 100*l.Accuracy, s)
	}
	return s
}

var learnedTitles = map[string]string{
	"abs": "|x|, learned", "max-skip": "max{x₁, x₂} with a skip, learned", "max": "max{x₁, x₂} with three units, learned",
	"xor": "x₁ xor x₂, learned", "square": "x² on [−1, 1], learned",
}

func (f *figures) learnedDiagram(name string, in, out []string) (plot.Figure, error) {
	l, err := f.learn(name)
	if err != nil {
		return nil, err
	}
	n := plot.Network{InputNames: in, OutputNames: out, Title: learnedTitles[name],
		Caption: fmt.Sprintf("%s trained from input/output pairs: %s", l.Shape, describe(l))}
	switch net := l.Net.(type) {
	case *SkipNet:
		n.Net, n.Skips = net.Net, net.Skips()
	case *nn.Sequential:
		n.Net = net
	}
	return diagram(n)
}

// square draws x², the printed approximation, the corrected one and the
// trained one, and below them the errors of the two good ones.
func (f *figures) square() (plot.Figure, error) {
	l, err := f.learn("square")
	if err != nil {
		return nil, err
	}
	xs := Grid(-1, 1, 801)
	sq := make([]float64, len(xs))
	for i, x := range xs {
		sq[i] = x * x
	}
	printed, minimax, trained := Eval1(SquarePrinted(), xs), Eval1(SquareMinimax(), xs), Eval1(l.Net, xs)
	pe, _ := ErrorOnInterval(SquarePrinted(), square, -1, 1, squareGrid)
	me, _ := ErrorOnInterval(SquareMinimax(), square, -1, 1, squareGrid)
	te, _ := ErrorOnInterval(l.Net, square, -1, 1, squareGrid)
	top := &plot.Chart{
		Title: "x² and its four-piece ReLU approximations on [−1, 1]", XLabel: "x", YMin: -0.15, YMax: 2.1,
		ZeroLines: true, Legend: plot.TopLeft, LegendOffset: vg.Point{X: 110},
		Curves: []plot.Curve{
			{Label: "x²", X: xs, Y: sq, Color: plot.Ink, Width: 2.4},
			{Label: fmt.Sprintf("as printed, = 2|x| − 0.04 here (max error %s)", num(pe)), X: xs, Y: printed, Color: plot.Negative},
			{Label: fmt.Sprintf("corrected, best four pieces (max error %s)", num(me)), X: xs, Y: minimax, Color: plot.Positive},
			{Label: fmt.Sprintf("trained 1-4-1 network (max error %s)", num(te)), X: xs, Y: trained, Color: plot.SeriesColor(2), Dashed: true},
		},
	}
	diff := func(ys []float64) []float64 {
		d := make([]float64, len(ys))
		for i := range ys {
			d[i] = ys[i] - sq[i]
		}
		return d
	}
	lim := make([]float64, len(xs))
	for i := range lim {
		lim[i] = 1.0 / 32
	}
	neg := make([]float64, len(xs))
	for i := range neg {
		neg[i] = -1.0 / 32
	}
	bottom := &plot.Chart{
		Title: "error f(x) − x²  (the printed formula's reaches 0.96, off this scale)", XLabel: "x", YMin: -0.06, YMax: 0.085,
		ZeroLines: true, Legend: plot.TopLeft, LegendOffset: vg.Point{X: 110},
		Curves: []plot.Curve{
			{Label: "corrected: equioscillates between ±1/32", X: xs, Y: diff(minimax), Color: plot.Positive},
			{Label: "trained", X: xs, Y: diff(trained), Color: plot.SeriesColor(2), Dashed: true},
			{Label: "±1/32, the best any four pieces can do", X: xs, Y: lim, Color: plot.Muted, Width: 0.8},
			{X: xs, Y: neg, Color: plot.Muted, Width: 0.8},
		},
	}
	p, err := plot.Charts("", 1, 620, 760, top, bottom)
	return p, err
}

func (f *figures) xorSurface() (plot.Figure, error) {
	l, err := f.learn("xor")
	if err != nil {
		return nil, err
	}
	out := Eval(l.Net, cornerRows())
	var pts []plot.Point
	for k, c := range Corners {
		pts = append(pts, plot.Point{X: c[0], Y: c[1], Label: fmt.Sprintf("(%g,%g) → %s", c[0], c[1], num(out[k][0]))})
	}
	s := &plot.Surface{
		Title: "Learned XOR (2-2-1 ReLU): output over the input plane", XLabel: "x₁", YLabel: "x₂",
		F: func(x, y float64) float64 {
			return Eval(l.Net, [][]float64{{x, y}})[0][0]
		},
		XMin: -0.5, XMax: 1.5, YMin: -0.5, YMax: 1.5, N: 81, Min: 0, Max: 1,
		Level: 0.5, LevelLabel: "decision boundary, output = 0.5", Points: pts,
		Width: 600, Height: 500,
	}
	return s.Figure()
}

func vanishingFigure() (plot.Figure, error) {
	sig, rel, he, err := VanishingGradients()
	if err != nil {
		return nil, err
	}
	layers := make([]float64, len(sig))
	for i := range layers {
		layers[i] = float64(i + 1)
	}
	ch := &plot.Chart{
		Title:  fmt.Sprintf("Gradient norm per layer at initialisation (%d layers, width %d)", GradientDepth, GradientWidth),
		XLabel: "linear layer (1 = next to the input)", YLabel: "‖∂L/∂W‖  (log scale)", LogY: true,
		XMin: 1, XMax: float64(len(sig)), Legend: plot.BottomRight,
		Curves: []plot.Curve{
			{Label: "sigmoid, PyTorch default init", X: layers, Y: sig, Color: plot.Negative, Width: 2},
			{Label: "ReLU, same weights", X: layers, Y: rel, Color: plot.Positive, Width: 2},
			{Label: "ReLU, He init", X: layers, Y: he, Color: plot.SeriesColor(2), Width: 2, Dashed: true},
		},
	}
	return plot.Charts("", 1, 600, 400, ch)
}

func (f *figures) trainingCurves() (plot.Figure, error) {
	var charts []*plot.Chart
	for i, name := range LearnedNames() {
		l, err := f.learn(name)
		if err != nil {
			return nil, err
		}
		xs := make([]float64, len(l.Losses))
		for s := range xs {
			xs[s] = float64(s + 1)
		}
		title := fmt.Sprintf("%s, %s: %s", name, l.Shape, describe(l))
		for s, v := range l.Losses {
			if v == 0 {
				// A log axis cannot show it, so say it.
				title += fmt.Sprintf(" (loss exactly 0 from step %d)", s+1)
				break
			}
		}
		charts = append(charts, &plot.Chart{
			Title: title, XLabel: "step", YLabel: "MSE (log scale)", LogY: true,
			XMin: 0, XMax: float64(len(xs)),
			Curves: []plot.Curve{{X: xs, Y: l.Losses, Color: plot.SeriesColor(i), Width: 1.2}},
		})
	}
	return plot.Charts("Training loss of the learned examples (full-batch Adam, best of the seeded starts)", 2, 820, 780, charts...)
}

// WriteFigures writes every figure (ChapterFigures, ExtraFigures and the
// activation gallery under gallery/) into dir as SVG and PNG, creating it
// as needed, and returns the paths written. It reports on log how close
// each learned network came to its target. The output is the same on
// every run: seeds are fixed.
func WriteFigures(dir string, log io.Writer) ([]string, error) {
	f := newFigures()
	names := append(append([]string(nil), ChapterFigures...), ExtraFigures...)
	for _, a := range activation.Names() {
		names = append(names, "gallery/"+a)
	}
	var paths []string
	for _, name := range names {
		fig, err := f.build(name)
		if err != nil {
			return paths, fmt.Errorf("figure %s: %w", name, err)
		}
		for _, format := range Formats {
			p := filepath.Join(dir, filepath.FromSlash(name)+"."+string(format))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return paths, err
			}
			if err := plot.Save(p, fig); err != nil {
				return paths, err
			}
			paths = append(paths, p)
		}
	}
	if log != nil {
		if d := f.digits; d != nil {
			fmt.Fprintf(log, "learned digits   %-18s %s\n", "CNN", describeDigits(d))
		}
		for _, name := range LearnedNames() {
			l := f.learned[name]
			found := fmt.Sprintf("max error under %g", goodEnough)
			if !math.IsNaN(l.Accuracy) {
				found = "every corner right"
			}
			fmt.Fprintf(log, "learned %-8s %-18s %s; best of %d seeded starts, %d of which got %s\n", name, l.Shape, describe(l), l.Starts, l.Found, found)
		}
	}
	return paths, nil
}
