package book

import (
	"fmt"
	"math"
	"strings"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/plot"
)

// Formula writes a one-hidden-layer ReLU network with one input and one
// output (1-h-1) the way the chapter writes its approximation of x²:
// f(x) = v₁ReLU(w₁x + b₁) + … + c, with four significant digits. Other
// shapes give an error.
func Formula(net *nn.Sequential) (string, error) {
	if len(net.Layers) != 3 {
		return "", fmt.Errorf("book: Formula: want linear, ReLU, linear; got %d layers", len(net.Layers))
	}
	l1, ok1 := net.Layers[0].(*nn.Linear)
	l2, ok2 := net.Layers[2].(*nn.Linear)
	if !ok1 || !ok2 || l1.In != 1 || l2.Out != 1 {
		return "", fmt.Errorf("book: Formula: want a 1-h-1 network of linear layers")
	}
	var b strings.Builder
	b.WriteString("f(x) = ")
	first := true
	for j := range l1.Out {
		v := float64(l2.Weight.Value.At(0, j))
		if v == 0 {
			continue
		}
		w := float64(l1.Weight.Value.At(j, 0))
		bias := 0.0
		if l1.Bias != nil {
			bias = float64(l1.Bias.Value.At(j))
		}
		writeSigned(&b, v, first, true)
		first = false
		b.WriteString("ReLU(")
		switch w {
		case 1:
			b.WriteString("x")
		case -1:
			b.WriteString("−x")
		default:
			b.WriteString(num(w) + "x")
		}
		if bias != 0 {
			writeSigned(&b, bias, false, false)
		}
		b.WriteString(")")
	}
	c := 0.0
	if l2.Bias != nil {
		c = float64(l2.Bias.Value.At(0))
	}
	if c != 0 || first {
		writeSigned(&b, c, first, false)
	}
	return b.String(), nil
}

// writeSigned writes v as a term of a sum: " + v" or " − |v|", or v alone
// at the start. A coefficient of ±1 in front of a function is left out.
func writeSigned(b *strings.Builder, v float64, first, coef bool) {
	mag := num(math.Abs(v))
	if coef && math.Abs(v) == 1 {
		mag = ""
	}
	switch {
	case first && v < 0:
		b.WriteString("−" + mag)
	case first:
		b.WriteString(mag)
	case v < 0:
		b.WriteString(" − " + mag)
	default:
		b.WriteString(" + " + mag)
	}
}

// num writes a magnitude with at most four significant digits, the
// precision of float32 weights that a reader can use.
func num(v float64) string {
	return plot.FormatDigits(float64(float32(v)), 4)
}

// ErrorOnInterval returns the largest |f(x) − g(x)| over n evenly spaced
// points of [lo, hi] for a network f with one input and output, and the x
// where it occurs.
func ErrorOnInterval(net nn.Layer, g func(float64) float64, lo, hi float64, n int) (maxErr, at float64) {
	xs := Grid(lo, hi, n)
	ys := Eval1(net, xs)
	errs := make([]float64, n)
	for i, x := range xs {
		errs[i] = math.Abs(ys[i] - g(x))
		maxErr = math.Max(maxErr, errs[i])
	}
	// Report the first place the maximum is reached, up to float32
	// rounding, so that a tie between x = −1 and x = 1 names −1 rather
	// than a neighbour that won by an ulp.
	for i, e := range errs {
		if e >= maxErr-1e-6 {
			return maxErr, xs[i]
		}
	}
	return maxErr, lo
}

func square(x float64) float64 { return x * x }

// SquareFindings is what Check reports about the chapter's four-piece
// approximation of x² on [−1, 1].
type SquareFindings struct {
	// Printed is the formula as printed, and PrintedError its true largest
	// error on [−1, 1], reached at PrintedAt.
	Printed                 string
	PrintedError, PrintedAt float64
	// Minimax is the best four-piece formula (SquareMinimax) and
	// MinimaxError its largest error, 1/32 in exact arithmetic.
	Minimax      string
	MinimaxError float64
	// Trained is the formula of a 1-4-1 ReLU network trained with Adam on
	// (x, x²) pairs, and TrainedError its largest error.
	Trained      string
	TrainedError float64
	// TrainedNet is that network.
	TrainedNet *Learned
}

// squareGrid is the resolution of every error measured on [−1, 1]: fine
// enough that the grid includes the knots ±½, 0 and the ends, and misses a
// maximum of a piecewise-quadratic error by far less than the digits
// printed.
const squareGrid = 20001

// Square computes the findings about x², training the 1-4-1 network.
func Square() (*SquareFindings, error) {
	f := &SquareFindings{}
	var err error
	if f.Printed, err = Formula(SquarePrinted()); err != nil {
		return nil, err
	}
	f.PrintedError, f.PrintedAt = ErrorOnInterval(SquarePrinted(), square, -1, 1, squareGrid)
	if f.Minimax, err = Formula(SquareMinimax()); err != nil {
		return nil, err
	}
	f.MinimaxError, _ = ErrorOnInterval(SquareMinimax(), square, -1, 1, squareGrid)
	l, err := Learn("square")
	if err != nil {
		return nil, err
	}
	f.TrainedNet = l
	if f.Trained, err = Formula(l.Net.(*nn.Sequential)); err != nil {
		return nil, err
	}
	f.TrainedError, _ = ErrorOnInterval(l.Net, square, -1, 1, squareGrid)
	return f, nil
}
