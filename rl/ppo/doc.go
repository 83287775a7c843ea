// Package ppo is proximal policy optimisation (Schulman et al., 2017) as
// CleanRL's ppo.py and ppo_continuous_action.py do it: rollouts of
// num_steps over num_envs vectorised environments, advantages by GAE(λ),
// then update_epochs passes of minibatch gradient steps on
//
//	loss = clipped surrogate − ent_coef·entropy + vf_coef·value loss
//
// with advantage normalisation per minibatch, value clipping, gradient
// clipping by global norm, and a learning rate annealed linearly to zero.
// Policies are categorical (discrete actions) or diagonal Gaussian with
// state-independent log standard deviations (continuous actions).
package ppo
