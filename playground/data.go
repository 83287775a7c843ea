package playground

import (
	"fmt"
	"math"
	"slices"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/tensor"
)

// dataSet describes one choice of data.
type dataSet struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	// Group is where the page lists it: classify and regress (TensorFlow
	// Playground's sets), chapter (the book's functions) or own (a CSV).
	Group      string     `json:"group"`
	Dims       int        `json:"dims"`
	Regression bool       `json:"regression"`
	Domain     [4]float64 `json:"domain"` // x1 from, to; x2 from, to (unused in 1-D)
	Hint       string     `json:"hint"`

	// Scaling lists how an uploaded CSV's columns were standardized.
	Scaling []colScale `json:"scaling,omitempty"`

	source    string  // data.Synthetic's name; "" when made here
	noiseUnit float64 // the noise parameter at 100 %
	truth     func(x1, x2 float64) float64
}

var (
	tfDomain      = [4]float64{-6, 6, -6, 6}
	chapterDomain = [4]float64{-1.5, 1.5, -1.5, 1.5}
)

// dataSets lists the data in the order the page shows them.
var dataSets = []*dataSet{
	{Name: "circle", Label: "Circle", Group: "classify", Dims: 2, Domain: tfDomain, source: "circle", noiseUnit: 1,
		Hint: "one class inside a circle, the other in a ring around it"},
	{Name: "quadrants", Label: "Exclusive or", Group: "classify", Dims: 2, Domain: tfDomain, source: "quadrants", noiseUnit: 1,
		Hint: "XOR of the signs: class 1 where x1·x2 > 0"},
	{Name: "gauss", Label: "Two Gaussians", Group: "classify", Dims: 2, Domain: tfDomain, source: "gauss", noiseUnit: 1,
		Hint: "two Gaussian clouds, one per class"},
	{Name: "spiral", Label: "Spiral", Group: "classify", Dims: 2, Domain: tfDomain, source: "spiral", noiseUnit: 1,
		Hint: "two interleaved spirals"},
	{Name: "plane", Label: "Plane", Group: "regress", Dims: 2, Regression: true, Domain: tfDomain, source: "plane", noiseUnit: 1,
		Hint: "y = (x1 + x2) / 10", truth: func(a, b float64) float64 { return (a + b) / 10 }},
	{Name: "gaussian", Label: "Multi-Gaussian", Group: "regress", Dims: 2, Regression: true, Domain: tfDomain, source: "gaussian", noiseUnit: 1,
		Hint: "six bumps of alternating sign", truth: gaussianBumps},
	{Name: "abs", Label: "|x|", Group: "chapter", Dims: 1, Regression: true, Domain: chapterDomain, source: "abs", noiseUnit: 0.5,
		Hint: "|x| = ReLU(x) + ReLU(−x): two ReLUs, one kink", truth: func(x, _ float64) float64 { return math.Abs(x) }},
	{Name: "square", Label: "x²", Group: "chapter", Dims: 1, Regression: true, Domain: chapterDomain, source: "square", noiseUnit: 0.5,
		Hint: "a curve: ReLUs approximate it with one kink per unit", truth: func(x, _ float64) float64 { return x * x }},
	{Name: "step", Label: "step", Group: "chapter", Dims: 1, Regression: true, Domain: chapterDomain, noiseUnit: 0.5,
		Hint: "0 for x < 0, 1 for x > 0: a jump that kinks can only approach", truth: func(x, _ float64) float64 {
			if x > 0 {
				return 1
			}
			return 0
		}},
	{Name: "max", Label: "max(x1, x2)", Group: "chapter", Dims: 2, Regression: true, Domain: chapterDomain, source: "max", noiseUnit: 0.5,
		Hint: "max(x1, x2) = x1 + ReLU(x2 − x1); the curve shows the slice x2 = const", truth: math.Max},
	{Name: "xor", Label: "XOR corners", Group: "chapter", Dims: 2, Regression: true, Domain: [4]float64{-0.5, 1.5, -0.5, 1.5}, source: "xor", noiseUnit: 0.5,
		Hint: "the truth table of XOR on the corners of the unit square, as a function to fit"},
	{Name: "csv", Label: "Your CSV", Group: "own", Dims: 2, Domain: tfDomain,
		Hint: "columns x1, x2 (or x) and label (classes) or y (values)"},
}

