package nn

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/tensor"
)

// uniformIn returns a tensor of the given shape with values in (lo, hi).
func uniformIn(rng *tensor.RNG, lo, hi float64, shape ...int) *tensor.Tensor {
	t := tensor.Zeros(shape...)
	Uniform(t, rng, lo, hi)
	return t
}

// TestKANGradients checks the gradients of the input and of all three
// parameters of the graph form, with and without a standalone scale, on
// inputs that reach past the grid (where only the base branch acts).
func TestKANGradients(t *testing.T) {
	rng := tensor.NewRNG(3)
	for _, standalone := range []bool{true, false} {
		for _, k := range []int{1, 2, 3} {
			o := DefaultKANOptions()
			o.GridSize, o.SplineOrder, o.StandaloneScale = 4, k, standalone
			proto := NewKANLinear(3, 2, o, rng)
			inputs := []*tensor.Tensor{
				uniformIn(rng, -1.6, 1.6, 5, 3),
				tensor.Randn(rng, 2, 3),
				tensor.Randn(rng, 2, 3, 4+k),
			}
			if standalone {
				inputs = append(inputs, tensor.Randn(rng, 2, 3))
			}
			if k == 1 {
				// Linear splines have kinks at the knots: keep away.
				nudgeFromKnots(inputs[0], proto.Grid.Data()[:4+2*k+1], 0.03)
			}
			err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
				l := *proto
				l.BaseWeight, l.SplineWeight, l.SplineScaler = in[1], in[2], nil
				if standalone {
					l.SplineScaler = in[3]
				}
				return l.Forward(in[0], Eval)
			}, inputs, gradtest.Options{Eps: 1e-3})
			if err != nil {
				t.Errorf("order %d, standalone %v: %v", k, standalone, err)
			}
		}
	}
}

// nudgeFromKnots moves values within d of a knot d away from it.
func nudgeFromKnots(x *tensor.Tensor, knots []float32, d float32) {
	v := x.Data()
	for i := range v {
		for _, g := range knots {
			if v[i] > g-d && v[i] < g+d {
				v[i] = g + 2*d
			}
		}
	}
}

// TestKANForwardByEdges compares the fused forward with a sum over edges
// of φ(x) = w_b·silu(x) + s·Σ c_j·B_j(x), the bases from the textbook
// recursion in float64.
func TestKANForwardByEdges(t *testing.T) {
	rng := tensor.NewRNG(5)
	o := DefaultKANOptions()
	o.GridSize, o.GridRange = 6, [2]float64{-2, 1}
	l := NewKANLinear(4, 3, o, rng)
	Normal(l.SplineWeight.Value, rng, 0, 1)
	x := uniformIn(rng, -2.5, 1.5, 2, 5, 4) // three dimensions: [..., In]
	y := l.Forward(autograd.Const(x), Eval).Value
	if got := fmt.Sprint(y.Shape()); got != "[2 5 3]" {
		t.Fatalf("shape %s, want [2 5 3]", got)
	}
	knots := make([]float64, l.GridSize+2*l.SplineOrder+1)
	for j := range knots {
		knots[j] = float64(l.Grid.Data()[j])
	}
	c := l.coeffs()
	xd, yd := x.Data(), y.Data()
	for r := range 10 {
		for out := range 3 {
			var want float64
			for i := range 4 {
				v := float64(xd[r*4+i])
				e := out*4 + i
				want += float64(l.BaseWeight.Value.Data()[e]) * v / (1 + math.Exp(-v))
				for j := range c {
					want += float64(l.SplineScaler.Value.Data()[e]) * float64(l.SplineWeight.Value.Data()[e*c+j]) * basis(knots, j, l.SplineOrder, v)
				}
			}
			if got := float64(yd[r*3+out]); math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
				t.Errorf("row %d output %d: got %.7g, want %.7g", r, out, got, want)
			}
		}
	}
}

