package book

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// Status is the outcome of checking one claim.
type Status string

const (
	// Pass means the claim holds as checked.
	Pass Status = "PASS"
	// Fail means a claim that must hold did not: a bug in the library.
	Fail Status = "FAIL"
	// WrongInText means the chapter states something that the check
	// shows to be false; the notes give the correction.
	WrongInText Status = "WRONG-IN-TEXT"
)

// Result is the outcome of checking one claim of the chapter.
type Result struct {
	// ID names the claim for tests and cross-references ("abs", "x2-printed").
	ID string
	// Claim states what the chapter says.
	Claim string
	// How says how it was checked.
	How    string
	Status Status
	// MaxError is the largest deviation found, NaN where a claim has no
	// single error to report.
	MaxError float64
	// Notes are findings worth reading beyond the status: corrected
	// formulas, float32 behaviour, measured ratios.
	Notes []string
}

// checker collects results.
type checker struct{ rs []Result }

func (c *checker) add(r Result) { c.rs = append(c.rs, r) }

// holds records a claim that is a mathematical fact: failing it means the
// library computes wrongly.
func (c *checker) holds(id, claim, how string, maxErr, tol float64, notes ...string) {
	st := Pass
	if !(maxErr <= tol) {
		st = Fail
	}
	c.add(Result{ID: id, Claim: claim, How: how, Status: st, MaxError: maxErr, Notes: notes})
}

