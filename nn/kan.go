package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/internal/param"
	"github.com/bigfunc/bigfunc/tensor"
)

// KANLinear is a Kolmogorov–Arnold layer in the formulation of
// efficient-kan's KANLinear: every edge i → o carries a learned function
// of one variable,
//
//	φ_oi(x) = BaseWeight[o,i]·silu(x) + SplineScaler[o,i]·Σ_c SplineWeight[o,i,c]·B_c(x)
//
// where B_c are the B-spline bases of order SplineOrder on the knots
// Grid[i], and output o is Σ_i φ_oi(x_i). It acts on the last dimension:
// input [N, …, In], output [N, …, Out].
//
// Shapes, as efficient-kan's state dict: BaseWeight [Out, In],
// SplineWeight [Out, In, GridSize+SplineOrder], SplineScaler [Out, In]
// (nil without a standalone spline scale), and the buffer Grid [In,
// GridSize+2·SplineOrder+1]: GridSize intervals over GridRange, extended
// by SplineOrder knots on each side.
type KANLinear struct {
	In, Out     int
	GridSize    int
	SplineOrder int
	GridRange   [2]float64
	// ScaleNoise, ScaleBase and ScaleSpline set the initial weights, as in
	// efficient-kan; GridEps mixes a uniform grid into the one UpdateGrid
	// fits to the data's quantiles (0.02).
	ScaleNoise, ScaleBase, ScaleSpline, GridEps float64

	BaseWeight   *autograd.Var
	SplineWeight *autograd.Var
	SplineScaler *autograd.Var
	Grid         *tensor.Tensor
}

// KANOptions are the settings of a KANLinear beyond its sizes, with
// efficient-kan's names and defaults (DefaultKANOptions).
type KANOptions struct {
	GridSize    int
	SplineOrder int
	GridRange   [2]float64
	ScaleNoise  float64
	ScaleBase   float64
	ScaleSpline float64
	// StandaloneScale keeps a separate SplineScaler
	// (enable_standalone_scale_spline).
	StandaloneScale bool
	GridEps         float64
}

// DefaultKANOptions returns efficient-kan's defaults: 5 intervals over
// [−1, 1], cubic splines, scale_noise 0.1, scale_base and scale_spline 1,
// a standalone spline scale, grid_eps 0.02.
func DefaultKANOptions() KANOptions {
	return KANOptions{GridSize: 5, SplineOrder: 3, GridRange: [2]float64{-1, 1}, ScaleNoise: 0.1, ScaleBase: 1, ScaleSpline: 1, StandaloneScale: true, GridEps: 0.02}
}

// NewKANLinear returns a KANLinear initialised as efficient-kan's
// reset_parameters: BaseWeight from kaiming_uniform(a = √5·scale_base);
// SplineWeight the least-squares spline through uniform noise of width
// scale_noise/grid_size at the grid's interior knots; SplineScaler from
// kaiming_uniform(a = √5·scale_spline). It panics if a size is not
// positive, the order is negative or the range is empty.
func NewKANLinear(in, out int, o KANOptions, rng *tensor.RNG) *KANLinear {
	if in <= 0 || out <= 0 || o.GridSize <= 0 || o.SplineOrder < 0 || !(o.GridRange[1] > o.GridRange[0]) {
		panic(fmt.Sprintf("nn: NewKANLinear: want positive sizes, order ≥ 0 and a non-empty range, got in=%d out=%d grid_size=%d spline_order=%d grid_range=%v", in, out, o.GridSize, o.SplineOrder, o.GridRange))
	}
	g, k := o.GridSize, o.SplineOrder
	l := &KANLinear{
		In: in, Out: out, GridSize: g, SplineOrder: k, GridRange: o.GridRange,
		ScaleNoise: o.ScaleNoise, ScaleBase: o.ScaleBase, ScaleSpline: o.ScaleSpline, GridEps: o.GridEps,
		BaseWeight:   autograd.Param(tensor.Zeros(out, in)),
		SplineWeight: autograd.Param(tensor.Zeros(out, in, g+k)),
		Grid:         uniformGrid(in, g, k, o.GridRange),
	}
	KaimingUniform(l.BaseWeight.Value, rng, math.Sqrt(5)*o.ScaleBase, FanIn, "leaky_relu")

	// Noise at the G+1 interior knots, [G+1, in, out] as efficient-kan
	// draws it, fitted by the spline of least norm through it.
	noise := make([]float64, (g+1)*in*out)
	for i := range noise {
		noise[i] = (rng.Float64() - 0.5) * o.ScaleNoise / float64(g)
	}
	knots := make([]float32, (g+1)*in)
	gd := l.Grid.Data()
	for j := 0; j <= g; j++ {
		for i := range in {
			knots[j*in+i] = gd[i*(g+2*k+1)+k+j]
		}
	}
	factor := 1.0
	if !o.StandaloneScale {
		factor = o.ScaleSpline
	}
	l.fitSplines(knots, g+1, func(b, i, o int) float64 { return factor * noise[(b*in+i)*out+o] })
	if o.StandaloneScale {
		l.SplineScaler = autograd.Param(tensor.Zeros(out, in))
		KaimingUniform(l.SplineScaler.Value, rng, math.Sqrt(5)*o.ScaleSpline, FanIn, "leaky_relu")
	}
	return l
}