// basis is the Cox–de Boor recursion written as the definition.
func basis(g []float64, j, k int, x float64) float64 {
	if k == 0 {
		if g[j] <= x && x < g[j+1] {
			return 1
		}
		return 0
	}
	return (x-g[j])/(g[j+k]-g[j])*basis(g, j, k-1, x) + (g[j+k+1]-x)/(g[j+k+1]-g[j+1])*basis(g, j+1, k-1, x)
}

// TestBSplinesPartitionOfUnity: inside [g_k, g_{G+k}) the bases of order k
// sum to one.
func TestBSplinesPartitionOfUnity(t *testing.T) {
	rng := tensor.NewRNG(1)
	for _, k := range []int{0, 1, 3, 5} {
		g := make([]float32, 7+2*k+1)
		v := float32(-3)
		for j := range g {
			g[j] = v
			v += float32(0.2 + rng.Float64())
		}
		b := make([]float32, len(g))
		for range 200 {
			x := g[k] + float32(rng.Float64())*(g[len(g)-1-k]-g[k])
			lo, hi := bsplines(x, g, k, b, nil)
			var s float64
			for j := lo; j < hi; j++ {
				s += float64(b[j])
			}
			if math.Abs(s-1) > 1e-5 || hi-lo > k+1 {
				t.Fatalf("order %d at %v: bases [%d, %d) sum to %v", k, x, lo, hi, s)
			}
		}
	}
}

// TestKANKernelAllocs: a warm kernel step allocates nothing.
func TestKANKernelAllocs(t *testing.T) {
	rng := tensor.NewRNG(2)
	l := NewKANLinear(6, 4, DefaultKANOptions(), rng)
	const n = 16
	k := l.Fuse([]int{6}, n)
	x := uniformIn(rng, -1, 1, n, 6).Data()
	y, dy, dx := make([]float32, n*4), make([]float32, n*4), make([]float32, n*6)
	for i := range dy {
		dy[i] = 1
	}
	for _, p := range l.Params() {
		p.GradData()
	}
	allocs := testing.AllocsPerRun(10, func() {
		k.Forward(y, x, n, Eval)
		k.Backward(dx, dy, x, y, n)
	})
	if allocs != 0 && !raceOn {
		t.Errorf("warm Forward+Backward: %v allocations, want 0", allocs)
	}
}

// TestLstsq checks the solver against the normal equations solved by
// Gaussian elimination: over-determined (AᵀA·X = AᵀB) and
// under-determined (X = Aᵀ·(AAᵀ)⁻¹·B, the solution of least norm).
func TestLstsq(t *testing.T) {
	rng := tensor.NewRNG(4)
	for _, c := range [][3]int{{9, 4, 2}, {4, 7, 3}, {5, 5, 1}} {
		m, n, p := c[0], c[1], c[2]
		a, b := make([]float64, m*n), make([]float64, m*p)
		for i := range a {
			a[i] = rng.Normal()
		}
		for i := range b {
			b[i] = rng.Normal()
		}
		got := lstsq(a, m, n, b, p)
		var want []float64
		if m >= n {
			want = solve(matMul(transpose(a, m, n), n, m, a, n), n, matMul(transpose(a, m, n), n, m, b, p), p)
		} else {
			w := solve(matMul(a, m, n, transpose(a, m, n), m), m, b, p)
			want = matMul(transpose(a, m, n), n, m, w, p)
		}
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-9*(1+math.Abs(want[i])) {
				t.Fatalf("%d×%d: X[%d] = %v, want %v", m, n, i, got[i], want[i])
			}
		}
	}
}

func transpose(a []float64, m, n int) []float64 {
	t := make([]float64, m*n)
	for i := range m {
		for j := range n {
			t[j*m+i] = a[i*n+j]
		}
	}
	return t
}

// matMul multiplies a (m×k) by b (k×p).
func matMul(a []float64, m, k int, b []float64, p int) []float64 {
	c := make([]float64, m*p)
	for i := range m {
		for l := range k {
			for j := range p {
				c[i*p+j] += a[i*k+l] * b[l*p+j]
			}
		}
	}
	return c
}

