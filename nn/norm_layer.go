package nn

import (
	"fmt"
	"math"
	"slices"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// LayerNorm normalises each sample over its trailing dimensions, as
// torch.nn.LayerNorm(NormalizedShape): for a per-sample input [T, D] and
// NormalizedShape [D], each of the T rows is normalised on its own,
//
//	y = (x − mean) / √(var + Eps) · Weight + Bias
//
// with the biased variance, the same in training and evaluation. Weight
// and Bias have shape NormalizedShape, or are nil without
// elementwise_affine.
type LayerNorm struct {
	NormalizedShape []int
	Eps             float64
	Weight, Bias    *autograd.Var
}

// NewLayerNorm returns torch.nn.LayerNorm(shape, elementwise_affine=affine)
// with eps 1e-5, weight 1 and bias 0. It panics if shape is empty or not
// positive.
func NewLayerNorm(shape []int, affine bool) *LayerNorm {
	if len(shape) == 0 || slices.Min(shape) < 1 {
		panic(fmt.Sprintf("nn: NewLayerNorm: want a non-empty shape of positive sizes, got %v", shape))
	}
	l := &LayerNorm{NormalizedShape: slices.Clone(shape), Eps: 1e-5}
	if affine {
		l.Weight = autograd.Param(tensor.Ones(shape...))
		l.Bias = autograd.Param(tensor.Zeros(shape...))
	}
	return l
}

// Forward normalises x [N, …, NormalizedShape…].
func (l *LayerNorm) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(l, x, m) }

// Describe returns "layer_norm" with eps and elementwise_affine, and
// normalized_shape when it covers more than the last dimension (the
// default, which the input determines).
func (l *LayerNorm) Describe() Desc {
	cfg := map[string]any{"eps": l.Eps, "elementwise_affine": l.Weight != nil}
	if len(l.NormalizedShape) > 1 {
		cfg["normalized_shape"] = slices.Clone(l.NormalizedShape)
	}
	return Desc{Op: "layer_norm", Config: cfg}
}

// OutShape returns in, whose trailing dimensions must be NormalizedShape.
func (l *LayerNorm) OutShape(in []int) ([]int, error) {
	k := len(l.NormalizedShape)
	if len(in) < k || !slices.Equal(in[len(in)-k:], l.NormalizedShape) {
		return nil, fmt.Errorf("layer_norm: want input [..., %s], got %v", joinInts(l.NormalizedShape), in)
	}
	return slices.Clone(in), nil
}

// Params returns "weight" and "bias", or none without elementwise_affine.
func (l *LayerNorm) Params() []Param {
	if l.Weight == nil {
		return nil
	}
	return []Param{{Name: "weight", Var: l.Weight}, {Name: "bias", Var: l.Bias}}
}

// Fuse returns a kernel that keeps each row's statistics for the backward
// pass.
func (l *LayerNorm) Fuse(in []int, rows int) Kernel {
	if _, err := l.OutShape(in); err != nil {
		return nil
	}
	d := Size(l.NormalizedShape)
	per := Size(in) / d
	return &groupKernel{d: d, per: per, eps: l.Eps, weight: l.Weight, bias: l.Bias, elementwise: true,
		mean: make([]float64, rows*per), rstd: make([]float64, rows*per)}
}

// GroupNorm normalises groups of channels within each sample, as
// torch.nn.GroupNorm(NumGroups, NumChannels): per-sample input [C, …] with
// C = NumChannels split into NumGroups groups of consecutive channels;
// each group of each sample is normalised over its channels and positions,
//
//	y = (x − mean) / √(var + Eps) · Weight[c] + Bias[c]
//
// with the biased variance, the same in training and evaluation. Weight
// and Bias are [C], or nil without affine.
type GroupNorm struct {
	NumGroups, NumChannels int
	Eps                    float64
	Weight, Bias           *autograd.Var
}

// NewGroupNorm returns torch.nn.GroupNorm(groups, channels, affine=affine)
// with eps 1e-5, weight 1 and bias 0. It panics unless groups divides
// channels.
func NewGroupNorm(groups, channels int, affine bool) *GroupNorm {
	if groups < 1 || channels < 1 || channels%groups != 0 {
		panic(fmt.Sprintf("nn: NewGroupNorm: want groups dividing channels, got %d groups, %d channels", groups, channels))
	}
	g := &GroupNorm{NumGroups: groups, NumChannels: channels, Eps: 1e-5}
	if affine {
		g.Weight = autograd.Param(tensor.Ones(channels))
		g.Bias = autograd.Param(tensor.Zeros(channels))
	}
	return g
}

