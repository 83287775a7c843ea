// Package loss provides the training objectives of PyTorch 1.13 — mean
// squared error, L1, Huber, smooth L1, binary cross-entropy (on
// probabilities and on logits), cross-entropy and negative log-likelihood —
// with PyTorch's definitions, defaults and edge conventions, so that values
// and gradients agree with torch.nn.functional to float32 precision.
//
// Each loss is a single fused autograd operation: the value and the
// gradient with respect to the prediction are derived together, element by
// element in float64, and rounded once to float32. That keeps the
// numerically delicate cases accurate where a chain of primitive operations
// would overflow or cancel: logits of ±1e4 give finite cross-entropies and
// binary cross-entropies with logits, and their gradients are the familiar
// softmax − target and sigmoid − target.
//
// Targets are data, not parameters: no gradient flows to them, as with
// PyTorch's targets that do not require grad.
//
// A Reduction chooses between the batch mean (the default, as in PyTorch),
// the sum, and the unreduced per-element or per-sample losses.
//
// New builds a loss by name with PyTorch's keyword arguments, for model
// specifications read from JSON or YAML:
//
//	l, err := loss.New("huber", map[string]any{"delta": 0.5, "reduction": "sum"})
//
// Two objectives need more than a prediction and a target, and have
// functions of their own: GAN (standard and hinge), the losses of a
// generator and a discriminator from the discriminator's scores, and
// NTXent, SimCLR's contrastive loss over two views of each sample, whose
// gradient is fused too. Both are checked against PyTorch.
//
// Misuse that is a programming error panics: a target whose shape differs
// from the prediction's panics with a *tensor.ShapeError naming the loss and
// both shapes, and a class index outside [0, C) panics with an error that
// names the offending sample. Labels read from user data should be
// validated before they reach this package.
package loss