// solve returns A⁻¹B for A n×n by Gaussian elimination with partial
// pivoting.
func solve(a []float64, n int, b []float64, p int) []float64 {
	a, b = append([]float64(nil), a...), append([]float64(nil), b...)
	for col := range n {
		piv := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r*n+col]) > math.Abs(a[piv*n+col]) {
				piv = r
			}
		}
		for j := range n {
			a[col*n+j], a[piv*n+j] = a[piv*n+j], a[col*n+j]
		}
		for j := range p {
			b[col*p+j], b[piv*p+j] = b[piv*p+j], b[col*p+j]
		}
		for r := range n {
			if r == col {
				continue
			}
			f := a[r*n+col] / a[col*n+col]
			for j := range n {
				a[r*n+j] -= f * a[col*n+j]
			}
			for j := range p {
				b[r*p+j] -= f * b[col*p+j]
			}
		}
	}
	for r := range n {
		for j := range p {
			b[r*p+j] /= a[r*n+r]
		}
	}
	return b
}

// TestKANRegridKeepsFunction: UpdateGrid and Extend change the knots but
// keep what the layer computes on the samples, up to the spline fit.
func TestKANRegridKeepsFunction(t *testing.T) {
	rng := tensor.NewRNG(6)
	l := NewKANLinear(2, 3, DefaultKANOptions(), rng)
	Normal(l.SplineWeight.Value, rng, 0, 0.5)
	x := uniformIn(rng, -0.8, 0.9, 400, 2)
	before := l.Forward(autograd.Const(x), Eval).Value.Clone()
	oldGrid := l.Grid.Clone()
	check := func(what string, tol float64) {
		t.Helper()
		after := l.Forward(autograd.Const(x), Eval).Value
		var worst, scale float64
		for i, v := range after.Data() {
			worst = max(worst, math.Abs(float64(v-before.Data()[i])))
			scale = max(scale, math.Abs(float64(before.Data()[i])))
		}
		if worst > tol*scale {
			t.Errorf("%s: output moved by %.3g (largest output %.3g)", what, worst, scale)
		}
	}
	if err := l.UpdateGrid(x); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(oldGrid.Data()) == fmt.Sprint(l.Grid.Data()) {
		t.Fatal("UpdateGrid left the grid as it was")
	}
	g := l.Grid.Data()
	if lo, hi := g[3], g[8]; math.Abs(float64(lo)+0.81) > 0.02 || math.Abs(float64(hi)-0.91) > 0.02 {
		t.Errorf("updated grid spans [%v, %v], want about the data's [-0.8, 0.9] plus the margin", lo, hi)
	}
	// A spline on other knots cannot match exactly: a few percent.
	check("UpdateGrid", 0.05)
	before = l.Forward(autograd.Const(x), Eval).Value.Clone()
	if err := l.Extend(12, x); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(l.SplineWeight.Value.Shape(), l.Grid.Shape()); got != "[3 2 15] [2 19]" {
		t.Errorf("after Extend(12): shapes %s, want [3 2 15] [2 19]", got)
	}
	// The finer grid holds the coarse function almost exactly.
	check("Extend", 0.002)
	if err := l.UpdateGrid(tensor.Zeros(3, 5)); err == nil || !strings.Contains(err.Error(), "want samples [N, 2]") {
		t.Errorf("UpdateGrid on a wrong shape: got %v", err)
	}
}

// TestKANRegularization checks the value against the formula and the
// gradient by finite differences.
func TestKANRegularization(t *testing.T) {
	rng := tensor.NewRNG(8)
	l := NewKANLinear(3, 2, DefaultKANOptions(), rng)
	// Away from 0, where |w| has its kink.
	Uniform(l.SplineWeight.Value, rng, 0.1, 1)
	sw := l.SplineWeight.Value.Data()
	for i := range sw {
		if i%3 == 0 {
			sw[i] = -sw[i]
		}
	}
	var l1 [6]float64
	var total float64
	for e := range 6 {
		for j := range 8 {
			l1[e] += math.Abs(float64(sw[e*8+j])) / 8
		}
		total += l1[e]
	}
	var ent float64
	for _, v := range l1 {
		ent -= v / total * math.Log(v/total)
	}
	got := float64(l.RegularizationLoss(0.5, 2).Value.Item())
	if want := 0.5*total + 2*ent; math.Abs(got-want) > 1e-5*math.Abs(want) {
		t.Errorf("RegularizationLoss = %v, want %v", got, want)
	}
	err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
		c := *l
		c.SplineWeight = in[0]
		return c.RegularizationLoss(0.5, 2)
	}, []*tensor.Tensor{l.SplineWeight.Value}, gradtest.Options{Eps: 1e-3})
	if err != nil {
		t.Error(err)
	}
}

