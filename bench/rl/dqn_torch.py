"""DQN on CartPole-v1 in PyTorch 1.13: the speed reference for bigfunc's
rl/dqn.

The algorithm and hyperparameters of CleanRL's dqn.py (one environment, a
replay buffer of 10,000, a batch of 128 every 10 steps after 10,000, the
target network copied every 500 steps, ε from 1 to 0.05 over half the
steps, γ 0.99, the mean squared TD error, Adam lr 2.5e-4, a 120-84 ReLU
network with PyTorch's default initialisation), on the NumPy CartPole of
cartpole_np.py. It prints the steps per second of the whole loop and the
step, wall-clock and CPU seconds at which the mean return of the last 20
episodes first reached 475; --stop stops there.

Usage: /usr/bin/python3 dqn_torch.py [--seed 1] [--total-steps 500000] [--threads 1] [--stop]
"""

import argparse
import random

import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import blas_threads  # before numpy and torch load: see bench/blas_threads.py
blas_threads.bound("1")
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from cartpole_np import Clock, VecCartPole


class QNetwork(nn.Module):
    def __init__(self, obs, acts):
        super().__init__()
        self.network = nn.Sequential(nn.Linear(obs, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, acts))

    def forward(self, x):
        return self.network(x)


def linear_schedule(start_e, end_e, duration, t):
    slope = (end_e - start_e) / duration
    return max(slope * t + start_e, end_e)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--total-steps", type=int, default=500000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--stop", action="store_true", help="stop when the mean of 20 episodes first reaches 475")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    np.random.seed(a.seed)
    buffer_size, gamma, target_freq, batch_size = 10000, 0.99, 500, 128
    start_e, end_e, fraction, learning_starts, train_freq, lr = 1.0, 0.05, 0.5, 10000, 10, 2.5e-4

    envs = VecCartPole(1, a.seed)
    q = QNetwork(envs.obs_size, envs.n_actions)
    optimizer = torch.optim.Adam(q.parameters(), lr=lr)
    target = QNetwork(envs.obs_size, envs.n_actions)
    target.load_state_dict(q.state_dict())
    # The replay buffer, as Stable-Baselines3's ReplayBuffer stores it.
    b_obs = np.zeros((buffer_size, envs.obs_size), dtype=np.float32)
    b_next = np.zeros((buffer_size, envs.obs_size), dtype=np.float32)
    b_act = np.zeros(buffer_size, dtype=np.int64)
    b_rew = np.zeros(buffer_size, dtype=np.float32)
    b_done = np.zeros(buffer_size, dtype=np.float32)
    pos, full = 0, False

    clock = Clock()
    obs = envs.obs()
    for global_step in range(a.total_steps):
        epsilon = linear_schedule(start_e, end_e, fraction * a.total_steps, global_step)
        if random.random() < epsilon:
            actions = np.array([random.randrange(envs.n_actions)])
        else:
            q_values = q(torch.tensor(obs))
            actions = torch.argmax(q_values, dim=1).numpy()
        next_obs, rewards, term, trunc, final_obs, finished = envs.step(actions)
        if clock.episodes(global_step + 1, finished) and a.stop:
            break
        real_next = np.where((term | trunc)[:, None], final_obs, next_obs)
        b_obs[pos], b_next[pos], b_act[pos], b_rew[pos], b_done[pos] = obs[0], real_next[0], actions[0], rewards[0], term[0]
        pos = (pos + 1) % buffer_size
        full = full or pos == 0
        obs = next_obs
        if global_step > learning_starts and global_step % train_freq == 0:
            idx = np.random.randint(0, buffer_size if full else pos, size=batch_size)
            o, nx = torch.tensor(b_obs[idx]), torch.tensor(b_next[idx])
            act, rew, done = torch.tensor(b_act[idx]), torch.tensor(b_rew[idx]), torch.tensor(b_done[idx])
            with torch.no_grad():
                target_max, _ = target(nx).max(dim=1)
                td_target = rew + gamma * target_max * (1 - done)
            old_val = q(o).gather(1, act[:, None]).squeeze()
            loss = F.mse_loss(td_target, old_val)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if global_step % target_freq == 0:
            target.load_state_dict(q.state_dict())
    clock.report(f"dqn (PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s)) on CartPole-v1, seed {a.seed}", global_step + 1)


if __name__ == "__main__":
    main()
