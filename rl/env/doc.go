// Package env holds Gymnasium's classic-control environments in pure Go:
// CartPole-v1, Acrobot-v1, MountainCar-v0 and Pendulum-v1, with
// Gymnasium's dynamics, dtypes (float64 state, float32 observations),
// rewards, termination and time limits (500, 500, 200 and 200 steps).
//
// The dynamics are transcribed from Gymnasium's sources operation by
// operation, in Python's evaluation order, with every product rounded
// explicitly so that no architecture fuses it into an FMA, and with
// correctly rounded sin and cos (Sin, Cos). testdata/replay.json holds
// trajectories recorded from Gymnasium's own code (gen_fixtures.py says
// how), which Replay reproduces bit for bit.
//
// Only the random initial states differ from Gymnasium's: they are drawn
// from the same distributions with bigfunc's tensor.RNG, so that a seed
// gives the same episodes on every platform. Vec steps several copies
// together with the time limit and automatic reset.
package env
