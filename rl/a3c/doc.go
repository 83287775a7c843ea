// Package a3c is asynchronous advantage actor-critic (Mnih et al., 2016):
// num_workers goroutines, each with its own environments and its own copy
// of the networks, collect num_steps steps, compute the actor-critic loss
// of package a2c on their copy and clip its gradients, and then, holding
// the shared model's lock, hand the gradients to the shared optimizer,
// take one step and copy the updated parameters back. Only that short
// critical section is serialised; rollouts, backward passes and clipping
// run in parallel (two workers on two idle cores run 1.9 times as many
// steps per second as one).
//
// The interleaving of workers depends on scheduling, so unlike A2C a run
// is not reproducible bit for bit.
package a3c
