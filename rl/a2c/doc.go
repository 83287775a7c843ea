// Package a2c is the synchronous advantage actor-critic (the synchronous,
// deterministic form of Mnih et al.'s A3C, as in Stable-Baselines3): every
// num_steps steps of num_envs environments it takes one gradient step on
//
//	loss = −mean(A·log π(a|s)) − ent_coef·entropy + vf_coef·mean((R − V(s))²)
//
// with advantages A and returns R by GAE(λ) (λ = 1: n-step returns).
// Everything is drawn from the spec's seed, so a run is reproducible bit
// for bit. Package a3c runs the same loss in asynchronous workers.
package a2c
