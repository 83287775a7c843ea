package activation

import (
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
)

// IdentityLayer is the layer form of Identity: y = x, PyTorch's nn.Identity.
// Any shape; the output is the input Var itself.
type IdentityLayer struct{}

// Forward returns Identity(x).
func (*IdentityLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return Identity(x) }

// Name returns "identity".
func (*IdentityLayer) Name() string { return "identity" }

// Config returns an empty map: the activation has no parameters.
func (*IdentityLayer) Config() map[string]any { return map[string]any{} }

// ReLULayer is the layer form of ReLU: y = max(x, 0), with gradient 0 at 0
// as in PyTorch. The output has the input's shape.
type ReLULayer struct{}

// Forward returns ReLU(x).
func (*ReLULayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return ReLU(x) }

// Name returns "relu".
func (*ReLULayer) Name() string { return "relu" }

// Config returns an empty map: the activation has no parameters.
func (*ReLULayer) Config() map[string]any { return map[string]any{} }

// LeakyReLULayer is the layer form of LeakyReLU: y = x for x > 0,
// NegativeSlope·x otherwise (PyTorch's default slope is 0.01). The output
// has the input's shape.
type LeakyReLULayer struct {
	NegativeSlope float64 // PyTorch's negative_slope
}

// Forward returns LeakyReLU(x, l.NegativeSlope).
func (l *LeakyReLULayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var {
	return LeakyReLU(x, l.NegativeSlope)
}

// Name returns "leaky_relu".
func (l *LeakyReLULayer) Name() string { return "leaky_relu" }

// Config returns negative_slope.
func (l *LeakyReLULayer) Config() map[string]any {
	return map[string]any{"negative_slope": l.NegativeSlope}
}

// ELULayer is the layer form of ELU: y = x for x > 0, Alpha·(eˣ − 1)
// otherwise (PyTorch's default Alpha is 1). The output has the input's
// shape.
type ELULayer struct {
	Alpha float64 // PyTorch's alpha
}

// Forward returns ELU(x, l.Alpha).
func (l *ELULayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return ELU(x, l.Alpha) }

// Name returns "elu".
func (l *ELULayer) Name() string { return "elu" }

// Config returns alpha.
func (l *ELULayer) Config() map[string]any { return map[string]any{"alpha": l.Alpha} }

// SELULayer is the layer form of SELU: y = scale·x for x > 0 and
// y = scale·α·(eˣ − 1) otherwise, with α ≈ 1.6733 and scale ≈ 1.0507. The
// output has the input's shape.
type SELULayer struct{}

// Forward returns SELU(x).
func (*SELULayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return SELU(x) }

// Name returns "selu".
func (*SELULayer) Name() string { return "selu" }

// Config returns an empty map: the activation has no parameters.
func (*SELULayer) Config() map[string]any { return map[string]any{} }

// CELULayer is the layer form of CELU: y = x for x > 0 and
// y = Alpha·(e^(x/Alpha) − 1) otherwise (PyTorch's default Alpha is 1; it
// must not be 0). The output has the input's shape.
type CELULayer struct {
	Alpha float64 // PyTorch's alpha
}

// Forward returns CELU(x, l.Alpha).
func (l *CELULayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return CELU(x, l.Alpha) }

// Name returns "celu".
func (l *CELULayer) Name() string { return "celu" }

// Config returns alpha.
func (l *CELULayer) Config() map[string]any { return map[string]any{"alpha": l.Alpha} }

// GELULayer is the layer form of GELU: y = x·Φ(x), with Φ the standard
// normal CDF, exact (GELUNone, PyTorch's default) or by its tanh
// approximation (GELUTanh). The output has the input's shape.
type GELULayer struct {
	Approximate GELUApprox // PyTorch's approximate
}

// Forward returns GELU(x, l.Approximate).
func (l *GELULayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return GELU(x, l.Approximate) }

// Name returns "gelu".
func (l *GELULayer) Name() string { return "gelu" }

// Config returns approximate.
func (l *GELULayer) Config() map[string]any {
	return map[string]any{"approximate": string(l.Approximate)}
}

// SigmoidLayer is the layer form of Sigmoid: y = 1/(1 + e⁻ˣ). The output has
// the input's shape.
type SigmoidLayer struct{}

// Forward returns Sigmoid(x).
func (*SigmoidLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return Sigmoid(x) }

// Name returns "sigmoid".
func (*SigmoidLayer) Name() string { return "sigmoid" }

// Config returns an empty map: the activation has no parameters.
func (*SigmoidLayer) Config() map[string]any { return map[string]any{} }

// TanhLayer is the layer form of Tanh: y = tanh(x). The output has the
// input's shape.
type TanhLayer struct{}

// Forward returns Tanh(x).
func (*TanhLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return Tanh(x) }

// Name returns "tanh".
func (*TanhLayer) Name() string { return "tanh" }

// Config returns an empty map: the activation has no parameters.
func (*TanhLayer) Config() map[string]any { return map[string]any{} }

// SoftplusLayer is the layer form of Softplus: y = log(1 + e^(Beta·x))/Beta,
// and y = x where Beta·x > Threshold (PyTorch's defaults are Beta = 1,
// Threshold = 20). The output has the input's shape.
type SoftplusLayer struct {
	Beta      float64 // PyTorch's beta
	Threshold float64 // PyTorch's threshold
}

// Forward returns Softplus(x, l.Beta, l.Threshold).
func (l *SoftplusLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var {
	return Softplus(x, l.Beta, l.Threshold)
}

// Name returns "softplus".
func (l *SoftplusLayer) Name() string { return "softplus" }

// Config returns beta, threshold.
func (l *SoftplusLayer) Config() map[string]any {
	return map[string]any{"beta": l.Beta, "threshold": l.Threshold}
}

// SoftsignLayer is the layer form of Softsign: y = x/(1 + |x|). The output
// has the input's shape.
type SoftsignLayer struct{}

// Forward returns Softsign(x).
func (*SoftsignLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return Softsign(x) }

// Name returns "softsign".
func (*SoftsignLayer) Name() string { return "softsign" }

// Config returns an empty map: the activation has no parameters.
func (*SoftsignLayer) Config() map[string]any { return map[string]any{} }

// SiLULayer is the layer form of SiLU: y = x·σ(x), also called swish. The
// output has the input's shape.
type SiLULayer struct{}

// Forward returns SiLU(x).
func (*SiLULayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return SiLU(x) }

// Name returns "silu".
func (*SiLULayer) Name() string { return "silu" }

// Config returns an empty map: the activation has no parameters.
func (*SiLULayer) Config() map[string]any { return map[string]any{} }

// MishLayer is the layer form of Mish: y = x·tanh(log(1 + eˣ)). The output
// has the input's shape.
type MishLayer struct{}

// Forward returns Mish(x).
func (*MishLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return Mish(x) }

// Name returns "mish".
func (*MishLayer) Name() string { return "mish" }

// Config returns an empty map: the activation has no parameters.
func (*MishLayer) Config() map[string]any { return map[string]any{} }

// HardtanhLayer is the layer form of Hardtanh:
// y = min(max(x, MinVal), MaxVal), with gradient 1 only strictly between
// the bounds (PyTorch's defaults are −1 and 1; MinVal must be below
// MaxVal). The output has the input's shape.
type HardtanhLayer struct {
	MinVal float64 // PyTorch's min_val
	MaxVal float64 // PyTorch's max_val
}

// Forward returns Hardtanh(x, l.MinVal, l.MaxVal).
func (l *HardtanhLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var {
	return Hardtanh(x, l.MinVal, l.MaxVal)
}

// Name returns "hardtanh".
func (l *HardtanhLayer) Name() string { return "hardtanh" }

// Config returns min_val, max_val.
func (l *HardtanhLayer) Config() map[string]any {
	return map[string]any{"min_val": l.MinVal, "max_val": l.MaxVal}
}

// ReLU6Layer is the layer form of ReLU6: y = min(max(x, 0), 6), with
// gradient 0 at 0 and at 6. The output has the input's shape.
type ReLU6Layer struct{}

// Forward returns ReLU6(x).
func (*ReLU6Layer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return ReLU6(x) }

// Name returns "relu6".
func (*ReLU6Layer) Name() string { return "relu6" }

// Config returns an empty map: the activation has no parameters.
func (*ReLU6Layer) Config() map[string]any { return map[string]any{} }

// HardsigmoidLayer is the layer form of Hardsigmoid:
// y = min(max(x + 3, 0), 6)/6, with gradient 1/6 only for −3 < x < 3. The
// output has the input's shape.
type HardsigmoidLayer struct{}

// Forward returns Hardsigmoid(x).
func (*HardsigmoidLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return Hardsigmoid(x) }

// Name returns "hardsigmoid".
func (*HardsigmoidLayer) Name() string { return "hardsigmoid" }

// Config returns an empty map: the activation has no parameters.
func (*HardsigmoidLayer) Config() map[string]any { return map[string]any{} }

// HardswishLayer is the layer form of Hardswish:
// y = x·min(max(x + 3, 0), 6)/6. The output has the input's shape.
type HardswishLayer struct{}

// Forward returns Hardswish(x).
func (*HardswishLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return Hardswish(x) }

// Name returns "hardswish".
func (*HardswishLayer) Name() string { return "hardswish" }

// Config returns an empty map: the activation has no parameters.
func (*HardswishLayer) Config() map[string]any { return map[string]any{} }

// LogSigmoidLayer is the layer form of LogSigmoid: y = log(1/(1 + e⁻ˣ)),
// computed stably. The output has the input's shape.
type LogSigmoidLayer struct{}

// Forward returns LogSigmoid(x).
func (*LogSigmoidLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return LogSigmoid(x) }

// Name returns "logsigmoid".
func (*LogSigmoidLayer) Name() string { return "logsigmoid" }

// Config returns an empty map: the activation has no parameters.
func (*LogSigmoidLayer) Config() map[string]any { return map[string]any{} }

// TanhshrinkLayer is the layer form of Tanhshrink: y = x − tanh(x). The
// output has the input's shape.
type TanhshrinkLayer struct{}

// Forward returns Tanhshrink(x).
func (*TanhshrinkLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return Tanhshrink(x) }

// Name returns "tanhshrink".
func (*TanhshrinkLayer) Name() string { return "tanhshrink" }

// Config returns an empty map: the activation has no parameters.
func (*TanhshrinkLayer) Config() map[string]any { return map[string]any{} }

// SoftshrinkLayer is the layer form of Softshrink: y = x − Lambd for
// x > Lambd, y = x + Lambd for x < −Lambd and 0 otherwise (PyTorch's
// default Lambd is 0.5; it must not be negative). The output has the
// input's shape.
type SoftshrinkLayer struct {
	Lambd float64 // PyTorch's lambd
}

// Forward returns Softshrink(x, l.Lambd).
func (l *SoftshrinkLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var {
	return Softshrink(x, l.Lambd)
}

// Name returns "softshrink".
func (l *SoftshrinkLayer) Name() string { return "softshrink" }

// Config returns lambd.
func (l *SoftshrinkLayer) Config() map[string]any { return map[string]any{"lambd": l.Lambd} }

// HardshrinkLayer is the layer form of Hardshrink: y = x for |x| > Lambd
// and 0 otherwise (PyTorch's default Lambd is 0.5; it must not be negative). The
// output has the input's shape.
type HardshrinkLayer struct {
	Lambd float64 // PyTorch's lambd
}

// Forward returns Hardshrink(x, l.Lambd).
func (l *HardshrinkLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var {
	return Hardshrink(x, l.Lambd)
}

// Name returns "hardshrink".
func (l *HardshrinkLayer) Name() string { return "hardshrink" }

// Config returns lambd.
func (l *HardshrinkLayer) Config() map[string]any { return map[string]any{"lambd": l.Lambd} }

// SoftmaxLayer is the layer form of Softmax: y = exp(x)/Σexp(x) along axis
// Dim (negative axes count from the end; the registry default is −1, the
// last axis). The output has the input's shape.
type SoftmaxLayer struct {
	Dim int // PyTorch's dim
}

// Forward returns Softmax(x, l.Dim).
func (l *SoftmaxLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var { return Softmax(x, l.Dim) }

// Name returns "softmax".
func (l *SoftmaxLayer) Name() string { return "softmax" }

// Config returns dim.
func (l *SoftmaxLayer) Config() map[string]any { return map[string]any{"dim": l.Dim} }

// LogSoftmaxLayer is the layer form of LogSoftmax: y = x − log Σexp(x) along
// axis Dim (negative axes count from the end; the registry default is −1,
// the last axis). The output has the input's shape.
type LogSoftmaxLayer struct {
	Dim int // PyTorch's dim
}

// Forward returns LogSoftmax(x, l.Dim).
func (l *LogSoftmaxLayer) Forward(x *autograd.Var, _ nn.Mode) *autograd.Var {
	return LogSoftmax(x, l.Dim)
}

// Name returns "log_softmax".
func (l *LogSoftmaxLayer) Name() string { return "log_softmax" }

// Config returns dim.
func (l *LogSoftmaxLayer) Config() map[string]any { return map[string]any{"dim": l.Dim} }