// Check verifies every claim of the chapter numerically and returns one
// result per claim, in the chapter's order. The error is for a check that
// could not run at all; a claim that does not hold is a result, not an
// error (see Failures).
func Check() ([]Result, error) {
	c := &checker{}
	rng := tensor.NewRNG(2024)

	// Linear maps compose to a linear map.
	c.holds("linear-composition", "w₂(w₁x + b₁) + b₂ = (w₂w₁)x + (w₂b₁ + b₂): linear maps compose to a linear map",
		"50 random pairs of layers (sizes 1–8), 64 random x each, two layers vs one", compositionError(rng), 1e-4)

	// ... and therefore cannot make |x|.
	lineA, lineB, lineErr := bestLine()
	st := Pass
	if lineErr < 0.25 {
		st = Fail
	}
	c.add(Result{ID: "abs-not-linear", Claim: "no linear function y = wx + b represents |x|",
		How: "least-squares line for |x| on [−1, 1]; its max error must stay ≥ 0.25 (no line does better)", Status: st, MaxError: lineErr,
		Notes: []string{fmt.Sprintf("the least-squares line is y = %s with slope %s, off by %s at x = 0 and x = ±1", num(lineA), num(lineB), num(lineErr))}})

	// ReLU'(0).
	g1, g2 := reluGradAtZero()
	c.holds("relu-grad-0", "ReLU′(0) = 0, PyTorch's choice at the kink",
		"autograd through autograd.ReLU and the relu layer at x = 0", math.Max(math.Abs(g1), math.Abs(g2)), 0)

	// |x|.
	absPts := append(Grid(-10, 10, 20001), randoms(rng, 10000, 100)...)
	c.holds("abs", "|x| = ReLU(x) + ReLU(−x): w₁ = (1, −1)ᵀ, b₁ = 0, w₂ = (1 1), b₂ = 0",
		"grid [−10, 10] step 0.001 and 10000 random x ~ N(0, 100²)", relErr1(AbsNet(), absPts, math.Abs), 1e-6)

	// max, both networks.
	maxPts := append(grid2(-3, 3, 121), randomPairs(rng, 10000, 100)...)
	maxOf := func(p []float64) float64 { return math.Max(p[0], p[1]) }
	c.holds("max-skip", "max{x₁, x₂} = x₁ + ReLU(x₂ − x₁), x₁ skipping the hidden layer",
		"grid [−3, 3]² step 0.05 and 10000 random pairs ~ N(0, 100²)", relErr2(MaxSkipNet(), maxPts, maxOf), 1e-6,
		"error relative to max(1, |x₁|, |x₂|): in float32, x₁ + (x₂ − x₁) returns x₂ only to within rounding of the larger input")
	c.holds("max-three", "max{x₁, x₂} = ReLU(x₁) − ReLU(−x₁) + ReLU(x₂ − x₁), three hidden units",
		"same points as above", relErr2(MaxNet(), maxPts, maxOf), 1e-6)

	// The logic gates.
	gates := []struct {
		id, claim string
		net       *nn.Sequential
		table     [4]bool
	}{
		{"and", "x₁ and x₂ = ReLU(x₁ + x₂ − 1)", AndNet(), [4]bool{false, false, false, true}},
		{"or", "x₁ or x₂ = ReLU(x₁) + ReLU(x₂ − x₁)", OrNet(), [4]bool{false, true, true, true}},
		{"xor", "x₁ xor x₂ = ReLU(x₁ − x₂) + ReLU(x₂ − x₁)", XorNet(), [4]bool{false, true, true, false}},
	}
	for _, g := range gates {
		c.holds(g.id, g.claim, "truth table on (0,0), (0,1), (1,0), (1,1)", tableError(g.net, g.table), 0)
	}
	worst, units := 0.0, 0
	for f := range 16 {
		var table [4]bool
		for k := range table {
			table[k] = f>>k&1 == 1
		}
		net := LogicNet(table)
		worst = math.Max(worst, tableError(net, table))
		units = max(units, net.Layers[0].(*nn.Linear).Out)
	}
	c.holds("logic-16", "any logic function of two inputs takes at most two layers",
		"all 16 functions, each built from its truth table as a sum of ReLU minterm detectors", worst, 0,
		fmt.Sprintf("each detector is ReLU(±x₁ ± x₂ − c); the widest network (constant true) has %d hidden units", units))

	// Piecewise-linear growth.
	drift, ratio, err := growth(rng)
	if err != nil {
		return nil, err
	}
	c.holds("linear-growth", "a ReLU network f satisfies |f(x)| ≤ c‖x‖ for large ‖x‖",
		"5 random 3-16-16-1 nets, 20 directions u: |f(tu)/t| settles as t grows 10³ → 10⁴", drift, 1e-3,
		fmt.Sprintf("largest |f(x)|/‖x‖ at ‖x‖ = 10⁴ is %.3g of the bound c = ∏‖Wᵢ‖ (must be ≤ 1)", ratio))
	if ratio > 1.001 {
		c.rs[len(c.rs)-1].Status = Fail
	}

	// The approximation of x².
	sq, err := Square()
	if err != nil {
		return nil, err
	}
	st = Pass
	if sq.PrintedError > 0.1 {
		st = WrongInText
	}
	c.add(Result{ID: "x2-printed", Claim: "four pieces approximate x² well on [−1, 1]: " + sq.Printed,
		How: "the printed formula as a 1-4-1 network, max |f(x) − x²| on 20001 points of [−1, 1]", Status: st, MaxError: sq.PrintedError,
		Notes: []string{
			fmt.Sprintf("as printed the error reaches %s at x = %s: f(±1) = %s, not 1", num(sq.PrintedError), num(sq.PrintedAt), num(Eval1(SquarePrinted(), []float64{1})[0])),
			"on [−1, 1] the terms 2ReLU(x − 1) and 2ReLU(−x − 1) are always 0, so the formula is 2|x| − 0.04: a V, not a parabola",
			"corrected (best four pieces, minimax): " + sq.Minimax + fmt.Sprintf(", max error %s", num(sq.MinimaxError)),
		}})
	st = Pass
	if math.Abs(sq.MinimaxError-1.0/32) > 1e-6 {
		st = Fail
	}
	c.add(Result{ID: "x2-minimax", Claim: "the corrected four-piece formula: " + sq.Minimax,
		How: "max |f(x) − x²| on 20001 points of [−1, 1]; must equal the optimum 1/32", Status: st, MaxError: sq.MinimaxError, Notes: []string{
			"criterion: the largest error over [−1, 1] (minimax). Interpolating x² at −1, −½, 0, ½, 1 and shifting down by h²/8 = 1/32 makes the error equioscillate ±1/32 at 9 points; no four pieces do better, since some piece is at least ½ wide and no line comes closer than h²/8 to x² on a piece of width h",
		}})
	tr := sq.TrainedNet
	c.holds("x2-trained", "a 1-4-1 ReLU network trained on (x, x²) also approximates x² on [−1, 1]",
		fmt.Sprintf("Adam, lr %g, %d full-batch steps on 512 pairs, best of %d starts; max error on 20001 points", learnLR, learnSteps, tr.Starts),
		sq.TrainedError, 0.1,
		"learned: "+sq.Trained,
		fmt.Sprintf("trained for mean squared error, not for the maximum, so it lands near but not at the minimax 1/32; four hidden units could bend at four places (five pieces, best possible 1/50); this one bends at %d inside [−1, 1]", kinks(tr.Net.(*nn.Sequential))))

	// Activation facts.
	lg, slope, err := leakyDefault()
	if err != nil {
		return nil, err
	}
	c.holds("leaky-slope", "Leaky ReLU's slope α for x < 0 is usually 0.01",
		"activation.New(\"leaky_relu\") default, and autograd's derivative at x = −1", math.Max(math.Abs(slope-0.01), math.Abs(lg-0.01)), 1e-8,
		fmt.Sprintf("default negative_slope %g; derivative at −1 is %s (0.01 in float32)", slope, num(lg)))

	c.add(rangeCheck("sigmoid-range", "Sigmoid maps into (0, 1) (the text writes [0, 1])", activation.Sigmoid,
		func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, 0, 1, 700))
	c.add(rangeCheck("tanh-range", "tanh maps into (−1, 1) (the text writes [−1, 1])", activation.Tanh, math.Tanh, -1, 1, 350))

	e64, e32 := tanhIdentity()
	c.holds("tanh-sigmoid", "tanh is a stretched and shifted Sigmoid: tanh(x) = 2σ(2x) − 1",
		"grid [−20, 20] step 0.001 in float64 and in the float32 engine", e32, 2e-6,
		fmt.Sprintf("float64 max error %.2g; float32 engine max error %.2g", e64, e32))

	// Vanishing gradients.
	sig, rel, he, err := VanishingGradients()
	if err != nil {
		return nil, err
	}
	rs, rr := sig[0]/sig[len(sig)-1], rel[0]/rel[len(rel)-1]
	st = Pass
	if !(rs < rr/10) {
		st = Fail
	}
	c.add(Result{ID: "vanishing", Claim: "Sigmoid's small derivatives make gradients vanish in deep networks; ReLU much less",
		How:    fmt.Sprintf("%d-layer nets of width %d, PyTorch init, MSE on random data: ‖∂L/∂W‖ first ÷ last layer", GradientDepth, GradientWidth),
		Status: st, MaxError: math.NaN(),
		Notes: []string{
			fmt.Sprintf("first/last gradient norm: sigmoid %.3g, ReLU %.3g (sigmoid's smaller by a factor of %.2g)", rs, rr, rr/rs),
			"sigmoid per layer: " + norms(sig),
			"ReLU per layer:    " + norms(rel),
			fmt.Sprintf("ReLU also shrinks here: PyTorch's default init draws weights with variance 1/(3·fan_in), a sixth of the 2/fan_in that keeps a ReLU signal's size; with Kaiming (He) init for ReLU the ratio is %.3g", he[0]/he[len(he)-1]),
		}})
	return c.rs, nil
}

