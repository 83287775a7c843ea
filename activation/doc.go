// Package activation provides the nonlinearities placed between layers,
// with PyTorch 1.13's definitions, defaults and gradients.
//
// Each activation comes in three forms:
//
//   - a function on Vars, such as ReLU(x) or LeakyReLU(x, 0.01), that
//     records its gradient for autograd;
//   - a layer type implementing nn.Layer, such as LeakyReLULayer, and for
//     the activations that need state the types PReLU (a learnable slope,
//     listed as the parameter "weight"), RReLU (random slopes in training)
//     and Maxout;
//   - a registry entry, through which New builds the layer a model spec
//     names from PyTorch's name and parameter keys, as in
//     New("leaky_relu", params, rng) with params {"negative_slope": 0.2};
//     Names lists the names.
//
// The layer structs hold their parameters in exported fields whose zero
// values are not always PyTorch's defaults (LeakyReLULayer{} has slope 0,
// not 0.01): New fills in the defaults, and a layer's Config reports every
// parameter so that New(l.Name(), l.Config(), rng) rebuilds it.
//
// # Gradients at kinks
//
// Where an activation is not differentiable, the gradient is the one
// PyTorch's kernels produce, which is fixed by whether each comparison is
// strict:
//
//   - ReLU'(0) = 0, because PyTorch passes the gradient only where x > 0.
//     LeakyReLU, PReLU and RReLU use the same test, so at 0 their gradient
//     is the negative slope.
//   - ELU, CELU and SELU take the exponential branch for x ≤ 0, so at 0
//     the gradient is alpha (ELU), 1 (CELU) and scale·α (SELU).
//   - Hardtanh, ReLU6 and Hardsigmoid pass the gradient only strictly
//     inside their linear range: it is 0 at the bounds (ReLU6 at 0 and 6,
//     Hardsigmoid at ±3).
//   - Hardswish has gradient 0 for x < −3, x/3 + ½ for −3 ≤ x < 3 and 1
//     from 3 on, so −½ at −3 and 1 at 3, as PyTorch's vectorised CPU
//     kernel computes it.
//   - Softshrink and Hardshrink have gradient 0 for −λ ≤ x ≤ λ, bounds
//     included.
//   - Softplus returns x itself, with gradient 1, where beta·x exceeds
//     threshold.
//   - Maxout sends each output's gradient to the first maximal input of
//     its group.
//
// # Precision
//
// Each element is computed in float64 and rounded once to float32, with
// formulas chosen to stay accurate and finite in the tails: inputs of ±100
// or logits of 1e4 give finite values and gradients wherever PyTorch's do.
// Softplus, Mish and LogSigmoid never form e^x for large x, GELU uses erfc
// and a sigmoid form of its tanh approximation where 1 + erf and
// 1 + tanh would cancel, and Softmax subtracts the maximum first.
//
// One gradient is instead computed the way PyTorch computes it: that of
// GELU's tanh form, which PyTorch evaluates in float32. For x below about
// −4 its value there is dominated by rounding, and reproducing the float32
// steps is the only way to agree with PyTorch to within 1e-6.
package activation
