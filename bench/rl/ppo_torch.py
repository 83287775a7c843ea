"""PPO on CartPole-v1 in PyTorch 1.13: the speed reference for bigfunc's
rl/ppo.

The algorithm and hyperparameters of CleanRL's ppo.py (4 environments of
128 steps, GAE λ 0.95, γ 0.99, 4 epochs of 4 minibatches, clip 0.2 with
value clipping, entropy 0.01, value 0.5, gradient norm 0.5, Adam lr 2.5e-4
eps 1e-5 annealed to 0, orthogonal initialisation, two tanh layers of 64
for the actor and the critic), on the NumPy CartPole of cartpole_np.py. It
prints the steps per second of the whole loop and the step, wall-clock and
CPU seconds at which the mean return of the last 20 episodes first
reached 475; --stop stops there.

Usage: /usr/bin/python3 ppo_torch.py [--seed 1] [--total-steps 500000] [--threads 1] [--stop] [--json wall|cpu]
"""

import argparse

import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import blas_threads  # before numpy and torch load: see bench/blas_threads.py
blas_threads.bound("1")
import numpy as np
import torch
import torch.nn as nn
from torch.distributions.categorical import Categorical

from cartpole_np import Clock, VecCartPole


def layer_init(layer, std=np.sqrt(2), bias_const=0.0):
    torch.nn.init.orthogonal_(layer.weight, std)
    torch.nn.init.constant_(layer.bias, bias_const)
    return layer


class Agent(nn.Module):
    def __init__(self, obs, acts):
        super().__init__()
        self.critic = nn.Sequential(layer_init(nn.Linear(obs, 64)), nn.Tanh(), layer_init(nn.Linear(64, 64)), nn.Tanh(),
                                    layer_init(nn.Linear(64, 1), std=1.0))
        self.actor = nn.Sequential(layer_init(nn.Linear(obs, 64)), nn.Tanh(), layer_init(nn.Linear(64, 64)), nn.Tanh(),
                                   layer_init(nn.Linear(64, acts), std=0.01))

    def get_value(self, x):
        return self.critic(x)

    def get_action_and_value(self, x, action=None):
        logits = self.actor(x)
        probs = Categorical(logits=logits)
        if action is None:
            action = probs.sample()
        return action, probs.log_prob(action), probs.entropy(), self.critic(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--total-steps", type=int, default=500000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--stop", action="store_true", help="stop when the mean of 20 episodes first reaches 475")
    ap.add_argument("--json", choices=["wall", "cpu"], help="print only bench/compare's result line: seconds to solve")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    num_envs, num_steps, num_minibatches, update_epochs = 4, 128, 4, 4
    gamma, gae_lambda, clip_coef, ent_coef, vf_coef, max_grad_norm, lr = 0.99, 0.95, 0.2, 0.01, 0.5, 0.5, 2.5e-4
    batch_size = num_envs * num_steps
    minibatch_size = batch_size // num_minibatches
    num_updates = a.total_steps // batch_size

    envs = VecCartPole(num_envs, a.seed)
    agent = Agent(envs.obs_size, envs.n_actions)
    optimizer = torch.optim.Adam(agent.parameters(), lr=lr, eps=1e-5)
    obs = torch.zeros((num_steps, num_envs, envs.obs_size))
    actions = torch.zeros((num_steps, num_envs))
    logprobs = torch.zeros((num_steps, num_envs))
    rewards = torch.zeros((num_steps, num_envs))
    dones = torch.zeros((num_steps, num_envs))
    values = torch.zeros((num_steps, num_envs))

    clock = Clock()
    global_step = 0
    next_obs = torch.tensor(envs.obs())
    next_done = torch.zeros(num_envs)
    for update in range(1, num_updates + 1):
        optimizer.param_groups[0]["lr"] = (1.0 - (update - 1.0) / num_updates) * lr
        for step in range(num_steps):
            global_step += num_envs
            obs[step] = next_obs
            dones[step] = next_done
            with torch.no_grad():
                action, logprob, _, value = agent.get_action_and_value(next_obs)
                values[step] = value.flatten()
            actions[step] = action
            logprobs[step] = logprob
            o, r, term, trunc, _, finished = envs.step(action.numpy())
            rewards[step] = torch.tensor(r)
            next_obs, next_done = torch.tensor(o), torch.tensor((term | trunc).astype(np.float32))
            clock.episodes(global_step, finished)
        if a.stop and clock.solved:
            break

        with torch.no_grad():
            next_value = agent.get_value(next_obs).reshape(1, -1)
            advantages = torch.zeros_like(rewards)
            lastgaelam = 0
            for t in reversed(range(num_steps)):
                if t == num_steps - 1:
                    nextnonterminal = 1.0 - next_done
                    nextvalues = next_value
                else:
                    nextnonterminal = 1.0 - dones[t + 1]
                    nextvalues = values[t + 1]
                delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t]
                advantages[t] = lastgaelam = delta + gamma * gae_lambda * nextnonterminal * lastgaelam
            returns = advantages + values

        b_obs = obs.reshape((-1, envs.obs_size))
        b_logprobs = logprobs.reshape(-1)
        b_actions = actions.reshape(-1)
        b_advantages = advantages.reshape(-1)
        b_returns = returns.reshape(-1)
        b_values = values.reshape(-1)
        b_inds = np.arange(batch_size)
        for epoch in range(update_epochs):
            np.random.shuffle(b_inds)
            for start in range(0, batch_size, minibatch_size):
                mb = b_inds[start:start + minibatch_size]
                _, newlogprob, entropy, newvalue = agent.get_action_and_value(b_obs[mb], b_actions.long()[mb])
                logratio = newlogprob - b_logprobs[mb]
                ratio = logratio.exp()
                mb_adv = b_advantages[mb]
                mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)
                pg_loss = torch.max(-mb_adv * ratio, -mb_adv * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)).mean()
                newvalue = newvalue.view(-1)
                v_unclipped = (newvalue - b_returns[mb]) ** 2
                v_clipped = b_values[mb] + torch.clamp(newvalue - b_values[mb], -clip_coef, clip_coef)
                v_loss = 0.5 * torch.max(v_unclipped, (v_clipped - b_returns[mb]) ** 2).mean()
                loss = pg_loss - ent_coef * entropy.mean() + v_loss * vf_coef
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), max_grad_norm)
                optimizer.step()
    if a.json:
        import json
        # null when unsolved: JSON has no NaN, and compare skips the ratio.
        step, wall, cpu = clock.solved or (global_step, None, None)
        print(json.dumps({"name": "solve_cartpole_ppo_1t" if a.threads == 1 else f"solve_cartpole_ppo_{a.threads}t",
                          "lib": "pytorch", "value": wall if a.json == "wall" else cpu, "unit": "s",
                          "note": f"seed {a.seed}, solved at step {step}" if clock.solved else "not solved"}))
        return
    clock.report(f"ppo (PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s)) on CartPole-v1, seed {a.seed}", global_step)


if __name__ == "__main__":
    main()