// Failures returns an error naming every claim whose status is Fail, or
// nil. WrongInText is not a failure: it is the finding.
func Failures(rs []Result) error {
	var bad []string
	for _, r := range rs {
		if r.Status == Fail {
			bad = append(bad, r.ID)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("book: %d claim(s) failed: %s", len(bad), strings.Join(bad, ", "))
}

// WriteTable prints the results as a table (claim | how checked | result |
// max error), then the notes, numbered like the rows.
func WriteTable(w io.Writer, rs []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, "#\t claim\t how checked\t result\t max error")
	fmt.Fprintln(tw, "-\t -----\t -----------\t ------\t ---------")
	for i, r := range rs {
		e := "—"
		if !math.IsNaN(r.MaxError) {
			e = fmt.Sprintf("%.4g", r.MaxError)
		}
		fmt.Fprintf(tw, "%d\t %s\t %s\t %s\t %s\n", i+1, r.Claim, r.How, r.Status, e)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	counts := map[Status]int{}
	for i, r := range rs {
		counts[r.Status]++
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "[%d] %s\n", i+1, n)
		}
	}
	fmt.Fprintf(&b, "\n%d claims: %d PASS, %d WRONG-IN-TEXT, %d FAIL\n", len(rs), counts[Pass], counts[WrongInText], counts[Fail])
	_, err := io.WriteString(w, "\nNotes:\n"+b.String())
	return err
}

