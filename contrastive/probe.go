package contrastive

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"

	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// Probe configures LinearProbe.
type Probe struct {
	Classes int
	// Penalties are the L2 penalties λ to choose from: the probe minimizes
	// the mean cross-entropy plus λ/2·‖W‖² (the bias is not penalized).
	// None means no penalty; one is used as it is. With several,
	// Folds-fold cross-validation on the training rows alone picks the one
	// with the best held-out accuracy (the smaller on a tie), so the test
	// rows never steer the probe. A penalty matters when labels are few:
	// the probe then has about as many weights as rows and, unpenalized,
	// fits them exactly.
	Penalties []float64
	Folds     int    // 5 when zero
	Seed      uint64 // deals the training rows into folds
}

// ProbeResult is what LinearProbe measured.
type ProbeResult struct {
	Accuracy float64 // on the test rows
	Penalty  float64 // the L2 penalty the probe trained with
	// Held holds, for each of Penalties when there were several, the
	// cross-validated accuracy it reached; nil otherwise.
	Held []float64
}

// probeIterations caps L-BFGS. A penalized probe converges long before
// it; an unpenalized one on separable rows never does, since its weights
// grow without bound, and stops here.
const probeIterations = 1000

// LinearProbe measures how linearly separable the classes are in a
// representation: it standardizes the features (with the training rows'
// mean and standard deviation), fits a multinomial logistic regression on
// trainX [N, D] and its labels, and returns its accuracy on testX and its
// labels. The fit is convex and solved to convergence by L-BFGS in
// float64, so the score depends on the features and the penalty alone,
// not on an optimizer's schedule or a random start. The representation
// itself stays frozen: only the probe learns.
func LinearProbe(trainX *tensor.Tensor, trainLabels []int, testX *tensor.Tensor, testLabels []int, p Probe) (ProbeResult, error) {
	if trainX.Dims() != 2 || testX.Dims() != 2 || trainX.Dim(1) != testX.Dim(1) {
		return ProbeResult{}, fmt.Errorf("contrastive: probe features %v and %v, want [N, D] and [M, D]", trainX.Shape(), testX.Shape())
	}
	if len(trainLabels) != trainX.Dim(0) || len(testLabels) != testX.Dim(0) {
		return ProbeResult{}, fmt.Errorf("contrastive: %d and %d labels for %d and %d rows", len(trainLabels), len(testLabels), trainX.Dim(0), testX.Dim(0))
	}
	for _, l := range [][]int{trainLabels, testLabels} {
		for _, c := range l {
			if c < 0 || c >= p.Classes {
				return ProbeResult{}, fmt.Errorf("contrastive: label %d, want 0 to %d for %d classes", c, p.Classes-1, p.Classes)
			}
		}
	}
	for _, penalty := range p.Penalties {
		if !(penalty >= 0) || math.IsInf(penalty, 1) {
			return ProbeResult{}, fmt.Errorf("contrastive: probe penalty %g, want a finite λ ≥ 0", penalty)
		}
	}
	folds := p.Folds
	if folds == 0 {
		folds = 5
	}
	if len(p.Penalties) > 1 && (folds < 2 || folds > len(trainLabels)) {
		return ProbeResult{}, fmt.Errorf("contrastive: %d folds for %d training rows, want 2 to %[2]d", folds, len(trainLabels))
	}
	standard := standardizer(trainX)
	x, xt := standard(trainX), standard(testX)
	res := ProbeResult{}
	if len(p.Penalties) == 1 {
		res.Penalty = p.Penalties[0]
	}
	if len(p.Penalties) > 1 {
		res.Held = make([]float64, len(p.Penalties))
		order := tensor.NewRNG(p.Seed).Perm(len(trainLabels))
		for f := range folds {
			var fit, held []int
			for i, row := range order {
				if i%folds == f {
					held = append(held, row)
				} else {
					fit = append(fit, row)
				}
			}
			fx, fl := x.rows(fit, trainLabels)
			hx, hl := x.rows(held, trainLabels)
			for k, penalty := range p.Penalties {
				w, err := fitLogistic(fx, fl, p.Classes, penalty)
				if err != nil {
					return ProbeResult{}, err
				}
				res.Held[k] += hx.accuracy(w, hl) / float64(folds)
			}
		}
		res.Penalty = bestPenalty(p.Penalties, res.Held)
	}
	w, err := fitLogistic(x, trainLabels, p.Classes, res.Penalty)
	if err != nil {
		return ProbeResult{}, err
	}
	res.Accuracy = xt.accuracy(w, testLabels)
	return res, nil
}

// bestPenalty returns the penalty with the highest held-out accuracy, the
// smaller of two that tie.
func bestPenalty(penalties, held []float64) float64 {
	best := 0
	for k := range penalties {
		if held[k] > held[best] || held[k] == held[best] && penalties[k] < penalties[best] {
			best = k
		}
	}
	return penalties[best]
}

// matrix is a row-major float64 matrix of features.
type matrix struct {
	v    []float64
	n, d int
}

