package nn

import (
	"fmt"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Layer is one stage of a network: a function from a batch of inputs to a
// batch of outputs, which can also say what it is and what it does to
// shapes. Shapes here are per sample: a batch x of shape [N, d1, d2, …]
// has the per-sample shape [d1, d2, …].
type Layer interface {
	// Forward runs the batch x through the layer in mode m.
	Forward(x *autograd.Var, m Mode) *autograd.Var
	// Describe returns the layer's op name and options: what inspect,
	// draw, saving and export read, and what Build turns back into an
	// equal layer.
	Describe() Desc
	// OutShape returns the per-sample output shape for the per-sample
	// input shape in, or an error saying why in does not fit.
	OutShape(in []int) ([]int, error)
}

// Mode says how a forward pass runs. It is passed into every call rather
// than kept as a flag in the layers, so one network can train in one
// goroutine while others predict with it.
type Mode struct {
	// Train selects training behaviour: dropout drops, and batch
	// normalisation uses the batch's statistics and updates its running
	// ones.
	Train bool
	// RNG draws the randomness of training-mode layers (dropout masks,
	// RReLU slopes). It must be set when Train is, and is used by one
	// goroutine at a time.
	RNG *tensor.RNG
	// KeyPadding, when not nil, marks the padding tokens of the batch,
	// [N·T] with true for padding: attention layers with
	// key_padding_mask: auto (PadKeys) ignore those keys, as PyTorch's
	// key_padding_mask. A Sequential whose first layer is a PaddingSource
	// sets it for the layers after that one.
	KeyPadding []bool
}

// PaddingSource is implemented by a layer that reads token ids and knows
// which of them are padding (an Embedding with padding_idx).
// MarkPadding sets dst[i] to whether ids[i] is padding and reports
// whether any is.
type PaddingSource interface {
	MarkPadding(dst []bool, ids []float32) bool
}

// Eval is evaluation mode: deterministic, no state changes.
var Eval = Mode{}

// Train returns training mode drawing its randomness from rng.
func Train(rng *tensor.RNG) Mode { return Mode{Train: true, RNG: rng} }

// Desc describes a layer: its op name as the spec file spells it
// ("linear", "conv2d", "relu", "residual") and its options under
// PyTorch's names, defaults filled in. Sizes that the incoming shape
// determines (in_features, in_channels, num_features) are left out, as in
// the spec. Values are int, float64, bool, string or []int.
type Desc struct {
	Op     string
	Config map[string]any
	// Blocks holds the layer lists inside a composite layer, such as a
	// residual block's body and shortcut.
	Blocks []Block
}

// Block is a named list of layers inside a composite layer.
type Block struct {
	Name   string
	Layers []Layer
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

// Buffer is non-trained state saved with the parameters, such as batch
// normalisation's running statistics, under its state_dict name.
type Buffer struct {
	Name  string
	Value *tensor.Tensor
	// Int64 marks a buffer PyTorch stores as int64 (num_batches_tracked):
	// it is held as float32, exact up to 2²⁴, and saved as I64.
	Int64 bool
	// Int8 marks the whole-number weights of an int8 layer, held as
	// float32 and saved as I8.
	Int8 bool
}

// Preparer is implemented by layers that derive working state from their
// buffers, such as packed int8 weights, and check the buffers as they do
// so. Whoever fills the buffers in (loading a file) calls Prepare after.
type Preparer interface {
	Prepare() error
}

// Prepare calls Prepare on l and on every layer inside it, and returns the
// first error, naming the layer by its position (2, or 1.0 inside a
// block).
func Prepare(l Layer) error { return prepare(l, "") }

func prepare(l Layer, at string) error {
	if p, ok := l.(Preparer); ok {
		if err := p.Prepare(); err != nil {
			return fmt.Errorf("layer %s (%s): %w", at, l.Describe().Op, err)
		}
	}
	for _, b := range l.Describe().Blocks {
		for i, c := range b.Layers {
			pos := fmt.Sprint(i)
			if at != "" {
				pos = at + "." + pos
			}
			if err := prepare(c, pos); err != nil {
				return err
			}
		}
	}
	return nil
}

// StatsKeeper is implemented by layers that keep running statistics of
// their inputs in training mode, as batch norm does.
type StatsKeeper interface {
	// RestartStats forgets the running statistics and, until done is
	// called, makes them the plain average over the batches that follow.
	RestartStats() (done func())
}

// RecountStats recomputes the running statistics of every layer of l, at
// any depth, that keeps them: it restarts them, runs each input next
// returns through l in training mode m until next returns nil, so that
// the statistics become the plain average over those batches, and gives
// the layers back their own way of averaging. Weights do not change. It
// returns the number of layers recounted (and runs nothing when there
// are none). This is what a network needs after its weights were set
// from elsewhere, such as a moving average of them: statistics gathered
// on the way no longer describe what the layers now see.
func RecountStats(l Layer, next func() *autograd.Var, m Mode) int {
	var done []func()
	walk(l, func(c Layer) {
		if k, ok := c.(StatsKeeper); ok {
			done = append(done, k.RestartStats())
		}
	})
	if len(done) > 0 {
		for x := next(); x != nil; x = next() {
			l.Forward(x, m)
		}
	}
	for _, d := range done {
		d()
	}
	return len(done)
}

// walk calls f on l and on every layer inside it, depth first.
func walk(l Layer, f func(Layer)) {
	f(l)
	for _, b := range l.Describe().Blocks {
		for _, c := range b.Layers {
			walk(c, f)
		}
	}
}

// Buffered is implemented by layers that hold buffers.
type Buffered interface {
	Buffers() []Buffer
}

// ParamsOf returns l's parameters, or nil if it has none.
func ParamsOf(l Layer) []Param {
	if p, ok := l.(Parameterized); ok {
		return p.Params()
	}
	return nil
}

// BuffersOf returns l's buffers, or nil if it has none.
func BuffersOf(l Layer) []Buffer {
	if b, ok := l.(Buffered); ok {
		return b.Buffers()
	}
	return nil
}

// Vars returns the Vars of params, the form optimizers take.
func Vars(params []Param) []*autograd.Var {
	vs := make([]*autograd.Var, len(params))
	for i, p := range params {
		vs[i] = p.Var
	}
	return vs
}

// Size returns the number of elements of a per-sample shape.
func Size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// batchShape returns [n, shape…].
func batchShape(n int, shape []int) []int {
	return append([]int{n}, shape...)
}

// EdgeFunctions is implemented by layers in which every edge i → o carries
// a learned function of one variable, output o being Σ_i φ_oi(x_i): the
// Kolmogorov–Arnold layers. Diagrams ask it for the curves to draw on the
// edges.
type EdgeFunctions interface {
	// EdgeShape returns the numbers of inputs and outputs.
	EdgeShape() (in, out int)
	// EdgeRange returns the interval of input i on which its functions are
	// learned.
	EdgeRange(i int) (lo, hi float64)
	// EdgeFunction writes φ_oi(x[j]) into y[j].
	EdgeFunction(o, i int, x, y []float64)
}
