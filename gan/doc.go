// Package gan trains generative adversarial networks: a generator that
// turns random latent vectors into samples, and a discriminator that
// scores samples as real or generated, each with its own optimizer,
// trained in turn against each other.
//
// The five elements are rearranged rather than replaced. Input is the real
// data (and the latent noise); there is no output column, since what the
// generator makes is judged by the discriminator; there are two
// architectures and two optimizers; and the loss (loss.GAN) pits one
// network against the other.
//
// A Trainer runs the loop in steps, as train.Trainer does: each Advance
// makes DSteps discriminator updates, each on the next batch of real data,
// then GSteps generator updates on fresh latent batches of the same size.
// Epochs are passes over the real data, and the loop keeps train's
// conventions: a NaN guard that stops with the last good checkpoint named,
// checkpoints that resume bit for bit, one line (or a progress bar) per
// epoch, and an OnStep hook.
//
// Modes are explicit. Both networks run in training mode, nn.Train with the
// trainer's generator of randomness, while they are trained (the
// discriminator also while it judges the generator's samples in the
// generator's update, as PyTorch's loops leave it); a trained Generator
// samples in evaluation mode, nn.Eval.
//
// A spec names the two networks and the objective:
//
//	input: {synthetic: {name: ring8, size: 10000, seed: 1}}
//	generator:
//	  architecture: [{linear: 128}, relu, {linear: 128}, relu, {linear: 2}]
//	  optimizer: {name: adam, lr: 0.001, betas: [0.5, 0.999]}
//	discriminator:
//	  architecture: [{linear: 128}, relu, {linear: 128}, relu, {linear: 1}]
//	  optimizer: {name: adam, lr: 0.001, betas: [0.5, 0.999]}
//	gan: {loss: standard, latent: 2, distribution: normal, d_steps: 1, g_steps: 1}
//	train: {epochs: 100, batch_size: 200, seed: 1}
//
// Run trains it and saves the generator, which `bigfunc sample` draws from.
package gan