// Forward normalises x [N, C, …].
func (g *GroupNorm) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(g, x, m) }

// Describe returns "group_norm" with num_groups, eps and affine.
func (g *GroupNorm) Describe() Desc {
	return Desc{Op: "group_norm", Config: map[string]any{"num_groups": g.NumGroups, "eps": g.Eps, "affine": g.Weight != nil}}
}

// OutShape returns in, which must be [NumChannels, …].
func (g *GroupNorm) OutShape(in []int) ([]int, error) {
	if len(in) == 0 || in[0] != g.NumChannels {
		return nil, fmt.Errorf("group_norm: want input [%d, ...], got %v", g.NumChannels, in)
	}
	return slices.Clone(in), nil
}

// Params returns "weight" and "bias", or none without affine.
func (g *GroupNorm) Params() []Param {
	if g.Weight == nil {
		return nil
	}
	return []Param{{Name: "weight", Var: g.Weight}, {Name: "bias", Var: g.Bias}}
}

// Fuse returns a kernel that keeps each group's statistics for the
// backward pass.
func (g *GroupNorm) Fuse(in []int, rows int) Kernel {
	if _, err := g.OutShape(in); err != nil {
		return nil
	}
	d := Size(in) / g.NumGroups
	return &groupKernel{d: d, per: g.NumGroups, eps: g.Eps, weight: g.Weight, bias: g.Bias,
		spatial: Size(in) / g.NumChannels,
		mean:    make([]float64, rows*g.NumGroups), rstd: make([]float64, rows*g.NumGroups)}
}

// groupKernel normalises consecutive runs of d values (a LayerNorm row, a
// GroupNorm group), per of them in each sample. The affine parameters
// have one value per element of a run (elementwise, LayerNorm) or one per
// channel of spatial values (GroupNorm, whose channels share the run's
// statistics).
type groupKernel struct {
	d, per      int
	eps         float64
	weight      *autograd.Var
	bias        *autograd.Var
	elementwise bool
	spatial     int
	mean, rstd  []float64 // per run, as the latest Forward normalised
}

// affine returns the weight and bias that apply to segment j of run r
// (a channel's spatial values for GroupNorm, a single value for
// LayerNorm), or nil without affine parameters.
func (k *groupKernel) affine(r, j int, w, b []float32) (float32, float32) {
	if k.elementwise {
		return w[j], b[j]
	}
	c := (r%k.per)*(k.d/k.spatial) + j
	return w[c], b[c]
}

// seg returns the length of the runs' segments that share one affine
// weight.
func (k *groupKernel) seg() int {
	if k.elementwise {
		return 1
	}
	return k.spatial
}

func (k *groupKernel) Forward(y, x []float32, n int, _ Mode) {
	var w, b []float32
	if k.weight != nil {
		w, b = k.weight.Value.Data(), k.bias.Value.Data()
	}
	d, seg := float64(k.d), k.seg()
	for r := range n * k.per {
		xs, ys := x[r*k.d:(r+1)*k.d], y[r*k.d:(r+1)*k.d]
		mean := sum64(xs) / d
		rstd := 1 / math.Sqrt(sumSquares(xs, mean)/d+k.eps)
		k.mean[r], k.rstd[r] = mean, rstd
		// y = (x − mean)·α + b with α = w/σ, per segment, in float64:
		// rows are often short, and x − mean cancels.
		for j := range k.d / seg {
			alpha, beta := rstd, 0.0
			if w != nil {
				wj, bj := k.affine(r, j, w, b)
				alpha *= float64(wj)
				beta = float64(bj)
			}
			out := ys[j*seg : (j+1)*seg]
			for i, v := range xs[j*seg : (j+1)*seg] {
				out[i] = float32((float64(v)-mean)*alpha + beta)
			}
		}
	}
}

