package loss

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/tensor"
)

// ntxentComposed is NT-Xent written with autograd primitives, an
// independent reference for the fused value and gradient: normalise,
// similarities, the diagonal pushed far below every other logit, then
// log-softmax and the positive of each row.
func ntxentComposed(z *autograd.Var, tau float64) *autograd.Var {
	rows := z.Value.Dim(0)
	norms := autograd.Sqrt(autograd.SumAxis(autograd.Square(z), 1))
	u := autograd.Div(z, autograd.Reshape(norms, rows, 1))
	s := autograd.Scale(autograd.MatMul(u, autograd.Transpose(u)), float32(1/tau))
	mask := tensor.Zeros(rows, rows)
	pick := tensor.Zeros(rows, rows)
	for i := range rows {
		mask.Data()[i*rows+i] = -1e9
		pick.Data()[i*rows+(i+rows/2)%rows] = -1 / float32(rows)
	}
	logp := autograd.LogSoftmax(autograd.Add(s, autograd.Const(mask)), 1)
	return autograd.Sum(autograd.Mul(logp, autograd.Const(pick)))
}

func TestNTXentMatchesComposed(t *testing.T) {
	rng := tensor.NewRNG(7)
	for _, c := range []struct {
		rows, d int
		tau     float64
	}{{2, 3, 1}, {6, 4, 0.5}, {8, 16, 0.1}, {10, 2, 0.07}} {
		zt := tensor.Randn(rng, c.rows, c.d)
		z1, z2 := autograd.Param(zt.Clone()), autograd.Param(zt.Clone())
		got, want := NTXent(z1, c.tau), ntxentComposed(z2, c.tau)
		got.Backward()
		want.Backward()
		g, w := float64(got.Value.Item()), float64(want.Value.Item())
		if math.Abs(g-w) > 1e-5*math.Abs(w)+1e-6 {
			t.Errorf("%v: loss %v, want %v", c, g, w)
		}
		for i, gv := range z1.Grad.Data() {
			wv := z2.Grad.Data()[i]
			if math.Abs(float64(gv-wv)) > 1e-4*math.Abs(float64(wv))+1e-5 {
				t.Errorf("%v: grad[%d] = %v, want %v", c, i, gv, wv)
				break
			}
		}
	}
}

func TestNTXentGradients(t *testing.T) {
	rng := tensor.NewRNG(3)
	for _, tau := range []float64{1, 0.5, 0.2} {
		z := tensor.Randn(rng, 6, 5)
		err := gradtest.Check(func(in []*autograd.Var) *autograd.Var { return NTXent(in[0], tau) },
			[]*tensor.Tensor{z}, gradtest.Options{Eps: 1e-3, Seed: 5})
		if err != nil {
			t.Errorf("tau %v: %v", tau, err)
		}
	}
}

// TestNTXentPerfectViews checks the loss's extremes: two identical views
// far apart from the other samples give nearly zero loss at a small
// temperature, and a batch of identical rows gives log(2N − 1).
func TestNTXentPerfectViews(t *testing.T) {
	z := tensor.FromSlice([]float32{1, 0, 0, 1, 1, 0, 0, 1}, 4, 2)
	if v := NTXent(autograd.Const(z), 0.01).Value.Item(); v > 1e-6 {
		t.Errorf("orthogonal pairs: loss %v, want ≈ 0", v)
	}
	same := tensor.FromSlice([]float32{3, 4, 3, 4, 3, 4, 3, 4, 3, 4, 3, 4}, 6, 2)
	if v, want := float64(NTXent(autograd.Const(same), 0.5).Value.Item()), math.Log(5); math.Abs(v-want) > 1e-6 {
		t.Errorf("identical rows: loss %v, want log 5 = %v", v, want)
	}
}

func TestNTXentValueGradSameBits(t *testing.T) {
	z := tensor.Randn(tensor.NewRNG(9), 8, 6)
	p := autograd.Param(z.Clone())
	l := NTXent(p, 0.3)
	l.Backward()
	grad := make([]float32, z.Len())
	v := NTXentValueGrad(z, 0.3, grad)
	if v != l.Value.Item() {
		t.Errorf("value %v, graph %v", v, l.Value.Item())
	}
	for i, g := range grad {
		if g != p.Grad.Data()[i] {
			t.Fatalf("grad[%d] = %v, graph %v", i, g, p.Grad.Data()[i])
		}
	}
}

func TestNTXentPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"odd rows":     func() { NTXent(autograd.Const(tensor.Zeros(3, 2)), 1) },
		"1-D":          func() { NTXent(autograd.Const(tensor.Zeros(4)), 1) },
		"zero tau":     func() { NTXent(autograd.Const(tensor.Zeros(4, 2)), 0) },
		"infinite tau": func() { NTXent(autograd.Const(tensor.Zeros(4, 2)), math.Inf(1)) },
		"short buffer": func() { NTXentValueGrad(tensor.Zeros(4, 2), 1, make([]float32, 7)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
