package quant

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// Rows quantizes w [out, in] row by row, symmetrically: scale[o] =
// max_k |w[o][k]| / 127 and q[o][k] = roundEven(w[o][k] / scale[o]), so
// that w[o][k] ≈ scale[o]·q[o][k] within scale[o]/2. A row of zeros gets
// scale 0. q holds the int8 values as float32. Rows panics if w is not
// out·in long.
func Rows(w []float32, out, in int) (q, scale []float32) {
	if len(w) != out*in {
		panic(fmt.Sprintf("quant: Rows: %d weights for [%d %d]", len(w), out, in))
	}
	q, scale = make([]float32, out*in), make([]float32, out)
	for o := range out {
		row := w[o*in : (o+1)*in]
		var m float64
		for _, v := range row {
			m = max(m, math.Abs(float64(v)))
		}
		if m == 0 {
			continue
		}
		scale[o] = float32(m / 127)
		for k, v := range row {
			q[o*in+k] = float32(max(-127, min(127, math.RoundToEven(float64(v)/float64(scale[o])))))
		}
	}
	return q, scale
}

// Linear returns the int8 form of l.
func Linear(l *nn.Linear) *nn.LinearInt8 {
	q, s := Rows(l.Weight.Value.Data(), l.Out, l.In)
	ql := &nn.LinearInt8{In: l.In, Out: l.Out, Weight: tensor.New(q, l.Out, l.In), Scale: tensor.New(s, l.Out)}
	if l.Bias != nil {
		ql.Bias = l.Bias.Value.Clone()
	}
	if err := ql.Prepare(); err != nil {
		panic("quant: Linear: " + err.Error())
	}
	return ql
}

// Model returns m with every Linear layer, at any depth of the
// architecture, replaced by its int8 form (linear_int8), and every Conv2d
// with groups 1 by conv2d_int8, its weights rounded per output channel
// over the In·kh·kw weights of each; the other layers (grouped and
// depthwise Conv2d, Conv1d and ConvTranspose2d among them, which stay
// float32), the scaler, decoder, loss and spec carry over unchanged. m
// itself is not modified. It fails if m is already quantized, has no layer
// to quantize, or holds weights that are not finite.
func Model(m *train.Model) (*train.Model, error) {
	if m.Quantized != "" {
		return nil, fmt.Errorf("the model is already quantized (%s)", m.Quantized)
	}
	arch, n := rename(nn.Architecture(m.Net.Layers))
	if n == 0 {
		return nil, fmt.Errorf("the architecture has no linear layer and no conv2d with groups 1 to quantize")
	}
	layers, err := spec.ParseArchitecture(arch)
	if err != nil {
		return nil, err
	}
	net, _, err := spec.BuildArchitecture(m.InputShape, layers, tensor.NewRNG(0))
	if err != nil {
		return nil, err
	}
	old := map[string]*tensor.Tensor{}
	for _, p := range m.Net.Params() {
		old[p.Name] = p.Value
	}
	for _, b := range m.Net.Buffers() {
		old[b.Name] = b.Value
	}
	for name, t := range old {
		for i, v := range t.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("tensor %q: element %d is %v: only finite weights quantize", name, i, v)
			}
		}
	}
	scales := map[string][]float32{}
	for _, b := range net.Buffers() {
		if !b.Int8 {
			continue
		}
		// A matrix [out, in], or a convolution's [out, in, kh, kw]
		// quantized as the matrix [out, in·kh·kw].
		w := old[b.Name]
		if w == nil || w.Dims() < 2 || !tensor.SameShape(w, b.Value) {
			return nil, fmt.Errorf("tensor %q: no float32 weights of shape %v to quantize", b.Name, b.Value.Shape())
		}
		q, s := Rows(w.Data(), w.Dim(0), w.Len()/w.Dim(0))
		b.Value.CopyFrom(tensor.New(q, w.Shape()...))
		scales[b.Name+"_scale"] = s
	}
	for _, t := range append(paramsOf(net), net.Buffers()...) {
		switch {
		case t.Int8:
		case scales[t.Name] != nil:
			t.Value.CopyFrom(tensor.New(scales[t.Name], len(scales[t.Name])))
		case old[t.Name] != nil && tensor.SameShape(old[t.Name], t.Value):
			t.Value.CopyFrom(old[t.Name])
		default:
			return nil, fmt.Errorf("tensor %q: nothing in the float32 model to take it from", t.Name)
		}
	}
	if err := nn.Prepare(net); err != nil {
		return nil, err
	}
	q, err := train.FromNet(net, m.InputShape, m.LossName, m.LossParams)
	if err != nil {
		return nil, err
	}
	q.Spec, q.Scaler, q.Decoder = m.Spec, m.Scaler, m.Decoder
	q.FeatureNames, q.TargetNames = m.FeatureNames, m.TargetNames
	q.Vocab, q.Positions = m.Vocab, m.Positions
	q.Quantized = "int8"
	return q, nil
}

// paramsOf returns the parameters of net as buffers, to fill them in the
// same loop.
func paramsOf(net *nn.Sequential) []nn.Buffer {
	var bs []nn.Buffer
	for _, p := range net.Params() {
		bs = append(bs, nn.Buffer{Name: p.Name, Value: p.Value})
	}
	return bs
}

// rename returns the architecture list with every linear layer made
// linear_int8 and every conv2d with groups 1 conv2d_int8, looking inside
// composite layers, and how many it renamed.
func rename(items []any) ([]any, int) {
	out := make([]any, len(items))
	n := 0
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			out[i] = it
			continue
		}
		nm := map[string]any{}
		for op, cfg := range m {
			if c, ok := cfg.(map[string]any); ok {
				nc := map[string]any{}
				for k, v := range c {
					if list, ok := v.([]any); ok {
						var k2 int
						v, k2 = rename(list)
						n += k2
					}
					nc[k] = v
				}
				cfg = nc
			}
			switch {
			case op == "linear":
				op = "linear_int8"
				n++
			case op == "conv2d" && oneGroup(cfg):
				op = "conv2d_int8"
				n++
			}
			nm[op] = cfg
		}
		out[i] = nm
	}
	return out, n
}

// oneGroup reports whether a conv2d's configuration has groups 1 (or
// none given, which means 1).
func oneGroup(cfg any) bool {
	c, ok := cfg.(map[string]any)
	if !ok {
		return true
	}
	switch g := c["groups"].(type) {
	case nil:
		return true
	case int:
		return g == 1
	case float64:
		return g == 1
	}
	return false
}

// Ops counts the layers of m by op name, at every depth of its
// architecture: after Model, "linear_int8" and "conv2d_int8" say what was
// quantized, and "conv2d", "conv1d" and "conv_transpose2d" what stayed
// float32.
func Ops(m *train.Model) map[string]int {
	counts := map[string]int{}
	var walk func(layers []nn.Layer)
	walk = func(layers []nn.Layer) {
		for _, l := range layers {
			d := l.Describe()
			counts[d.Op]++
			for _, b := range d.Blocks {
				walk(b.Layers)
			}
		}
	}
	walk(m.Net.Layers)
	return counts
}

// ISA names the int8 kernels this machine runs: "vnni" (AVX-512 VNNI),
// "avx2", or "go" (the portable loops, also under the noasm build tag).
func ISA() string { return kernel.Int8ISA() }