// uniformGrid returns the [in, g+2k+1] knots of g intervals over r,
// extended by k intervals on each side, the same for every input.
func uniformGrid(in, g, k int, r [2]float64) *tensor.Tensor {
	h := (r[1] - r[0]) / float64(g)
	t := tensor.Zeros(in, g+2*k+1)
	d := t.Data()
	for i := range in {
		for j := 0; j <= g+2*k; j++ {
			d[i*(g+2*k+1)+j] = float32(float64(j-k)*h + r[0])
		}
	}
	return t
}

// Forward returns Σ_i φ_oi(x_i) for every output o.
func (l *KANLinear) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(l, x, m) }

// Describe returns "kan_linear" with its options; grid_range is a list of
// two numbers.
func (l *KANLinear) Describe() Desc {
	return Desc{Op: "kan_linear", Config: map[string]any{
		"out_features": l.Out, "grid_size": l.GridSize, "spline_order": l.SplineOrder,
		"grid_range": []float64{l.GridRange[0], l.GridRange[1]}, "scale_noise": l.ScaleNoise,
		"scale_base": l.ScaleBase, "scale_spline": l.ScaleSpline, "grid_eps": l.GridEps,
		"enable_standalone_scale_spline": l.SplineScaler != nil,
	}}
}

// OutShape replaces the last dimension, which must be In, by Out.
func (l *KANLinear) OutShape(in []int) ([]int, error) {
	if len(in) == 0 || in[len(in)-1] != l.In {
		return nil, fmt.Errorf("kan_linear: want input [..., %d], got %v", l.In, in)
	}
	out := append([]int(nil), in...)
	out[len(out)-1] = l.Out
	return out, nil
}

// Params returns efficient-kan's names: "base_weight", "spline_weight" and,
// with a standalone scale, "spline_scaler".
func (l *KANLinear) Params() []Param {
	ps := []Param{{Name: "base_weight", Var: l.BaseWeight}, {Name: "spline_weight", Var: l.SplineWeight}}
	if l.SplineScaler != nil {
		ps = append(ps, Param{Name: "spline_scaler", Var: l.SplineScaler})
	}
	return ps
}

// Buffers returns the knots, "grid".
func (l *KANLinear) Buffers() []Buffer { return []Buffer{{Name: "grid", Value: l.Grid}} }

// coeffs returns the number of spline coefficients per edge, G + k.
func (l *KANLinear) coeffs() int { return l.GridSize + l.SplineOrder }

// scaledSpline writes SplineWeight·SplineScaler, [Out, In, C], into w at
// row stride ld from column off, as efficient-kan's scaled_spline_weight.
func (l *KANLinear) scaledSpline(w []float32, ld, off int) {
	c := l.coeffs()
	sw := l.SplineWeight.Value.Data()
	var sc []float32
	if l.SplineScaler != nil {
		sc = l.SplineScaler.Value.Data()
	}
	for o := range l.Out {
		for i := range l.In {
			s := float32(1)
			if sc != nil {
				s = sc[o*l.In+i]
			}
			src := sw[(o*l.In+i)*c : (o*l.In+i+1)*c]
			dst := w[o*ld+off+i*c : o*ld+off+(i+1)*c]
			for j, v := range src {
				dst[j] = v * s
			}
		}
	}
}