// standardizer returns a function that centres and scales each column
// of a [N, D] tensor by the mean and standard deviation of x's columns.
func standardizer(x *tensor.Tensor) func(*tensor.Tensor) matrix {
	d, n := x.Dim(1), x.Dim(0)
	mean, std := make([]float64, d), make([]float64, d)
	for i := range n {
		for j, v := range x.Data()[i*d : (i+1)*d] {
			mean[j] += float64(v)
			std[j] += float64(v) * float64(v)
		}
	}
	for j := range d {
		mean[j] /= float64(n)
		std[j] = math.Sqrt(max(std[j]/float64(n)-mean[j]*mean[j], 0)) + 1e-6
	}
	return func(x *tensor.Tensor) matrix {
		m := matrix{v: make([]float64, x.Len()), n: x.Dim(0), d: d}
		for i, v := range x.Data() {
			j := i % d
			m.v[i] = (float64(v) - mean[j]) / std[j]
		}
		return m
	}
}

// rows returns the given rows of m and their labels.
func (m matrix) rows(rows, labels []int) (matrix, []int) {
	out := matrix{v: make([]float64, 0, len(rows)*m.d), n: len(rows), d: m.d}
	l := make([]int, len(rows))
	for k, i := range rows {
		out.v = append(out.v, m.v[i*m.d:(i+1)*m.d]...)
		l[k] = labels[i]
	}
	return out, l
}

// scores writes the row's class scores under weights w ([classes·d]
// weights, then classes biases) to z.
func (m matrix) scores(w []float64, i int, z []float64) {
	row := m.v[i*m.d : (i+1)*m.d]
	bias := w[len(z)*m.d:]
	for c := range z {
		s := bias[c]
		for j, a := range w[c*m.d : (c+1)*m.d] {
			s += a * row[j]
		}
		z[c] = s
	}
}

// accuracy returns the fraction of m's rows whose highest score is their
// label's.
func (m matrix) accuracy(w []float64, labels []int) float64 {
	z := make([]float64, len(w)/(m.d+1))
	right := 0
	for i, want := range labels {
		m.scores(w, i, z)
		if argmax(z) == want {
			right++
		}
	}
	return float64(right) / float64(len(labels))
}

// fitLogistic minimizes the mean cross-entropy of softmax(Wx + b) over
// the rows of x plus penalty/2·‖W‖², from zero weights, and returns
// [W, b].
func fitLogistic(x matrix, labels []int, classes int, penalty float64) ([]float64, error) {
	d := x.d
	z := make([]float64, classes)
	problem := optimize.Problem{
		Func: func(w []float64) float64 {
			f, _ := logisticLoss(x, labels, w, z, nil, penalty)
			return f
		},
		Grad: func(g, w []float64) {
			logisticLoss(x, labels, w, z, g, penalty)
		},
	}
	w0 := make([]float64, classes*(d+1))
	settings := &optimize.Settings{MajorIterations: probeIterations, GradientThreshold: 1e-7, Converger: &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-12, Iterations: 20}}
	r, err := optimize.Minimize(problem, w0, settings, &optimize.LBFGS{})
	if err != nil && r == nil {
		return nil, fmt.Errorf("contrastive: probe fit: %w", err)
	}
	for _, v := range r.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("contrastive: probe fit diverged (%v)", r.Status)
		}
	}
	return r.X, nil
}

// logisticLoss returns the penalized loss at w and, when g is not nil,
// writes its gradient to g.
func logisticLoss(x matrix, labels []int, w, z, g []float64, penalty float64) (float64, []float64) {
	d, classes := x.d, len(z)
	if g != nil {
		clear(g)
	}
	loss := 0.0
	inv := 1 / float64(x.n)
	for i, want := range labels {
		x.scores(w, i, z)
		top := z[0]
		for _, v := range z {
			top = max(top, v)
		}
		sum := 0.0
		for c, v := range z {
			z[c] = math.Exp(v - top)
			sum += z[c]
		}
		loss -= (math.Log(z[want] / sum)) * inv
		if g == nil {
			continue
		}
		row := x.v[i*d : (i+1)*d]
		for c := range classes {
			e := z[c] / sum
			if c == want {
				e--
			}
			e *= inv
			gc := g[c*d : (c+1)*d]
			for j, a := range row {
				gc[j] += e * a
			}
			g[classes*d+c] += e
		}
	}
	for j, a := range w[:classes*d] {
		loss += penalty / 2 * a * a
		if g != nil {
			g[j] += penalty * a
		}
	}
	return loss, g
}

// Accuracy returns the fraction of rows of x that m classifies as labels
// says.
func Accuracy(m *train.Model, x *tensor.Tensor, labels []int) (float64, error) {
	out, err := m.Predict(x)
	if err != nil {
		return 0, err
	}
	k := out.Dim(1)
	right := 0
	for i, want := range labels {
		if argmax(out.Data()[i*k:(i+1)*k]) == want {
			right++
		}
	}
	return float64(right) / float64(len(labels)), nil
}

// argmax returns the index of the largest value of row, the first of
// several equal ones.
func argmax[T float32 | float64](row []T) int {
	best := 0
	for c, v := range row {
		if v > row[best] {
			best = c
		}
	}
	return best
}
