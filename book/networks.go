package book

import (
	"fmt"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/plot"
	"github.com/bigfunc/bigfunc/tensor"
)

// Linear returns a linear layer with the given weights, one row per output
// ([Out][In], PyTorch's layout), and biases; a nil bias gives a layer
// without one. It panics on ragged rows or a bias of the wrong length,
// since the chapter's networks are written out by hand.
func Linear(w [][]float64, b []float64) *nn.Linear {
	out, in := len(w), len(w[0])
	l := &nn.Linear{In: in, Out: out, Weight: autograd.Param(tensor.Zeros(out, in))}
	for o, row := range w {
		if len(row) != in {
			panic(fmt.Sprintf("book: Linear: row %d has %d weights, want %d", o, len(row), in))
		}
		for i, v := range row {
			l.Weight.Value.Set(float32(v), o, i)
		}
	}
	if b != nil {
		if len(b) != out {
			panic(fmt.Sprintf("book: Linear: %d biases for %d outputs", len(b), out))
		}
		l.Bias = autograd.Param(tensor.Zeros(out))
		for o, v := range b {
			l.Bias.Value.Set(float32(v), o)
		}
	}
	return l
}

// relu is the activation of every network of the chapter.
func relu() nn.Layer { return &activation.ReLULayer{} }

// AbsNet is the chapter's network for |x| = ReLU(x) + ReLU(−x):
// w₁ = (1, −1)ᵀ, b₁ = 0, w₂ = (1 1), b₂ = 0.
func AbsNet() *nn.Sequential {
	return nn.NewSequential(
		Linear([][]float64{{1}, {-1}}, []float64{0, 0}),
		relu(),
		Linear([][]float64{{1, 1}}, []float64{0}),
	)
}

// SkipNet is a network with a shortcut: y = Net(x) + Skip(x), where Skip
// is a linear map (without bias) straight from the input to the output,
// bypassing the hidden layer. It is the shape of the chapter's first
// answer for max{x₁, x₂}, and what the chapter calls not elegant: x₁ does
// not go through the uniform ReLU(wx + b) layer.
type SkipNet struct {
	Net  *nn.Sequential
	Skip *nn.Linear
}

// Forward returns Net(x) + Skip(x).
func (s *SkipNet) Forward(x *autograd.Var, m nn.Mode) *autograd.Var {
	return autograd.Add(s.Net.Forward(x, m), s.Skip.Forward(x, m))
}

// Describe returns a residual block whose shortcut is the skip layer.
func (s *SkipNet) Describe() nn.Desc {
	return (&nn.Residual{F: s.Net, Shortcut: s.Skip}).Describe()
}

// OutShape returns Net's output shape, which the skip layer's must equal.
func (s *SkipNet) OutShape(in []int) ([]int, error) {
	return (&nn.Residual{F: s.Net, Shortcut: s.Skip}).OutShape(in)
}

// Params returns the parameters of Net and then the skip weights under
// "skip.weight".
func (s *SkipNet) Params() []nn.Param {
	ps := s.Net.Params()
	for _, p := range s.Skip.Params() {
		ps = append(ps, nn.Param{Name: "skip." + p.Name, Var: p.Var})
	}
	return ps
}

// Skips returns the shortcut weights as diagram arcs from the input column
// to the output column. Exactly zero weights are left out: they connect
// nothing.
func (s *SkipNet) Skips() []plot.Skip {
	out := 0
	for _, l := range s.Net.Layers {
		if _, ok := l.(*nn.Linear); ok {
			out++
		}
	}
	var sk []plot.Skip
	for o := range s.Skip.Out {
		for i := range s.Skip.In {
			if w := float64(s.Skip.Weight.Value.At(o, i)); w != 0 {
				sk = append(sk, plot.Skip{FromCol: 0, From: i, ToCol: out, To: o, Weight: w})
			}
		}
	}
	return sk
}

// MaxSkipNet is max{x₁, x₂} = x₁ + ReLU(x₂ − x₁): one hidden ReLU unit
// computing x₂ − x₁, and x₁ skipping the hidden layer with weight 1.
func MaxSkipNet() *SkipNet {
	return &SkipNet{
		Net: nn.NewSequential(
			Linear([][]float64{{-1, 1}}, []float64{0}),
			relu(),
			Linear([][]float64{{1}}, []float64{0}),
		),
		Skip: Linear([][]float64{{1, 0}}, nil),
	}
}

// MaxNet is max{x₁, x₂} = ReLU(x₁) − ReLU(−x₁) + ReLU(x₂ − x₁): three
// hidden units, every input through the same layer, biases 0.
func MaxNet() *nn.Sequential {
	return nn.NewSequential(
		Linear([][]float64{{1, 0}, {-1, 0}, {-1, 1}}, []float64{0, 0, 0}),
		relu(),
		Linear([][]float64{{1, -1, 1}}, []float64{0}),
	)
}

// AndNet is x₁ and x₂ = ReLU(x₁ + x₂ − 1), with True and False as 1 and 0.
func AndNet() *nn.Sequential {
	return nn.NewSequential(
		Linear([][]float64{{1, 1}}, []float64{-1}),
		relu(),
		Linear([][]float64{{1}}, []float64{0}),
	)
}

// OrNet is x₁ or x₂ = ReLU(x₁) + ReLU(x₂ − x₁).
func OrNet() *nn.Sequential {
	return nn.NewSequential(
		Linear([][]float64{{1, 0}, {-1, 1}}, []float64{0, 0}),
		relu(),
		Linear([][]float64{{1, 1}}, []float64{0}),
	)
}