// randoms returns n normal samples with standard deviation sd.
func randoms(rng *tensor.RNG, n int, sd float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = sd * rng.Normal()
	}
	return xs
}

func randomPairs(rng *tensor.RNG, n int, sd float64) [][]float64 {
	ps := make([][]float64, n)
	for i := range ps {
		ps[i] = []float64{sd * rng.Normal(), sd * rng.Normal()}
	}
	return ps
}

// f32 rounds x to the float32 the network actually sees, so that errors
// measure the network and not the rounding of its input.
func f32(x float64) float64 { return float64(float32(x)) }

// relErr1 returns the largest |net(x) − f(x)| / max(1, |f(x)|).
func relErr1(net nn.Layer, xs []float64, f func(float64) float64) float64 {
	ys := Eval1(net, xs)
	m := 0.0
	for i, x := range xs {
		want := f(f32(x))
		m = math.Max(m, math.Abs(ys[i]-want)/math.Max(1, math.Abs(want)))
	}
	return m
}

// relErr2 returns the largest |net(p) − f(p)| / max(1, |p₁|, |p₂|): the
// scale of the inputs, since x₁ + (x₂ − x₁) cancels.
func relErr2(net nn.Layer, ps [][]float64, f func([]float64) float64) float64 {
	out := Eval(net, ps)
	m := 0.0
	for i, p := range ps {
		q := []float64{f32(p[0]), f32(p[1])}
		scale := math.Max(1, math.Max(math.Abs(q[0]), math.Abs(q[1])))
		m = math.Max(m, math.Abs(out[i][0]-f(q))/scale)
	}
	return m
}

// tableError returns the largest |net(corner) − table(corner)|.
func tableError(net nn.Layer, table [4]bool) float64 {
	out := Eval(net, cornerRows())
	m := 0.0
	for k, on := range table {
		want := 0.0
		if on {
			want = 1
		}
		m = math.Max(m, math.Abs(out[k][0]-want))
	}
	return m
}

// compositionError compares two stacked linear layers with the single
// layer (w₂w₁, w₂b₁ + b₂), in float64 for the merged weights.
func compositionError(rng *tensor.RNG) float64 {
	worst := 0.0
	for range 50 {
		n0, n1, n2 := 1+rng.Intn(8), 1+rng.Intn(8), 1+rng.Intn(8)
		l1, l2 := nn.NewLinear(n0, n1, true, rng), nn.NewLinear(n1, n2, true, rng)
		w := make([][]float64, n2)
		b := make([]float64, n2)
		for i := range n2 {
			w[i] = make([]float64, n0)
			b[i] = float64(l2.Bias.Value.At(i))
			for k := range n1 {
				w2 := float64(l2.Weight.Value.At(i, k))
				b[i] += w2 * float64(l1.Bias.Value.At(k))
				for j := range n0 {
					w[i][j] += w2 * float64(l1.Weight.Value.At(k, j))
				}
			}
		}
		xs := make([][]float64, 64)
		for i := range xs {
			xs[i] = randoms(rng, n0, 1)
		}
		two := Eval(nn.NewSequential(l1, l2), xs)
		one := Eval(Linear(w, b), xs)
		for i := range xs {
			for j := range n2 {
				worst = math.Max(worst, math.Abs(two[i][j]-one[i][j]))
			}
		}
	}
	return worst
}

