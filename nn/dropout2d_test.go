package nn_test

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestDropout2dStatistics checks, over many samples, that whole channels
// are dropped (every value of a channel zero, or every one scaled by
// 1/(1−p)), that the fraction dropped is p within five standard errors,
// that the gradient uses the same mask, and that the mean is preserved.
func TestDropout2dStatistics(t *testing.T) {
	const n, c, h, w = 200, 16, 3, 4
	for _, p := range []float64{0.1, 0.5, 0.8} {
		x := tensor.Uniform(tensor.NewRNG(1), 0.5, 1.5, n, c, h, w)
		xv := autograd.Param(x)
		y := nn.NewDropout2d(p).Forward(xv, nn.Train(tensor.NewRNG(2)))
		y.BackwardWith(tensor.Ones(n, c, h, w))
		scale := float32(1 / (1 - p))
		dropped := 0
		var sumX, sumY float64
		for ch := range n * c {
			xs := x.Data()[ch*h*w : (ch+1)*h*w]
			ys := y.Value.Data()[ch*h*w : (ch+1)*h*w]
			gs := xv.Grad.Data()[ch*h*w : (ch+1)*h*w]
			zero := ys[0] == 0
			if zero {
				dropped++
			}
			for i, v := range ys {
				want, grad := xs[i]*scale, scale
				if zero {
					want, grad = 0, 0
				}
				if v != want || gs[i] != grad {
					t.Fatalf("p=%v channel %d element %d: y %v dx %v, want %v and %v (whole channels only)", p, ch, i, v, gs[i], want, grad)
				}
				sumX += float64(xs[i])
				sumY += float64(v)
			}
		}
		frac := float64(dropped) / (n * c)
		se := math.Sqrt(p * (1 - p) / (n * c))
		if math.Abs(frac-p) > 5*se {
			t.Errorf("p=%v: dropped %.4f of the channels, want %v ± %.4f", p, frac, p, 5*se)
		}
		// The mean of y estimates that of x; its error is dominated by
		// the channel draws (≈ √(p/(1−p)/(n·c)) relative).
		if rel := math.Abs(sumY/sumX - 1); rel > 5*math.Sqrt(p/(1-p)/(n*c)) {
			t.Errorf("p=%v: mean of y / mean of x = %.4f, want 1", p, sumY/sumX)
		}
	}
}

// TestDropout2dEvalIdentity checks that evaluation passes x through, in
// the graph and the kernel, and that p = 1 drops everything in training.
func TestDropout2dEvalIdentity(t *testing.T) {
	x := tensor.Randn(tensor.NewRNG(3), 5, 4, 3, 3)
	d := nn.NewDropout2d(0.5)
	if y := d.Forward(autograd.Const(x), nn.Eval); y.Value != x {
		t.Error("graph: evaluation did not return x itself")
	}
	k := nn.Fuse(d, []int{4, 3, 3}, 5)
	y := make([]float32, x.Len())
	k.Forward(y, x.Data(), 5, nn.Eval)
	dx := make([]float32, x.Len())
	k.Backward(dx, x.Data(), x.Data(), y, 5)
	for i, v := range x.Data() {
		if y[i] != v || dx[i] != v {
			t.Fatalf("kernel in evaluation: y[%d] = %v, dx = %v, want %v", i, y[i], dx[i], v)
		}
	}
	all := nn.NewDropout2d(1).Forward(autograd.Const(x), nn.Train(tensor.NewRNG(4)))
	for i, v := range all.Value.Data() {
		if v != 0 {
			t.Fatalf("p=1: y[%d] = %v, want 0", i, v)
		}
	}
}

// TestDropout2dSeeded checks that the mask depends only on the mode's
// RNG: equal seeds give equal outputs, different seeds different ones.
func TestDropout2dSeeded(t *testing.T) {
	x := tensor.Randn(tensor.NewRNG(5), 8, 6, 2, 2)
	d := nn.NewDropout2d(0.5)
	run := func(seed uint64) []float32 {
		return d.Forward(autograd.Const(x), nn.Train(tensor.NewRNG(seed))).Value.Data()
	}
	a, b, c := run(1), run(1), run(2)
	same, differ := true, false
	for i := range a {
		same = same && a[i] == b[i]
		differ = differ || a[i] != c[i]
	}
	if !same || !differ {
		t.Errorf("same seed gives equal masks: %v; other seed differs: %v", same, differ)
	}
}
