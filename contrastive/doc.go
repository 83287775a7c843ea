// Package contrastive learns representations without labels, SimCLR's
// way: every image of a batch is augmented twice, at random, and a network
// (an encoder followed by a small projection head) is trained so that the
// two views of the same image land close together and views of different
// images apart, by the NT-Xent loss (loss.NTXent) at a temperature.
//
// The five elements are rearranged: the input is two views of each image
// (data.Augment drawn twice); there is no output column, since the
// "answer" is a representation; the architecture is one network whose
// first layers are kept as the encoder; the loss needs no labels at all;
// the optimizer is any of package optim's. After training, the projection
// head is dropped and the encoder's output judged by a linear probe: a
// linear classifier trained on the frozen features (LinearProbe).
//
// A Trainer runs the loop in steps, as train.Trainer does, with its
// conventions: a NaN guard, checkpoints that resume bit for bit (through
// train's shared checkpoint helpers), a line per epoch and an OnStep hook.
// A spec says it so:
//
//	input:
//	  mnist: {}
//	  augment: {crop_scale: [0.4, 1], rotation: 10, noise: 0.1}
//	architecture: [...encoder..., ...projection head...]
//	simclr: {temperature: 0.5, encoder: 8}
//	optimizer: {name: adam, lr: 0.001}
//	train: {epochs: 2, batch_size: 256, seed: 1}
package contrastive
