#!/usr/bin/python3
"""Times PyTorch 1.13 on the nanoGPT CPU configuration that bigfunc's
BenchmarkGPTStep runs (4 causal pre-norm encoder layers, 4 heads, width
128, feed-forward 512, gelu, context 64, batch 12, 65 tokens): training
tokens per second for a forward and backward pass, generation tokens per
second at batch 1 recomputing the whole context for every token, the same
with a key/value cache of PyTorch tensors written out below (1.13's
nn.TransformerEncoderLayer has none of its own), and the peak resident
set size of the process.

    /usr/bin/python3 bench/gpt/torch_gpt.py [--threads N] [--steps N]
"""
import argparse, resource, time
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import blas_threads  # before numpy and torch load: see bench/blas_threads.py
blas_threads.bound("1")
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--steps", type=int, default=20)
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
T, V, E, N = 64, 65, 128, 12


class Positional(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(T, E))

    def forward(self, x):
        return x + self.weight[: x.shape[1]]


class Causal(nn.TransformerEncoderLayer):
    def forward(self, x):
        t = x.shape[1]
        return super().forward(x, src_mask=torch.triu(torch.full((t, t), float("-inf")), diagonal=1))


model = nn.Sequential(nn.Embedding(V, E), Positional(),
                      *[Causal(E, 4, 4 * E, 0.0, activation="gelu", batch_first=True, norm_first=True) for _ in range(4)],
                      nn.Linear(E, V))
x = torch.randint(0, V, (N, T))
dy = torch.randn(N, T, V)
for _ in range(3):
    (model(x) * dy).sum().backward()
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(args.steps):
    (model(x) * dy).sum().backward()
dt, dc = time.perf_counter() - t0, time.process_time() - c0
# On a shared machine the CPU time is the steadier measure.
print(f"torch threads={args.threads} train tokens/s {args.steps * N * T / dt:.0f}, per CPU-second {args.steps * N * T / dc:.0f}")

model.eval()
with torch.no_grad():
    ctx = torch.randint(0, V, (1, 1))
    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    while ctx.shape[1] < T:
        logits = model(ctx)[:, -1]
        ctx = torch.cat([ctx, logits.argmax(-1, keepdim=True)], 1)
        n += 1
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
print(f"torch threads={args.threads} generate tokens/s {n / dt:.1f}, per CPU-second {n / dc:.1f} (recomputing the context, T up to {T})")

import torch.nn.functional as F


def cached_generate(model, first, steps):
    """Greedy decoding with a per-layer key/value cache: each step runs the
    new token alone through every layer, attending to the cached keys."""
    emb, pos, layers, head = model[0], model[1], model[2:-1], model[-1]
    H = layers[0].self_attn.num_heads
    dh = E // H
    ks = [[] for _ in layers]
    vs = [[] for _ in layers]
    tok, out = first, []
    for t in range(steps):
        h = emb(tok) + pos.weight[t]  # [1, E]
        for li, l in enumerate(layers):
            a = l.norm1(h)
            q, k, v = F.linear(a, l.self_attn.in_proj_weight, l.self_attn.in_proj_bias).split(E, dim=-1)
            ks[li].append(k.view(H, 1, dh))
            vs[li].append(v.view(H, 1, dh))
            K, Vv = torch.cat(ks[li], 1), torch.cat(vs[li], 1)  # [H, t+1, dh]
            w = torch.softmax(q.view(H, 1, dh) @ K.transpose(1, 2) / dh ** 0.5, -1)
            h = h + l.self_attn.out_proj((w @ Vv).reshape(1, E))
            h = h + l.linear2(F.gelu(l.linear1(l.norm2(h))))
        tok = head(h).argmax(-1)
        out.append(tok)
    return out


with torch.no_grad():
    t0, c0 = time.perf_counter(), time.process_time()
    reps = 5
    for _ in range(reps):
        cached_generate(model, torch.zeros(1, dtype=torch.long), T)
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
print(f"torch threads={args.threads} generate tokens/s {reps * T / dt:.1f}, per CPU-second {reps * T / dc:.1f} (own key/value cache, T up to {T})")
print(f"torch peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