// bestLine fits y = a + bx to |x| on [−1, 1] by least squares and returns
// it with its largest error. By symmetry b = 0 and a = mean |x| ≈ ½; no
// line at all gets under ¼, since a line through the three values |x|
// takes at −1, 0 and 1 misses one of them by at least that.
func bestLine() (a, b, maxErr float64) {
	xs := Grid(-1, 1, 2001)
	var sx, sy, sxx, sxy float64
	for _, x := range xs {
		y := math.Abs(x)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	n := float64(len(xs))
	b = (n*sxy - sx*sy) / (n*sxx - sx*sx)
	a = (sy - b*sx) / n
	if math.Abs(b) < 1e-12 {
		b = 0 // symmetric data: what is left is rounding
	}
	for _, x := range xs {
		maxErr = math.Max(maxErr, math.Abs(a+b*x-math.Abs(x)))
	}
	return a, b, maxErr
}

// reluGradAtZero returns ReLU′(0) through the autograd primitive and
// through the activation layer.
func reluGradAtZero() (float64, float64) {
	grad := func(f func(*autograd.Var) *autograd.Var) float64 {
		x := autograd.Param(tensor.FromSlice([]float32{0}, 1))
		autograd.Sum(f(x)).Backward()
		return float64(x.Grad.At(0))
	}
	return grad(autograd.ReLU), grad(activation.ReLU)
}

// leakyDefault returns the derivative at −1 of the default leaky_relu and
// its default slope.
func leakyDefault() (grad, slope float64, err error) {
	l, err := activation.New("leaky_relu", nil)
	if err != nil {
		return 0, 0, err
	}
	lr, ok := l.(*activation.LeakyReLULayer)
	if !ok {
		return 0, 0, errors.New("book: leaky_relu is not a LeakyReLULayer")
	}
	x := autograd.Param(tensor.FromSlice([]float32{-1}, 1))
	autograd.Sum(l.Forward(x, nn.Eval)).Backward()
	return float64(x.Grad.At(0)), lr.NegativeSlope, nil
}

// rangeCheck checks that an activation stays strictly inside (lo, hi) in
// exact arithmetic, and reports honestly where float32 reaches the ends.
func rangeCheck(id, claim string, f32f func(*autograd.Var) *autograd.Var, f64 func(float64) float64, lo, hi, limit float64) Result {
	// Rounding 1/(1 + tiny) to 1 is a property of the format, not of the
	// function, so strictness is checked through the distances to the
	// ends, computed without cancellation: 1 − σ(x) = σ(−x), and
	// 1 − tanh x = 2/(e^{2x} + 1). They stay representable (positive and
	// finite) for |x| up to limit: 700 for σ, 350 for tanh, whose e^{2x}
	// overflows first.
	steps := int(2*limit/0.01) + 1
	xs := Grid(-limit, limit, steps)
	inside := true
	for _, x := range xs {
		var below, above float64 // distances to lo and hi
		if lo == 0 {
			below, above = f64(x), f64(-x)
		} else {
			above = 2 / (math.Exp(2*x) + 1)
			below = 2 / (math.Exp(-2*x) + 1)
		}
		if !(below > 0 && above > 0) {
			inside = false
		}
	}
	// The float32 engine: where does it return the ends exactly?
	grid := Grid(-120, 120, 240001)
	in := tensor.Zeros(len(grid))
	for i, x := range grid {
		in.Data()[i] = float32(x)
	}
	out := f32f(autograd.Const(in))
	firstHi, lastLo := math.NaN(), math.NaN()
	outside := false
	for i, x := range grid {
		v := float64(out.Value.Data()[i])
		if v < lo || v > hi {
			outside = true
		}
		if v == hi && math.IsNaN(firstHi) {
			firstHi = x
		}
		if v == lo {
			lastLo = x
		}
	}
	st := Pass
	if !inside || outside {
		st = Fail
	}
	notes := []string{
		fmt.Sprintf("exact: strictly inside (%s, %s) for every x in [−%g, %g] (float64, distances to the ends computed without cancellation)", num(lo), num(hi), limit, limit),
	}
	n := "float32 engine: never outside [" + num(lo) + ", " + num(hi) + "], but returns exactly " + num(hi)
	if !math.IsNaN(firstHi) {
		n += fmt.Sprintf(" from x = %s on", num(firstHi))
	}
	if !math.IsNaN(lastLo) {
		n += fmt.Sprintf(" and exactly %s up to x = %s", num(lo), num(lastLo))
	}
	notes = append(notes, n+"; so in float32 the closed interval the text writes is what a program sees")
	return Result{ID: id, Claim: claim, How: fmt.Sprintf("exact (float64) on [−%g, %g] step 0.01; float32 engine on [−120, 120] step 0.001", limit, limit),
		Status: st, MaxError: math.NaN(), Notes: notes}
}

// tanhIdentity returns the largest |tanh x − (2σ(2x) − 1)| on [−20, 20]
// in float64 and in the float32 engine.
func tanhIdentity() (e64, e32 float64) {
	xs := Grid(-20, 20, 40001)
	in := tensor.Zeros(len(xs))
	for i, x := range xs {
		in.Data()[i] = float32(x)
		e64 = math.Max(e64, math.Abs(math.Tanh(x)-(2/(1+math.Exp(-2*x))-1)))
	}
	x := autograd.Const(in)
	t := activation.Tanh(x)
	s := activation.Sigmoid(autograd.Scale(x, 2))
	for i := range xs {
		e32 = math.Max(e32, math.Abs(float64(t.Value.Data()[i])-(2*float64(s.Value.Data()[i])-1)))
	}
	return e64, e32
}

// growth measures how f(tu)/t settles for random ReLU networks and
// directions, and the largest |f(x)|/‖x‖ at ‖x‖ = 10⁴ relative to the
// bound ∏‖Wᵢ‖ (Frobenius norms; biases only add a constant).
func growth(rng *tensor.RNG) (drift, ratio float64, err error) {
	for range 5 {
		net := nn.NewSequential(nn.NewLinear(3, 16, true, rng), relu(), nn.NewLinear(16, 16, true, rng), relu(), nn.NewLinear(16, 1, true, rng))
		bound := 1.0
		for _, l := range net.Layers {
			if lin, ok := l.(*nn.Linear); ok {
				s := 0.0
				for _, v := range lin.Weight.Value.Data() {
					s += float64(v) * float64(v)
				}
				bound *= math.Sqrt(s)
			}
		}
		var rows [][]float64
		for range 20 {
			u := randoms(rng, 3, 1)
			n := math.Sqrt(u[0]*u[0] + u[1]*u[1] + u[2]*u[2])
			for _, t := range []float64{1e3, 1e4} {
				rows = append(rows, []float64{u[0] / n * t, u[1] / n * t, u[2] / n * t})
			}
		}
		out := Eval(net, rows)
		for i := 0; i < len(rows); i += 2 {
			r3, r4 := out[i][0]/1e3, out[i+1][0]/1e4
			// f(tu) = t·a(u) + b(u) once t is past every kink along u, so
			// f(tu)/t − a(u) shrinks like 1/t: the drift from 10³ to 10⁴
			// is the size of the constant over 10³.
			drift = math.Max(drift, math.Abs(r4-r3))
			ratio = math.Max(ratio, math.Abs(r4)/bound)
		}
	}
	return drift, ratio, nil
}

// kinks counts the distinct places in [−1, 1] where a 1-h-1 ReLU network
// can bend: the zeros of its hidden pre-activations with a non-zero
// output weight.
func kinks(net *nn.Sequential) int {
	l1 := net.Layers[0].(*nn.Linear)
	l2 := net.Layers[2].(*nn.Linear)
	var at []float64
	for j := range l1.Out {
		w := float64(l1.Weight.Value.At(j, 0))
		if w == 0 || l2.Weight.Value.At(0, j) == 0 {
			continue
		}
		x := -float64(l1.Bias.Value.At(j)) / w
		if x <= -1 || x >= 1 {
			continue
		}
		dup := false
		for _, y := range at {
			if math.Abs(x-y) < 1e-3 {
				dup = true
			}
		}
		if !dup {
			at = append(at, x)
		}
	}
	return len(at)
}

func norms(ns []float64) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprintf("%.2g", n)
	}
	return strings.Join(parts, " ")
}
