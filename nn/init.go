package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/tensor"
)

// FanMode selects which fan Kaiming initialisation preserves: FanIn keeps
// the variance of activations in the forward pass, FanOut that of gradients
// in the backward pass.
type FanMode int

// The fan modes of torch.nn.init.kaiming_*.
const (
	FanIn FanMode = iota
	FanOut
)

// Fans returns the fan-in and fan-out of a weight tensor as PyTorch counts
// them: for [out, in, k…] fan-in is in·k… and fan-out is out·k…. It panics
// on a tensor with fewer than two dimensions.
func Fans(t *tensor.Tensor) (fanIn, fanOut int) {
	s := t.Shape()
	if len(s) < 2 {
		panic(&tensor.ShapeError{Op: "Fans", Detail: "want at least 2 dimensions, got", Shapes: [][]int{s}})
	}
	field := 1
	for _, d := range s[2:] {
		field *= d
	}
	return s[1] * field, s[0] * field
}

// Gain returns the recommended gain for a nonlinearity, as
// torch.nn.init.calculate_gain: 1 for linear, identity and sigmoid, 5/3 for
// tanh, √2 for relu, √(2/(1+a²)) for leaky_relu with slope a, 3/4 for selu.
// It panics on an unknown name.
func Gain(nonlinearity string, param float64) float64 {
	switch nonlinearity {
	case "linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d":
		return 1
	case "tanh":
		return 5.0 / 3
	case "relu":
		return math.Sqrt2
	case "leaky_relu":
		return math.Sqrt(2 / (1 + param*param))
	case "selu":
		return 3.0 / 4
	}
	panic(fmt.Sprintf("nn: Gain: unknown nonlinearity %q", nonlinearity))
}

// Zeros fills t with 0.
func Zeros(t *tensor.Tensor) { t.Fill(0) }

// Ones fills t with 1.
func Ones(t *tensor.Tensor) { t.Fill(1) }

// Constant fills t with v.
func Constant(t *tensor.Tensor, v float64) { t.Fill(float32(v)) }

// Uniform fills t from U(lo, hi).
func Uniform(t *tensor.Tensor, rng *tensor.RNG, lo, hi float64) {
	d := t.Data()
	for i := range d {
		d[i] = float32(rng.Uniform(lo, hi))
	}
}

// Normal fills t from N(mean, std²).
func Normal(t *tensor.Tensor, rng *tensor.RNG, mean, std float64) {
	d := t.Data()
	for i := range d {
		d[i] = float32(mean + float64(std*rng.Normal()))
	}
}

// XavierUniform (Glorot) fills t from U(±gain·√(6/(fan_in+fan_out))).
func XavierUniform(t *tensor.Tensor, rng *tensor.RNG, gain float64) {
	in, out := Fans(t)
	b := gain * math.Sqrt(6/float64(in+out))
	Uniform(t, rng, -b, b)
}

// XavierNormal (Glorot) fills t from N(0, gain²·2/(fan_in+fan_out)).
func XavierNormal(t *tensor.Tensor, rng *tensor.RNG, gain float64) {
	in, out := Fans(t)
	Normal(t, rng, 0, gain*math.Sqrt(2/float64(in+out)))
}

// KaimingUniform (He) fills t from U(±√3·gain/√fan), with gain =
// Gain(nonlinearity, a) and fan chosen by mode.
func KaimingUniform(t *tensor.Tensor, rng *tensor.RNG, a float64, mode FanMode, nonlinearity string) {
	b := math.Sqrt(3) * kaimingStd(t, a, mode, nonlinearity)
	Uniform(t, rng, -b, b)
}

// KaimingNormal (He) fills t from N(0, (gain/√fan)²).
func KaimingNormal(t *tensor.Tensor, rng *tensor.RNG, a float64, mode FanMode, nonlinearity string) {
	Normal(t, rng, 0, kaimingStd(t, a, mode, nonlinearity))
}

func kaimingStd(t *tensor.Tensor, a float64, mode FanMode, nonlinearity string) float64 {
	in, out := Fans(t)
	fan := in
	if mode == FanOut {
		fan = out
	}
	return Gain(nonlinearity, a) / math.Sqrt(float64(fan))
}
