package nn

import (
	"strconv"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Sequential applies its layers in order: the network as one big function
// f(x) = fₙ(…f₂(f₁(x))).
type Sequential struct {
	Layers []Layer
}

// NewSequential returns a Sequential of the given layers.
func NewSequential(layers ...Layer) *Sequential { return &Sequential{Layers: layers} }

// Forward runs x through every layer.
func (s *Sequential) Forward(x *autograd.Var) *autograd.Var {
	for _, l := range s.Layers {
		x = l.Forward(x)
	}
	return x
}

// Params returns every layer's parameters named "i.name", with i the
// layer's position counting activations too, as in a PyTorch state_dict.
func (s *Sequential) Params() []Param {
	var ps []Param
	for i, l := range s.Layers {
		for _, p := range ParamsOf(l) {
			ps = append(ps, Param{Name: strconv.Itoa(i) + "." + p.Name, Var: p.Var})
		}
	}
	return ps
}

// SetTraining switches every layer between training and evaluation.
func (s *Sequential) SetTraining(training bool) {
	for _, l := range s.Layers {
		SetTraining(l, training)
	}
}

// Residual is the shortcut connection y = x + F(x): the input skips over F
// and is added back to its output, so F only has to learn a correction.
// F must preserve the shape of its input.
type Residual struct {
	F Layer
}

// Forward returns x + F(x).
func (r *Residual) Forward(x *autograd.Var) *autograd.Var { return autograd.Add(x, r.F.Forward(x)) }

// Params returns F's parameters under the prefix "f.".
func (r *Residual) Params() []Param {
	var ps []Param
	for _, p := range ParamsOf(r.F) {
		ps = append(ps, Param{Name: "f." + p.Name, Var: p.Var})
	}
	return ps
}

// SetTraining forwards the mode to F.
func (r *Residual) SetTraining(training bool) { SetTraining(r.F, training) }

// Dropout zeroes each element with probability P during training and scales
// the survivors by 1/(1−P), so evaluation, which passes x through
// unchanged, sees the same expected activation. Layers start in training
// mode, as in PyTorch.
type Dropout struct {
	P        float64
	rng      *tensor.RNG
	training bool
}

// NewDropout returns a Dropout layer drawing its masks from rng. It panics
// if p is outside [0, 1].
func NewDropout(p float64, rng *tensor.RNG) *Dropout {
	if !(p >= 0 && p <= 1) {
		panic("nn: NewDropout: p must be in [0, 1], got " + strconv.FormatFloat(p, 'g', -1, 64))
	}
	return &Dropout{P: p, rng: rng, training: true}
}

// SetTraining switches dropout on (training) or off (evaluation).
func (d *Dropout) SetTraining(training bool) { d.training = training }

// Training reports whether the layer drops elements (training mode).
func (d *Dropout) Training() bool { return d.training }

// Forward applies the random mask in training and is the identity in
// evaluation.
func (d *Dropout) Forward(x *autograd.Var) *autograd.Var {
	if !d.training || d.P == 0 {
		return x
	}
	mask := tensor.Zeros(x.Value.Shape()...)
	d.Mask(mask.Data())
	return autograd.Mul(x, autograd.Const(mask))
}

// Mask fills m with the next training mask: 0 with probability P, else
// 1/(1−P). Forward draws its masks through it, so a fused loop calling Mask
// consumes the random stream exactly as Forward would.
func (d *Dropout) Mask(m []float32) {
	if d.P >= 1 {
		clear(m)
		return
	}
	keep := float32(1 / (1 - d.P))
	for i := range m {
		m[i] = 0
		if d.rng.Float64() >= d.P {
			m[i] = keep
		}
	}
}