func TestKANBuild(t *testing.T) {
	l, err := Build("kan_linear", Options{"out_features": 3, "grid_size": 7, "grid_range": []any{-2, 2.5}, "spline_order": 2}, []int{4}, tensor.NewRNG(0))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ParamsOf(l) {
		names = append(names, fmt.Sprint(p.Name, p.Value.Shape()))
	}
	for _, b := range BuffersOf(l) {
		names = append(names, fmt.Sprint(b.Name, b.Value.Shape()))
	}
	if got, want := strings.Join(names, " "), "base_weight[3 4] spline_weight[3 4 9] spline_scaler[3 4] grid[4 12]"; got != want {
		t.Errorf("state: %s, want %s", got, want)
	}
	d := l.Describe()
	b, err := Build(d.Op, Options(d.Config), []int{4}, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(b.Describe()) != fmt.Sprint(d) {
		t.Errorf("rebuilt layer describes itself as %v, want %v", b.Describe(), d)
	}
	h := 4.5 / 7
	if g := b.(*KANLinear).Grid.Data(); math.Abs(float64(g[0])-(-2-2*h)) > 1e-6 || math.Abs(float64(g[11])-(2.5+2*h)) > 1e-6 {
		t.Errorf("grid ends %v and %v, want %v and %v", g[0], g[11], -2-2*h, 2.5+2*h)
	}
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{}, "out_features is required"},
		{Options{"out_features": 2, "grid_range": []any{1, -1}}, "grid_range: want [low, high] with low < high"},
		{Options{"out_features": 2, "grid_range": 3}, "grid_range: want a list of two numbers"},
		{Options{"out_features": 2, "grid_size": 0}, "grid_size: want 1 to"},
		{Options{"out_features": 2, "spline_order": -1}, "spline_order: want 0 to 16"},
		{Options{"out_features": 2, "grid_eps": 2}, "grid_eps: want a number in [0, 1]"},
		{Options{"out_features": 2, "grid": 5}, `unknown parameter "grid"`},
	} {
		if _, err := Build("kan_linear", c.o, []int{4}, tensor.NewRNG(0)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Build(%v): got %v, want an error containing %q", c.o, err, c.want)
		}
	}
}

// TestKANEdgeFunctionsSum: the outputs are the sums of the edge functions.
func TestKANEdgeFunctionsSum(t *testing.T) {
	rng := tensor.NewRNG(11)
	l := NewKANLinear(3, 2, DefaultKANOptions(), rng)
	Normal(l.SplineWeight.Value, rng, 0, 1)
	var ef EdgeFunctions = l
	x := uniformIn(rng, -1, 1, 4, 3)
	y := l.Forward(autograd.Const(x), Eval).Value
	for r := range 4 {
		for o := range 2 {
			var sum float64
			for i := range 3 {
				v := []float64{float64(x.At(r, i))}
				out := make([]float64, 1)
				ef.EdgeFunction(o, i, v, out)
				sum += out[0]
			}
			if got := float64(y.At(r, o)); math.Abs(got-sum) > 1e-5 {
				t.Errorf("row %d output %d: layer %v, sum of edges %v", r, o, got, sum)
			}
		}
	}
	if lo, hi := ef.EdgeRange(0); lo != -1 || hi != 1 {
		t.Errorf("EdgeRange = [%v, %v], want [-1, 1]", lo, hi)
	}
}
