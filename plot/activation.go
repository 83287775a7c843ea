package plot

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// displayNames are the names figures print for the registry's activations.
var displayNames = map[string]string{
	"identity": "identity", "relu": "ReLU", "leaky_relu": "Leaky ReLU", "prelu": "PReLU",
	"rrelu": "RReLU", "elu": "ELU", "selu": "SELU", "celu": "CELU", "gelu": "GELU",
	"sigmoid": "Sigmoid", "tanh": "tanh", "softplus": "Softplus", "softsign": "Softsign",
	"silu": "SiLU", "mish": "Mish", "hardtanh": "Hardtanh", "relu6": "ReLU6",
	"hardsigmoid": "Hardsigmoid", "hardswish": "Hardswish", "logsigmoid": "LogSigmoid",
	"tanhshrink": "Tanhshrink", "softshrink": "Softshrink", "hardshrink": "Hardshrink",
	"softmax": "Softmax", "log_softmax": "LogSoftmax", "maxout": "Maxout",
}

// DisplayName returns how figures write the activation called name in the
// registry ("leaky_relu" → "Leaky ReLU"); unknown names come back as given.
func DisplayName(name string) string {
	if d, ok := displayNames[name]; ok {
		return d
	}
	return name
}

// pairwise are the activations that act on a whole vector rather than on
// each element. They are drawn as functions of x through the vector
// (x, 0): softmax's first component is then σ(x) and maxout with two
// pieces is max(x, 0).
var pairwise = map[string]bool{"softmax": true, "log_softmax": true, "maxout": true}

// ActivationCurve evaluates the activation called name (with registry
// parameters params, defaults filled in as activation.New does) at every
// x of xs, and its derivative there by a backward pass through the
// activation's own gradient: the derivative is autograd's, not a formula
// written for the figure. Layers with a training mode are evaluated in
// evaluation mode (RReLU's fixed mean slope). Vector activations (softmax,
// log_softmax, maxout) are evaluated on (x, 0) and report their first
// component.
func ActivationCurve(name string, params map[string]any, xs []float64) (y, dy []float64, err error) {
	if name == "maxout" && params == nil {
		params = map[string]any{"pieces": 2}
	}
	l, err := activation.New(name, params)
	if err != nil {
		return nil, nil, err
	}
	n := len(xs)
	width := 1
	if pairwise[name] {
		width = 2
	}
	in := tensor.Zeros(n, width)
	for i, x := range xs {
		in.Set(float32(x), i, 0)
	}
	xv := autograd.Param(in)
	out := l.Forward(xv, nn.Eval)
	if s := out.Value.Shape(); len(s) != 2 || s[0] != n || s[1] < 1 {
		return nil, nil, fmt.Errorf("plot: activation %q: output shape %v for input %v", name, s, in.Shape())
	}
	// Seed the backward pass with 1 on the first output column only: for
	// an element-wise activation that gives f′(x) in every row at once.
	seed := tensor.Zeros(out.Value.Shape()...)
	for i := range n {
		seed.Set(1, i, 0)
	}
	out.BackwardWith(seed)
	y, dy = make([]float64, n), make([]float64, n)
	for i := range n {
		y[i] = float64(out.Value.At(i, 0))
		dy[i] = float64(xv.Grad.At(i, 0))
	}
	return y, dy, nil
}

// ActivationChart returns the chart of an activation over [lo, hi], drawn
// solid, with its derivative dashed beside it. Jumps of either are left
// open, and at a kink of the derivative the value autograd returns there
// is marked (ReLU′(0) = 0, PyTorch's convention).
func ActivationChart(name string, params map[string]any, lo, hi float64) (*Chart, error) {
	const n = 801
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	if lo < 0 && hi > 0 {
		// Sample 0 itself: that is where ReLU-like functions bend.
		xs[n/2] = 0
		for i := range xs {
			xs[i] = roundGrid(xs[i])
		}
	}
	y, dy, err := ActivationCurve(name, params, xs)
	if err != nil {
		return nil, err
	}
	d := DisplayName(name)
	of := d + "(x)"
	title := d + " and its derivative"
	if pairwise[name] {
		of = d + "(x, 0)₁"
		title = d + " of (x, 0), first output, and its derivative"
	}
	fx, fy := BreakJumps(xs, y)
	gx, gy := BreakJumps(xs, dy)
	lo2, hi2 := math.Inf(1), math.Inf(-1)
	for i := range y {
		lo2, hi2 = math.Min(lo2, math.Min(y[i], dy[i])), math.Max(hi2, math.Max(y[i], dy[i]))
	}
	span := hi2 - lo2
	ch := &Chart{
		// More room below than above, for the labels of the marks.
		YMin: lo2 - 0.14*span, YMax: hi2 + 0.08*span,
		Title:     title,
		XLabel:    "x",
		XMin:      lo,
		XMax:      hi,
		ZeroLines: true,
		Curves: []Curve{
			{Label: of, X: fx, Y: fy, Color: Positive, Width: 2},
			{Label: "d/dx " + of + "  (autograd)", X: gx, Y: gy, Color: Negative, Dashed: true, Width: 1.6},
		},
	}
	// Mark where the derivative jumps at a round x (all the registry's
	// kinks are at multiples of ½): a disc at the value autograd returns
	// there, a ring at the limit from the other side.
	for i := 1; i+1 < len(gx); i++ {
		if !math.IsNaN(gx[i]) {
			continue
		}
		at, other := i-1, i+1
		if !round(gx[at]) {
			at, other = other, at
		}
		if !round(gx[at]) {
			continue
		}
		ch.Marks = append(ch.Marks,
			Mark{X: gx[at], Y: gy[at], Color: Negative, Label: fmt.Sprintf("%s′(%s) = %s", d, FormatNumber(gx[at]), FormatNumber(gy[at]))},
			Mark{X: gx[at], Y: gy[other], Color: Negative, Hollow: true})
	}
	return ch, nil
}

// round reports whether x is a multiple of ½.
func round(x float64) bool { return math.Abs(x*2-math.Round(x*2)) < 1e-9 }

// roundGrid removes the floating-point dust of lo + k·step, so that the
// sample printed as 0 is 0.
func roundGrid(x float64) float64 { return math.Round(x*1e9) / 1e9 }
