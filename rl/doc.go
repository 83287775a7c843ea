// Package rl is reinforcement learning with bigfunc's five elements: the
// input is an observation of an environment (package rl/env), the output
// an action, decoded by argmax or by sampling, the architecture a policy
// and a value network, the loss the TD error or PPO's clipped objective,
// and the optimizer Adam.
//
// This package holds what the agents share: the spec file (Spec), the
// networks and their PyTorch names (Model, NewNet, Orthogonal), action
// distributions (Categorical, Gaussian), generalised advantage estimation
// (GAE), evaluation and rendering. The agents are packages of their own:
// rl/dqn, rl/ppo, rl/a2c and rl/a3c.
package rl
