// Package optim trains parameters: the optimizers SGD, Adam, AdamW, RMSprop
// and Adagrad, learning-rate schedules, ReduceLROnPlateau and gradient
// clipping, all with the semantics and numerics of PyTorch 1.13.
//
// # Optimizers
//
// An Optimizer holds a list of parameters (autograd.Param leaves). After a
// backward pass, Step updates every parameter whose Grad is set and leaves
// the others, and their state, alone; ZeroGrad clears the gradients before
// the next pass:
//
//	opt, err := optim.NewAdam(params, optim.DefaultAdamConfig())
//	...
//	for batch := range batches {
//		opt.ZeroGrad()
//		loss(batch).Backward()
//		opt.Step()
//	}
//
// Each optimizer has a config struct with PyTorch's hyperparameters. Go's
// zero values are not PyTorch's defaults, so start from DefaultAdamConfig,
// DefaultAdamWConfig, DefaultRMSpropConfig or DefaultAdagradConfig and
// change what differs; SGDConfig is the exception, its zero value being
// PyTorch's default apart from the required learning rate. Model
// specifications name the optimizer and its hyperparameters instead: New
// builds one from a name and a map keyed by PyTorch's argument names.
// Invalid hyperparameters are rejected at construction with an error
// wrapping ErrConfig, so that a bad value never shows up later as NaN.
//
// Updates follow PyTorch's single-tensor ("for-loop") implementations
// operation by operation: float32 arithmetic on the parameter, gradient and
// state, with Python-side scalars (bias corrections, decayed learning
// rates) computed in float64 and rounded to float32 where PyTorch applies
// them to a tensor, and fused multiply-adds where PyTorch's CPU kernels use
// them. The reference trajectories are therefore reproduced bit for bit,
// not merely to a tolerance, and results are identical from run to run.
//
// # Checkpoints
//
// State exports the per-parameter buffers and step counts under PyTorch's
// state names, prefixed with the parameter's index ("0.exp_avg", "0.step");
// LoadState restores them into a fresh optimizer of the same configuration,
// after which training continues exactly as if it had not stopped. The
// learning rate is not part of the state: schedules give it from the step
// number, and ReduceLROnPlateau has State and SetState of its own.
//
// # Learning rates
//
// A Schedule gives the learning rate of step t from a base rate: StepLR,
// ExponentialLR, CosineAnnealingLR and LinearLR (a linear warm-up), with the
// values of PyTorch's lr_scheduler classes; NewSchedule builds one by name.
// ReduceLROnPlateau instead reacts to a validation metric and sets the
// optimizer's rate itself.
//
// # Gradient clipping
//
// ClipGradNorm and ClipGradValue act on the gradients between the backward
// pass and Step, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_.
package optim
