// Package dqn is deep Q-learning (Mnih et al., 2015) as CleanRL's dqn.py
// does it: ε-greedy exploration with ε falling linearly from start_e to
// end_e over exploration_fraction of the steps, a replay buffer of
// buffer_size transitions, a gradient step on a batch every
// train_frequency steps after learning_starts, and a target network
// updated every target_network_frequency steps (softly with tau < 1).
//
// The TD target is r + γ·max_a Q_target(s′, a)·(1 − terminated); with
// double_dqn the online network chooses the action and the target network
// values it (van Hasselt et al., 2016). Truncated episodes bootstrap from
// their final observation. The loss is the mean squared TD error, as
// CleanRL's, or Huber's with loss: huber.
package dqn
