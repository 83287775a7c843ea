package optim

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// withGrads returns parameters whose gradients hold gs; a nil entry is a
// parameter without a gradient.
func withGrads(gs ...[]float32) []*autograd.Var {
	ps := make([]*autograd.Var, len(gs))
	for i, g := range gs {
		if g == nil {
			ps[i] = param(0)
			continue
		}
		ps[i] = param(make([]float32, len(g))...)
		ps[i].Grad = tensor.FromSlice(g, len(g))
	}
	return ps
}

func TestClipGradNorm(t *testing.T) {
	inf := math.Inf(1)
	nan := float32(math.NaN())
	for _, tc := range []struct {
		name      string
		grads     [][]float32
		maxNorm   float64
		normType  float64
		wantTotal float64
		want      [][]float32
	}{
		// Norms 5 and 12 combine to 13.
		{"l2 clipped", [][]float32{{3, 4}, nil, {12}}, 6.5, 2, 13,
			[][]float32{{1.5, 2}, nil, {6}}},
		{"l2 within bound", [][]float32{{3, 4}, {12}}, 20, 2, 13,
			[][]float32{{3, 4}, {12}}},
		{"l1", [][]float32{{1, -2}, {3}}, 3, 1, 6,
			[][]float32{{0.5, -1}, {1.5}}},
		{"l3", [][]float32{{1, 2}, {2}}, 1, 3, math.Cbrt(17),
			[][]float32{{float32(1 / math.Cbrt(17)), float32(2 / math.Cbrt(17))}, {float32(2 / math.Cbrt(17))}}},
		{"inf", [][]float32{{-3, 1}, {2}}, 1, inf, 3,
			[][]float32{{-1, 1.0 / 3}, {2.0 / 3}}},
		{"no gradients", [][]float32{nil, nil}, 1, 2, 0, [][]float32{nil, nil}},
		// A non-finite gradient poisons every gradient, as in PyTorch.
		{"NaN", [][]float32{{nan, 1}, {1}}, 1, 2, math.NaN(),
			[][]float32{{nan, nan}, {nan}}},
		{"Inf", [][]float32{{float32(inf), 1}, {1}}, 1, 2, inf,
			[][]float32{{nan, 0}, {0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := withGrads(tc.grads...)
			total := ClipGradNorm(ps, tc.maxNorm, tc.normType)
			if !closeOrNaN(total, tc.wantTotal, 1e-6) {
				t.Errorf("total norm: got %v, want %v", total, tc.wantTotal)
			}
			for i, p := range ps {
				if tc.want[i] == nil {
					if p.Grad != nil {
						t.Errorf("parameter %d: got gradient %v, want none", i, p.Grad)
					}
					continue
				}
				for j, w := range tc.want[i] {
					// The coefficient's 1e-6 shifts results by about 1e-7.
					if g := p.Grad.Data()[j]; !closeOrNaN(float64(g), float64(w), 1e-6) {
						t.Errorf("parameter %d element %d: got %v, want %v", i, j, g, w)
					}
				}
			}
		})
	}
}

func closeOrNaN(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsInf(want, 0) {
		return math.IsNaN(got) == math.IsNaN(want) && (math.IsNaN(want) || got == want)
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestClipGradNormUntouched checks that gradients within the bound keep
// their exact bits.
func TestClipGradNormUntouched(t *testing.T) {
	g := []float32{0.1, -0.2, 0.3}
	ps := withGrads(append([]float32(nil), g...))
	ClipGradNorm(ps, 1, 2)
	if got := ps[0].Grad.Data(); !sameBits(got, g) {
		t.Errorf("got %v, want %v", got, g)
	}
}

func TestClipGradValue(t *testing.T) {
	nan := float32(math.NaN())
	ps := withGrads([]float32{-3, 0.5, 2, nan, -1}, nil)
	ClipGradValue(ps, 1)
	want := []float32{-1, 0.5, 1, nan, -1}
	for j, g := range ps[0].Grad.Data() {
		if !(g == want[j] || g != g && want[j] != want[j]) {
			t.Errorf("element %d: got %v, want %v", j, g, want[j])
		}
	}
	if ps[1].Grad != nil {
		t.Errorf("parameter without gradient: got %v, want none", ps[1].Grad)
	}
}

func TestClipPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"ClipGradNorm maxNorm -1", func() { ClipGradNorm(nil, -1, 2) }},
		{"ClipGradNorm maxNorm NaN", func() { ClipGradNorm(nil, math.NaN(), 2) }},
		{"ClipGradNorm normType 0", func() { ClipGradNorm(nil, 1, 0) }},
		{"ClipGradNorm normType NaN", func() { ClipGradNorm(nil, 1, math.NaN()) }},
		{"ClipGradNorm normType -Inf", func() { ClipGradNorm(nil, 1, math.Inf(-1)) }},
		{"ClipGradValue -1", func() { ClipGradValue(nil, -1) }},
		{"ClipGradValue NaN", func() { ClipGradValue(nil, math.NaN()) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}
