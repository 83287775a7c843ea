package nn

import "github.com/bigfunc/bigfunc/autograd"

// Layer is one stage of a network: a function from a batch of inputs to a
// batch of outputs.
type Layer interface {
	Forward(x *autograd.Var) *autograd.Var
}

// Param is a trainable tensor with its PyTorch state_dict name relative to
// the layer that owns it ("weight", "bias"; "0.weight" once inside a
// Sequential).
type Param struct {
	Name string
	*autograd.Var
}

// Parameterized is implemented by layers that own trainable parameters.
type Parameterized interface {
	Params() []Param
}

// Moded is implemented by layers that behave differently in training and
// evaluation (Dropout, RReLU).
type Moded interface {
	SetTraining(training bool)
}

// LayerFunc adapts a plain function to the Layer interface.
type LayerFunc func(x *autograd.Var) *autograd.Var

// Forward calls f(x).
func (f LayerFunc) Forward(x *autograd.Var) *autograd.Var { return f(x) }

// ParamsOf returns l's parameters, or nil if it has none.
func ParamsOf(l Layer) []Param {
	if p, ok := l.(Parameterized); ok {
		return p.Params()
	}
	return nil
}

// SetTraining switches l, and every layer inside it, between training and
// evaluation behaviour.
func SetTraining(l Layer, training bool) {
	if m, ok := l.(Moded); ok {
		m.SetTraining(training)
	}
}

// Vars returns the Vars of params, the form optimizers take.
func Vars(params []Param) []*autograd.Var {
	vs := make([]*autograd.Var, len(params))
	for i, p := range params {
		vs[i] = p.Var
	}
	return vs
}