func (k *groupKernel) Backward(dx, dy, x, _ []float32, n int) {
	var w []float32
	if k.weight != nil {
		w = k.weight.Value.Data()
	}
	gw, gb := gradOf(k.weight), gradOf(k.bias)
	d, seg := float64(k.d), k.seg()
	for r := range n * k.per {
		xs, g := x[r*k.d:(r+1)*k.d], dy[r*k.d:(r+1)*k.d]
		mean, rstd := k.mean[r], k.rstd[r]
		// With ĝ = dy·w: dx = σ⁻¹·(ĝ − Σĝ/d − x̂·Σ(ĝ·x̂)/d).
		var sg, sgx float64
		for j := range k.d / seg {
			a, b := sumProducts(g[j*seg:(j+1)*seg], xs[j*seg:(j+1)*seg], mean)
			wj := 1.0
			if w != nil {
				c := j
				if !k.elementwise {
					c = (r%k.per)*(k.d/seg) + j
				}
				wj = float64(w[c])
				if gw != nil {
					gw[c] += float32(b * rstd)
				}
				if gb != nil {
					gb[c] += float32(a)
				}
			}
			sg += a * wj
			sgx += b * wj
		}
		if dx == nil {
			continue
		}
		sgx *= rstd
		// dx = a·dy + p·(x − mean) + q per segment.
		p := -rstd * rstd * sgx / d
		q := -rstd * sg / d
		ds := dx[r*k.d : (r+1)*k.d]
		for j := range k.d / seg {
			a := rstd
			if w != nil {
				wj, _ := k.affine(r, j, w, w)
				a *= float64(wj)
			}
			out, gs := ds[j*seg:(j+1)*seg], g[j*seg:(j+1)*seg]
			for i, v := range xs[j*seg : (j+1)*seg] {
				out[i] += float32(a*float64(gs[i]) + p*(float64(v)-mean) + q)
			}
		}
	}
}

func joinInts(v []int) string {
	s := ""
	for i, x := range v {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(x)
	}
	return s
}

func init() {
	Register("layer_norm", "", func(o Options, in []int, _ *tensor.RNG) (Layer, error) {
		if err := o.Allow("normalized_shape", "eps", "elementwise_affine"); err != nil {
			return nil, err
		}
		eps, err := readNormEps(o)
		if err != nil {
			return nil, err
		}
		affine, err := o.Bool("elementwise_affine", true)
		if err != nil {
			return nil, err
		}
		if len(in) == 0 {
			return nil, fmt.Errorf("layer_norm: want an input with at least one dimension")
		}
		shape := in[len(in)-1:]
		if v, ok := o["normalized_shape"]; ok && v != nil {
			n := 1
			switch list := v.(type) {
			case []any:
				n = len(list)
			case []int:
				n = len(list)
			}
			if n == 0 || n > len(in) {
				return nil, fmt.Errorf("normalized_shape: want 1 to %d trailing sizes of the input %v, got %v", len(in), in, v)
			}
			if shape, err = o.Ints("normalized_shape", n, nil); err != nil {
				return nil, err
			}
			if !slices.Equal(shape, in[len(in)-n:]) {
				return nil, fmt.Errorf("normalized_shape: want the trailing sizes %v of the input %v, got %v", in[len(in)-n:], in, shape)
			}
		}
		if err := checkParams("normalized_shape:", shape...); err != nil {
			return nil, err
		}
		l := NewLayerNorm(shape, affine)
		l.Eps = eps
		return l, nil
	})
	Register("group_norm", "num_groups", func(o Options, in []int, _ *tensor.RNG) (Layer, error) {
		if err := o.Allow("num_groups", "eps", "affine"); err != nil {
			return nil, err
		}
		groups, err := o.Positive("num_groups")
		if err != nil {
			return nil, err
		}
		eps, err := readNormEps(o)
		if err != nil {
			return nil, err
		}
		affine, err := o.Bool("affine", true)
		if err != nil {
			return nil, err
		}
		if len(in) == 0 {
			return nil, fmt.Errorf("group_norm: want an input with channels first, got %v", in)
		}
		if in[0]%groups != 0 {
			return nil, fmt.Errorf("num_groups: %d does not divide the %d channels of the input %v", groups, in[0], in)
		}
		if err := checkParams("num_channels:", in[0]); err != nil {
			return nil, err
		}
		g := NewGroupNorm(groups, in[0], affine)
		g.Eps = eps
		return g, nil
	})
}