// Fuse returns the kernel: each row's features [silu(x), B(x)] times the
// concatenated weights [BaseWeight | scaled SplineWeight], one matrix
// product.
func (l *KANLinear) Fuse(in []int, rows int) Kernel {
	if _, err := l.OutShape(in); err != nil {
		return nil
	}
	per := Size(in) / l.In
	width := l.In * (1 + l.coeffs())
	r := rows * per
	return &kanKernel{
		l: l, per: per, width: width,
		w: make([]float32, l.Out*width), dw: make([]float32, l.Out*width),
		a: make([]float32, r*width), da: make([]float32, r*width),
		b: make([]float32, l.GridSize+2*l.SplineOrder+1), d: make([]float32, l.GridSize+2*l.SplineOrder+1),
	}
}

// kanKernel holds the feature rows of the latest Forward for Backward.
type kanKernel struct {
	l          *KANLinear
	per, width int
	w, dw      []float32 // [Out, width]: weights and their gradient
	a, da      []float32 // [rows, width]: features and their gradient
	b, d       []float32 // one input's bases and derivatives
}

func (k *kanKernel) Forward(y, x []float32, n int, _ Mode) {
	l, r, W := k.l, n*k.per, k.width
	if W != l.In*(1+l.coeffs()) {
		panic("nn: kan_linear: the grid size changed since Fuse; fuse the layer again")
	}
	c := l.coeffs()
	wb := l.BaseWeight.Value.Data()
	for o := range l.Out {
		copy(k.w[o*W:o*W+l.In], wb[o*l.In:(o+1)*l.In])
	}
	l.scaledSpline(k.w, W, l.In)
	g := l.Grid.Data()
	L := l.GridSize + 2*l.SplineOrder + 1
	for row := range r {
		feat := k.a[row*W : (row+1)*W]
		xs := x[row*l.In : (row+1)*l.In]
		for i, v := range xs {
			feat[i] = silu(v)
		}
		spl := feat[l.In:]
		clear(spl)
		for i, v := range xs {
			lo, hi := bsplines(v, g[i*L:(i+1)*L], l.SplineOrder, k.b, nil)
			copy(spl[i*c+lo:i*c+hi], k.b[lo:hi])
		}
	}
	kernel.Gemm(false, true, r, l.Out, W, k.a, W, k.w, W, y, l.Out, false)
}

func (k *kanKernel) Backward(dx, dy, x, _ []float32, n int) {
	l, r, W := k.l, n*k.per, k.width
	c := l.coeffs()
	gb, gs, gc := gradOf(l.BaseWeight), gradOf(l.SplineWeight), gradOf(l.SplineScaler)
	if gb != nil || gs != nil || gc != nil {
		// ∂/∂[Wb | Ws·S] = dyᵀ·features
		kernel.Gemm(true, false, l.Out, W, r, dy, l.Out, k.a, W, k.dw, W, false)
		sw := l.SplineWeight.Value.Data()
		var sc []float32
		if l.SplineScaler != nil {
			sc = l.SplineScaler.Value.Data()
		}
		for o := range l.Out {
			row := k.dw[o*W : (o+1)*W]
			if gb != nil {
				kernel.AddTo(gb[o*l.In:(o+1)*l.In], row[:l.In])
			}
			for i := range l.In {
				e := o*l.In + i
				gsc := row[l.In+i*c : l.In+(i+1)*c]
				if gs != nil {
					s := float32(1)
					if sc != nil {
						s = sc[e]
					}
					for j, v := range gsc {
						gs[e*c+j] += v * s
					}
				}
				if gc != nil {
					var t float32
					for j, v := range gsc {
						t += v * sw[e*c+j]
					}
					gc[e] += t
				}
			}
		}
	}
	if dx == nil {
		return
	}
	// ∂/∂features = dy·[Wb | Ws·S]; then the chain rule through silu and
	// the bases.
	kernel.Gemm(false, false, r, W, l.Out, dy, l.Out, k.w, W, k.da, W, false)
	g := l.Grid.Data()
	L := l.GridSize + 2*l.SplineOrder + 1
	for row := range r {
		df := k.da[row*W : (row+1)*W]
		xs := x[row*l.In : (row+1)*l.In]
		dxs := dx[row*l.In : (row+1)*l.In]
		for i, v := range xs {
			t := df[i] * siluGrad(v)
			lo, hi := bsplines(v, g[i*L:(i+1)*L], l.SplineOrder, k.b, k.d)
			ds := df[l.In+i*c:]
			for j := lo; j < hi; j++ {
				t += ds[j] * k.d[j]
			}
			dxs[i] += t
		}
	}
}