// XorNet is x₁ xor x₂ = ReLU(x₁ − x₂) + ReLU(x₂ − x₁).
func XorNet() *nn.Sequential {
	return nn.NewSequential(
		Linear([][]float64{{1, -1}, {-1, 1}}, []float64{0, 0}),
		relu(),
		Linear([][]float64{{1, 1}}, []float64{0}),
	)
}

// Corners are the four inputs of a two-input boolean function, in the
// order LogicNet's truth table uses.
var Corners = [4][2]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}}

// cornerRows returns Corners as input rows for Eval.
func cornerRows() [][]float64 {
	rows := make([][]float64, len(Corners))
	for i, c := range Corners {
		rows[i] = []float64{c[0], c[1]}
	}
	return rows
}

// LogicNet builds a two-layer ReLU network for any two-input boolean
// function, given its truth table on Corners. It is a sum of minterm
// detectors: for each corner (a, b) where the function is true, one hidden
// unit ReLU(s₁x₁ + s₂x₂ − c) with sᵢ = +1 where the corner has a 1 and −1
// where it has a 0, and c one less than the number of 1s. The unit gives 1
// on its own corner and 0 on the other three, so the output layer only
// adds them up. The constant-false function gets one unit whose output
// weight is 0.
func LogicNet(table [4]bool) *nn.Sequential {
	var w [][]float64
	var b []float64
	for k, on := range table {
		if !on {
			continue
		}
		row := make([]float64, 2)
		ones := 0
		for i, v := range Corners[k] {
			if v == 1 {
				row[i] = 1
				ones++
			} else {
				row[i] = -1
			}
		}
		w = append(w, row)
		b = append(b, float64(1-ones))
	}
	out := []float64{}
	for range w {
		out = append(out, 1)
	}
	if len(w) == 0 {
		w, b, out = [][]float64{{0, 0}}, []float64{0}, []float64{0}
	}
	return nn.NewSequential(Linear(w, b), relu(), Linear([][]float64{out}, []float64{0}))
}

// SquarePrinted is the four-piece approximation of x² exactly as the
// chapter prints it:
//
//	f(x) = 2ReLU(x − 1) + 2ReLU(x) + 2ReLU(−x) + 2ReLU(−x − 1) − 0.04
//
// On [−1, 1] the first and last terms are always 0, so this is
// 2|x| − 0.04: see Check for how far that is from x².
func SquarePrinted() *nn.Sequential {
	return nn.NewSequential(
		Linear([][]float64{{1}, {1}, {-1}, {-1}}, []float64{-1, 0, 0, -1}),
		relu(),
		Linear([][]float64{{2, 2, 2, 2}}, []float64{-0.04}),
	)
}

// SquareMinimax is the best four-piece continuous piecewise-linear
// approximation of x² on [−1, 1] in the maximum (uniform) error, built as
// a ReLU network of the printed formula's shape:
//
//	f(x) = ReLU(x − ½) + ½ReLU(x) + ½ReLU(−x) + ReLU(−x − ½) − 1/32
//
// It is the interpolant of x² at the knots −1, −½, 0, ½, 1 shifted down by
// half its largest error: on a piece of width h the chord of x² lies at
// most h²/4 above it, at the middle, and shifting by h²/8 splits that
// evenly, so the error is ±h²/8 = ±1/32 with h = ½. No four pieces do
// better: on a piece of width h no straight line comes closer to x² than
// h²/8 (the error of the best line equioscillates at three points), and
// four widths that add up to 2 have one of at least ½.
func SquareMinimax() *nn.Sequential {
	const h = 0.5 // width of each of the four equal pieces of [−1, 1]
	// Slopes of the interpolant: h on [0, h], 3h on [h, 2h]; mirrored for
	// x < 0. The ReLU(±x) units give the inner slope and the ReLU(±x − h)
	// units add the change of slope at ±h.
	inner, change := h, 3*h-h
	return nn.NewSequential(
		Linear([][]float64{{1}, {1}, {-1}, {-1}}, []float64{-h, 0, 0, -h}),
		relu(),
		Linear([][]float64{{change, inner, inner, change}}, []float64{-h * h / 8}),
	)
}

// Eval runs a network on rows of inputs without recording a graph and
// returns its outputs, one row per input row, in evaluation mode.
func Eval(net nn.Layer, xs [][]float64) [][]float64 {
	if len(xs) == 0 {
		return nil
	}
	in := tensor.Zeros(len(xs), len(xs[0]))
	for i, row := range xs {
		for j, v := range row {
			in.Set(float32(v), i, j)
		}
	}
	out := net.Forward(autograd.Const(in), nn.Eval)
	res := make([][]float64, len(xs))
	cols := out.Value.Dim(1)
	for i := range res {
		res[i] = make([]float64, cols)
		for j := range cols {
			res[i][j] = float64(out.Value.At(i, j))
		}
	}
	return res
}

// Eval1 runs a network with one input and one output at every x.
func Eval1(net nn.Layer, xs []float64) []float64 {
	rows := make([][]float64, len(xs))
	for i, x := range xs {
		rows[i] = []float64{x}
	}
	out := Eval(net, rows)
	ys := make([]float64, len(xs))
	for i := range ys {
		ys[i] = out[i][0]
	}
	return ys
}
