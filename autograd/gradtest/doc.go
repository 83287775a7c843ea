// Package gradtest checks gradients computed by package autograd against
// central finite differences, like torch.autograd.gradcheck. It works for
// any function built from Vars: bigfunc's own operations or a user's.
package gradtest