func silu(x float32) float32 {
	return float32(float64(x) / (1 + math.Exp(-float64(x))))
}

// siluGrad returns silu′(x) = σ(x)·(1 + x·(1 − σ(x))).
func siluGrad(x float32) float32 {
	s := 1 / (1 + math.Exp(-float64(x)))
	return float32(s * (1 + float64(x)*(1-s)))
}

// bsplines computes the B-spline bases of order k at x on the knots g by
// the Cox–de Boor recursion, as efficient-kan's b_splines does (order 0 is
// the indicator of [g_j, g_{j+1})), and, when d is not nil, their
// derivatives in x, as autograd differentiates that recursion. Only the
// k+1 bases around x can be non-zero: it returns their range [lo, hi)
// within the len(g)−1−k bases and leaves b (and d) valid there; entries
// outside are left as they were. b and d need len(g) elements.
func bsplines(x float32, g []float32, k int, b, d []float32) (lo, hi int) {
	last := len(g) - 1 // number of order-0 bases
	// m: the interval [g_m, g_{m+1}) holding x.
	m := upper(g, x) - 1
	if m < 0 || m >= last || !(x < g[m+1]) {
		return 0, 0
	}
	lo = max(0, m-k)
	end := min(m+2, last)
	clear(b[lo:end])
	b[m] = 1
	if d != nil {
		clear(d[lo:end])
	}
	for kk := 1; kk <= k; kk++ {
		n := last - kk // bases of order kk
		for j := max(0, m-kk); j <= min(m, n-1); j++ {
			den1 := g[j+kk] - g[j]
			den2 := g[j+kk+1] - g[j+1]
			t1 := (x - g[j]) / den1
			t2 := (g[j+kk+1] - x) / den2
			bj, bj1 := b[j], b[j+1]
			if d != nil {
				d[j] = (bj/den1 + t1*d[j]) + (t2*d[j+1] - bj1/den2)
			}
			b[j] = t1*bj + t2*bj1
		}
	}
	return lo, min(m+1, last-k)
}

