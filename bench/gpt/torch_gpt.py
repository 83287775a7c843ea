#!/usr/bin/python3
"""Times PyTorch 1.13 on the nanoGPT CPU configuration that bigfunc's
BenchmarkGPTStep runs (4 causal pre-norm encoder layers, 4 heads, width
128, feed-forward 512, gelu, context 64, batch 12, 65 tokens): training
tokens per second for a forward and backward pass, and generation tokens
per second at batch 1 recomputing the whole context for every token.

    /usr/bin/python3 bench/gpt/torch_gpt.py [--threads N] [--steps N]
"""
import argparse, time
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
