package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/tensor"
)

// LinearInt8 is Linear with int8 weights, for inference: y ≈ xWᵀ + b with
// W[o][k] = Scale[o]·Weight[o][k], Weight whole numbers in −128…127 (one
// symmetric scale per output), and the input quantized on the fly, row by
// row, to 7-bit unsigned integers with a scale and zero point taken from
// the row's range, as PyTorch's quantize_dynamic does. The product runs in
// integer arithmetic (kernel.Int8Linear). Input [N, …, In], output
// [N, …, Out].
//
// Its tensors are buffers, not parameters: it does not train. They are
// saved as "weight" (I8, [Out, In]), "weight_scale" (F32, [Out]) and
// "bias" (F32, [Out], if present). Weight holds the int8 values as
// float32; after changing Weight or Scale in place, call Prepare.
type LinearInt8 struct {
	In, Out int
	Weight  *tensor.Tensor
	Scale   *tensor.Tensor
	Bias    *tensor.Tensor
	packed  *kernel.Int8Matrix
}

// Prepare checks the buffers (whole numbers in −128…127, finite scales
// ≥ 0, a finite bias) and packs the weights for the int8 kernels.
// LoadWeights calls it after filling the buffers in.
func (l *LinearInt8) Prepare() error {
	w := l.Weight.Data()
	for i, v := range w {
		if v < -128 || v > 127 || v != float32(math.Trunc(float64(v))) {
			return fmt.Errorf("weight[%d][%d] is %v, want a whole number in -128…127", i/l.In, i%l.In, v)
		}
	}
	for o, v := range l.Scale.Data() {
		if !(v >= 0) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("weight_scale[%d] is %v, want a finite number ≥ 0", o, v)
		}
	}
	qw := make([]int8, len(w))
	for i, v := range w {
		qw[i] = int8(v)
	}
	l.packed = kernel.PackInt8(qw, l.Out, l.In)
	return nil
}

// Forward returns x·(Scale·Weight)ᵀ + Bias, computed in int8.
func (l *LinearInt8) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(l, x, m) }

// Describe returns "linear_int8" with out_features and bias.
func (l *LinearInt8) Describe() Desc {
	return Desc{Op: "linear_int8", Config: map[string]any{"out_features": l.Out, "bias": l.Bias != nil}}
}

// OutShape replaces the last dimension, which must be In, by Out.
func (l *LinearInt8) OutShape(in []int) ([]int, error) {
	if len(in) == 0 || in[len(in)-1] != l.In {
		return nil, fmt.Errorf("linear_int8: want input [..., %d], got %v", l.In, in)
	}
	out := append([]int(nil), in...)
	out[len(out)-1] = l.Out
	return out, nil
}

// Buffers returns "weight" (marked Int8), "weight_scale" and, if
// present, "bias".
func (l *LinearInt8) Buffers() []Buffer {
	bs := []Buffer{{Name: "weight", Value: l.Weight, Int8: true}, {Name: "weight_scale", Value: l.Scale}}
	if l.Bias != nil {
		bs = append(bs, Buffer{Name: "bias", Value: l.Bias})
	}
	return bs
}

// Fuse returns the kernel, with its own scratch buffers: one matrix
// product over every row of every sample.
func (l *LinearInt8) Fuse(in []int, rows int) Kernel {
	if _, err := l.OutShape(in); err != nil {
		return nil
	}
	return &linearInt8Kernel{l: l, per: Size(in) / l.In}
}

type linearInt8Kernel struct {
	l       *LinearInt8
	per     int
	scratch kernel.Int8Scratch
}

func (k *linearInt8Kernel) Forward(y, x []float32, n int, _ Mode) {
	l := k.l
	if l.packed == nil {
		panic("nn: linear_int8: weights not prepared (call Prepare after setting them)")
	}
	var bias []float32
	if l.Bias != nil {
		bias = l.Bias.Data()
	}
	kernel.Int8Linear(y, x, n*k.per, l.packed, l.Scale.Data(), bias, &k.scratch)
}

// Backward panics: an int8 layer does not train, and training refuses a
// network that holds one before it starts.
func (k *linearInt8Kernel) Backward(dx, dy, x, y []float32, n int) {
	panic("nn: linear_int8: no backward pass: int8 layers are for inference")
}

func init() {
	Register("linear_int8", "out_features", func(o Options, in []int, _ *tensor.RNG) (Layer, error) {
		if err := o.Allow("out_features", "bias"); err != nil {
			return nil, err
		}
		out, err := o.Positive("out_features")
		if err != nil {
			return nil, err
		}
		bias, err := o.Bool("bias", true)
		if err != nil {
			return nil, err
		}
		if len(in) == 0 {
			return nil, fmt.Errorf("linear_int8: want an input with at least one dimension")
		}
		width := in[len(in)-1]
		if err := checkParams("inputs × outputs:", width, out); err != nil {
			return nil, err
		}
		l := &LinearInt8{In: width, Out: out, Weight: tensor.Zeros(out, width), Scale: tensor.Zeros(out)}
		if bias {
			l.Bias = tensor.Zeros(out)
		}
		return l, l.Prepare()
	})
}