// upper returns the first index j with g[j] > x (len(g) if none) in the
// sorted g.
func upper(g []float32, x float32) int {
	lo, hi := 0, len(g)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if g[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// RegularizationLoss returns efficient-kan's regulariser of the
// activations as a graph on SplineWeight, so that its gradient reaches the
// coefficients: with ℓ_oi = mean_c |SplineWeight[o,i,c]|,
//
//	activation·Σℓ + entropy·(−Σ p·log p),  p = ℓ/Σℓ.
func (l *KANLinear) RegularizationLoss(activation, entropy float64) *autograd.Var {
	l1 := autograd.MeanAxis(autograd.Abs(l.SplineWeight), 2)
	total := autograd.Sum(l1)
	p := autograd.Div(l1, total)
	ent := autograd.Neg(autograd.Sum(autograd.Mul(p, autograd.Log(p))))
	return autograd.Add(autograd.Scale(total, float32(activation)), autograd.Scale(ent, float32(entropy)))
}

func init() {
	Register("kan_linear", "out_features", func(o Options, in []int, rng *tensor.RNG) (Layer, error) {
		if err := o.Allow("out_features", "grid_size", "spline_order", "grid_range", "scale_noise", "scale_base", "scale_spline", "enable_standalone_scale_spline", "grid_eps"); err != nil {
			return nil, err
		}
		out, err := o.Positive("out_features")
		if err != nil {
			return nil, err
		}
		ko := DefaultKANOptions()
		if ko.GridSize, err = o.Int("grid_size", ko.GridSize); err != nil {
			return nil, err
		}
		if ko.GridSize < 1 || ko.GridSize > 1<<16 {
			return nil, fmt.Errorf("grid_size: want 1 to %d, got %d", 1<<16, ko.GridSize)
		}
		if ko.SplineOrder, err = o.Int("spline_order", ko.SplineOrder); err != nil {
			return nil, err
		}
		if ko.SplineOrder < 0 || ko.SplineOrder > 16 {
			return nil, fmt.Errorf("spline_order: want 0 to 16, got %d", ko.SplineOrder)
		}
		if ko.GridRange, err = floatPair(o, "grid_range", ko.GridRange); err != nil {
			return nil, err
		}
		if !(ko.GridRange[1] > ko.GridRange[0]) || math.IsInf(ko.GridRange[1]-ko.GridRange[0], 0) {
			return nil, fmt.Errorf("grid_range: want [low, high] with low < high, got %v", ko.GridRange)
		}
		for _, f := range []struct {
			key string
			dst *float64
		}{{"scale_noise", &ko.ScaleNoise}, {"scale_base", &ko.ScaleBase}, {"scale_spline", &ko.ScaleSpline}, {"grid_eps", &ko.GridEps}} {
			if *f.dst, err = o.Float(f.key, *f.dst); err != nil {
				return nil, err
			}
			if math.IsNaN(*f.dst) || math.IsInf(*f.dst, 0) {
				return nil, fmt.Errorf("%s: want a finite number, got %v", f.key, *f.dst)
			}
		}
		if ko.GridEps < 0 || ko.GridEps > 1 {
			return nil, fmt.Errorf("grid_eps: want a number in [0, 1], got %v", ko.GridEps)
		}
		if ko.StandaloneScale, err = o.Bool("enable_standalone_scale_spline", true); err != nil {
			return nil, err
		}
		if len(in) == 0 {
			return nil, fmt.Errorf("kan_linear: want an input with at least one dimension")
		}
		width := in[len(in)-1]
		if err := checkParams("inputs × outputs × (grid_size + spline_order + 2):", width, out, ko.GridSize+ko.SplineOrder+2); err != nil {
			return nil, err
		}
		return NewKANLinear(width, out, ko, rng), nil
	})
}

// floatPair reads a list of two numbers under key, or def if absent.
func floatPair(o Options, key string, def [2]float64) ([2]float64, error) {
	v, ok := o[key]
	if !ok {
		return def, nil
	}
	var list []any
	switch t := v.(type) {
	case []any:
		list = t
	case []float64:
		list = []any{}
		for _, f := range t {
			list = append(list, f)
		}
	case []int:
		list = []any{}
		for _, f := range t {
			list = append(list, f)
		}
	}
	if len(list) != 2 {
		return def, fmt.Errorf("%s: want a list of two numbers such as [-1, 1], got %v", key, v)
	}
	var out [2]float64
	for i, e := range list {
		f, ok := param.Number(e)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return def, fmt.Errorf("%s: want a list of two numbers such as [-1, 1], got %v", key, v)
		}
		out[i] = f
	}
	return out, nil
}

// EdgeShape returns In and Out.
func (l *KANLinear) EdgeShape() (in, out int) { return l.In, l.Out }

// EdgeRange returns the span of input i's grid without its extension,
// where the spline is a full combination of bases.
func (l *KANLinear) EdgeRange(i int) (lo, hi float64) {
	L := l.GridSize + 2*l.SplineOrder + 1
	g := l.Grid.Data()[i*L : (i+1)*L]
	return float64(g[l.SplineOrder]), float64(g[L-1-l.SplineOrder])
}

// EdgeFunction writes φ_oi(x[j]) = BaseWeight[o,i]·silu(x[j]) +
// SplineScaler[o,i]·Σ_c SplineWeight[o,i,c]·B_c(x[j]) into y[j].
func (l *KANLinear) EdgeFunction(o, i int, x, y []float64) {
	L := l.GridSize + 2*l.SplineOrder + 1
	g := l.Grid.Data()[i*L : (i+1)*L]
	c := l.coeffs()
	e := o*l.In + i
	wb := float64(l.BaseWeight.Value.Data()[e])
	sw := l.SplineWeight.Value.Data()[e*c : (e+1)*c]
	s := 1.0
	if l.SplineScaler != nil {
		s = float64(l.SplineScaler.Value.Data()[e])
	}
	b := make([]float32, L)
	for j, v := range x {
		lo, hi := bsplines(float32(v), g, l.SplineOrder, b, nil)
		var t float64
		for k := lo; k < hi; k++ {
			t += float64(b[k]) * float64(sw[k])
		}
		y[j] = wb*v/(1+math.Exp(-v)) + s*t
	}
}