func dataSetByName(name string) *dataSet {
	for _, d := range dataSets {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// gaussianBumps is the noise-free Multi-Gaussian surface of data.Synthetic.
func gaussianBumps(x1, x2 float64) float64 {
	bumps := [6][3]float64{
		{-4, 2.5, 1}, {0, 2.5, -1}, {4, 2.5, 1},
		{-4, -2.5, -1}, {0, -2.5, 1}, {4, -2.5, -1},
	}
	y := 0.0
	for _, b := range bumps {
		v := b[2] * min(1, max(0, 1-math.Hypot(x1-b[0], x2-b[1])/2))
		if math.Abs(v) > math.Abs(y) {
			y = v
		}
	}
	return y
}

// feature is one input the network may be given, computed from the raw
// coordinates. Names double as CSV column names of an exported model.
type feature struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	f     func(x1, x2 float64) float64
}

var features2 = []feature{
	{"x1", "x₁", func(a, _ float64) float64 { return a }},
	{"x2", "x₂", func(_, b float64) float64 { return b }},
	{"x1sq", "x₁²", func(a, _ float64) float64 { return a * a }},
	{"x2sq", "x₂²", func(_, b float64) float64 { return b * b }},
	{"x1x2", "x₁x₂", func(a, b float64) float64 { return a * b }},
	{"sinx1", "sin x₁", func(a, _ float64) float64 { return math.Sin(a) }},
	{"sinx2", "sin x₂", func(_, b float64) float64 { return math.Sin(b) }},
}

var features1 = []feature{
	{"x", "x", func(a, _ float64) float64 { return a }},
	{"xsq", "x²", func(a, _ float64) float64 { return a * a }},
	{"sinx", "sin x", func(a, _ float64) float64 { return math.Sin(a) }},
}

func featuresFor(dims int) []feature {
	if dims == 1 {
		return features1
	}
	return features2
}

func defaultFeatures(dims int) []string {
	if dims == 1 {
		return []string{"x"}
	}
	return []string{"x1", "x2"}
}

// featureFuncs returns the functions of the named features.
func featureFuncs(dims int, names []string) []func(x1, x2 float64) float64 {
	var fs []func(x1, x2 float64) float64
	for _, n := range names {
		for _, f := range featuresFor(dims) {
			if f.Name == n {
				fs = append(fs, f.f)
			}
		}
	}
	return fs
}

// expand computes the feature columns of raw coordinates pts (dims values
// per row).
func expand(pts []float32, dims int, fs []func(x1, x2 float64) float64) *tensor.Tensor {
	n := len(pts) / dims
	out := make([]float32, n*len(fs))
	for i := range n {
		x1, x2 := float64(pts[i*dims]), 0.0
		if dims == 2 {
			x2 = float64(pts[i*dims+1])
		}
		for j, f := range fs {
			out[i*len(fs)+j] = float32(f(x1, x2))
		}
	}
	return tensor.New(out, n, len(fs))
}

// generate draws the points of a built-in data set: raw coordinates in X,
// class labels (0 and 1) or values in Y.
func generate(d *dataSet, points, noisePct int, seed uint64) (*data.Dataset, error) {
	noise := float64(noisePct) / 100 * d.noiseUnit
	switch {
	case d.Name == "step":
		rng := tensor.NewRNG(seed)
		x := make([]float32, points)
		y := make([]float32, points)
		for i := range x {
			v := rng.Uniform(-1, 1)
			x[i] = float32(v)
			y[i] = float32(d.truth(v, 0) + noise*rng.Normal())
		}
		return &data.Dataset{X: tensor.New(x, points, 1), Y: tensor.New(y, points, 1),
			FeatureNames: []string{"x"}, TargetNames: []string{"y"}}, nil
	case d.source == "":
		return nil, fmt.Errorf("no generator for %q", d.Name)
	}
	ds, err := data.Synthetic(d.source, points, noise, seed)
	if err != nil {
		return nil, err
	}
	if d.Regression && ds.Labels != nil {
		// The chapter reads XOR as a function to fit: 0 or 1 at each corner.
		y := make([]float32, len(ds.Labels))
		for i, l := range ds.Labels {
			y[i] = float32(l)
		}
		ds.Y, ds.Labels, ds.TargetNames = tensor.New(y, len(y), 1), nil, []string{"y"}
	}
	return ds, nil
}

// preset is one of the chapter's networks with its exact weights.
type preset struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Note  string `json:"note"`
	// Query is the set-up that loads it, for the page.
	Query string `json:"query"`

	data     string
	features []string
	layers   []Layer
	weights  [][]float32 // per linear layer, [out][in] row-major
	biases   [][]float32
}

var presets = []*preset{
	{Name: "abs", Label: "|x| network", data: "abs", features: []string{"x"},
		Note:    "|x| = ReLU(x) + ReLU(−x): w1 = (1, −1)ᵀ, b1 = 0, w2 = (1 1), b2 = 0",
		layers:  []Layer{{2, "relu", 0}},
		weights: [][]float32{{1, -1}, {1, 1}}, biases: [][]float32{{0, 0}, {0}}},
	{Name: "max", Label: "max network", data: "max", features: []string{"x1", "x2"},
		Note:    "max(x1, x2) = ReLU(x1) − ReLU(−x1) + ReLU(x2 − x1)",
		layers:  []Layer{{3, "relu", 0}},
		weights: [][]float32{{1, 0, -1, 0, -1, 1}, {1, -1, 1}}, biases: [][]float32{{0, 0, 0}, {0}}},
	{Name: "xor", Label: "XOR network", data: "xor", features: []string{"x1", "x2"},
		Note:    "XOR(x1, x2) = ReLU(x1 − x2) + ReLU(x2 − x1) on the corners",
		layers:  []Layer{{2, "relu", 0}},
		weights: [][]float32{{1, -1, -1, 1}, {1, 1}}, biases: [][]float32{{0, 0}, {0}}},
}

func init() {
	for _, p := range presets {
		p.Query = p.config().Encode()
	}
}

func presetByName(name string) *preset {
	for _, p := range presets {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// config returns the set-up that loads p: its data and network, trained
// by plain SGD with a small rate so that a perturbation visibly heals.
func (p *preset) config() Config {
	c := DefaultConfig()
	c.Data, c.Features, c.Layers, c.Preset = p.data, p.features, p.layers, p.Name
	c.LR = 0.01
	c.normalize(dataSetByName(c.Data))
	return c
}

// fits reports whether c's network is p's, so that p's weights apply.
func (p *preset) fits(c *Config) bool {
	return slices.Equal(c.Features, p.features) && slices.Equal(c.Layers, p.layers)
}
