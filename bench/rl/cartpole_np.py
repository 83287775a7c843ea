"""CartPole-v1 in NumPy, N copies stepped together.

Gymnasium's cartpole.py dynamics (explicit Euler, tau 0.02, the same
constants, termination at |x| > 2.4 or |theta| > 12 degrees, truncation at
500 steps), vectorised over the copies, with automatic reset and the
episode statistics of Gymnasium's RecordEpisodeStatistics. It is what
CleanRL's SyncVectorEnv of CartPole-v1 gives its agent, without the
per-copy Python loop, so the PyTorch reference pays as little as possible
for its environment.
"""

import numpy as np

GRAVITY, MASSCART, MASSPOLE, LENGTH, FORCE_MAG, TAU = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
TOTAL_MASS = MASSPOLE + MASSCART
POLEMASS_LENGTH = MASSPOLE * LENGTH
THETA_THRESHOLD = 12 * 2 * np.pi / 360
X_THRESHOLD = 2.4
MAX_STEPS = 500


class VecCartPole:
    """n copies of CartPole-v1; step returns float32 observations [n, 4],
    rewards, terminated and truncated flags, the next observations (reset
    where an episode ended), and the returns of the episodes that ended."""

    obs_size, n_actions = 4, 2

    def __init__(self, n, seed):
        self.n = n
        self.rng = np.random.default_rng(seed)
        self.state = self.rng.uniform(-0.05, 0.05, size=(n, 4))
        self.steps = np.zeros(n, dtype=np.int64)
        self.ret = np.zeros(n)

    def obs(self):
        return self.state.astype(np.float32)

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state.T
        force = np.where(action == 1, FORCE_MAG, -FORCE_MAG)
        costheta, sintheta = np.cos(theta), np.sin(theta)
        temp = (force + POLEMASS_LENGTH * theta_dot**2 * sintheta) / TOTAL_MASS
        thetaacc = (GRAVITY * sintheta - costheta * temp) / (
            LENGTH * (4.0 / 3.0 - MASSPOLE * costheta**2 / TOTAL_MASS))
        xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS
        x = x + TAU * x_dot
        x_dot = x_dot + TAU * xacc
        theta = theta + TAU * theta_dot
        theta_dot = theta_dot + TAU * thetaacc
        self.state = np.stack([x, x_dot, theta, theta_dot], axis=1)
        terminated = (x < -X_THRESHOLD) | (x > X_THRESHOLD) | (theta < -THETA_THRESHOLD) | (theta > THETA_THRESHOLD)
        self.steps += 1
        self.ret += 1.0
        truncated = self.steps >= MAX_STEPS
        done = terminated | truncated
        final_obs = self.obs()
        finished = self.ret[done].tolist()
        if done.any():
            k = int(done.sum())
            self.state[done] = self.rng.uniform(-0.05, 0.05, size=(k, 4))
            self.steps[done] = 0
            self.ret[done] = 0
        return self.obs(), np.ones(self.n, dtype=np.float32), terminated, truncated, final_obs, finished


class Clock:
    """Steps, wall-clock and process CPU time since the start, and the
    first time the mean return of the last 20 episodes reached 475."""

    def __init__(self, threshold=475.0):
        import time
        self.time = time
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        self.returns, self.solved, self.threshold = [], None, threshold

    def episodes(self, step, finished):
        self.returns.extend(finished)
        if self.solved is None and finished and len(self.returns) >= 20 and np.mean(self.returns[-20:]) >= self.threshold:
            self.solved = (step, self.time.perf_counter() - self.t0, self.time.process_time() - self.c0)
        return self.solved is not None

    def report(self, name, step):
        wall = self.time.perf_counter() - self.t0
        cpu = self.time.process_time() - self.c0
        print(f"{name}: {step} steps in {wall:.1f} s ({cpu:.1f} s CPU, {step / wall:.0f} steps/s), "
              f"{len(self.returns)} episodes, last 20 return {np.mean(self.returns[-20:]):.1f}")
        if self.solved:
            s, w, c = self.solved
            print(f"first mean of 20 ≥ {self.threshold:g} at step {s}, after {w:.1f} s ({c:.1f} s CPU)")
        else:
            print(f"not solved: the mean of 20 never reached {self.threshold:g}")
