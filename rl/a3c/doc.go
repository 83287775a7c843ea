// Package a3c is asynchronous advantage actor-critic (Mnih et al., 2016):
// num_workers goroutines, each with its own environments and its own copy
// of the networks, collect num_steps steps, compute the actor-critic loss
// of package a2c on their copy, and then, holding the shared model's lock,
// add their gradients to the shared parameters, take one optimizer step
// and copy the updated parameters back. Only that short critical section
// is serialised; rollouts and backward passes run in parallel.
//
// The interleaving of workers depends on scheduling, so unlike A2C a run
// is not reproducible bit for bit.
package a3c
