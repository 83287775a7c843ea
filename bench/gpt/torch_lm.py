#!/usr/bin/python3
"""Trains, in PyTorch 1.13, the language model that bench/gpt/lm trained,
from the same initial weights, on the same windows in the same batch
order, with the same optimizer (AdamW, lr 1e-3, betas (0.9, 0.99), weight
decay 0.1, constant rate), gradient clipping (norm 1) and evaluation
schedule; writes torch.csv beside bigfunc.csv.

    go run ./bench/gpt/lm -steps 1000 -out /tmp/lm
    /usr/bin/python3 bench/gpt/torch_lm.py /tmp/lm [--every 100] [--threads 1]

The model is nn.Sequential(Embedding, learned positions, four causal
pre-norm nn.TransformerEncoderLayer, LayerNorm, Linear): bigfunc's file
loads into it with strict=True because its tensor names are PyTorch's.
"""
import argparse, json, os, struct, time

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import blas_threads  # before numpy and torch load: see bench/blas_threads.py
blas_threads.bound("1")
import numpy as np
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--every", type=int, default=100)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--lr", type=float, default=1e-3)
a = ap.parse_args()
torch.set_num_threads(a.threads)


def read_safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    head = json.loads(b[8:8 + n])
    out = {}
    for k, v in head.items():
        if k == "__metadata__":
            continue
        assert v["dtype"] == "F32", k
        lo, hi = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(b[8 + n + lo:8 + n + hi], dtype="<f4").copy().reshape(v["shape"]))
    return out


raw = open(os.path.join(a.dir, "data.bin"), "rb").read()
block, vocab, ntr, nvs, nva, norder = struct.unpack("<6i", raw[:24])
off = 24
sets = []
for n in (ntr, nvs, nva):
    xy = []
    for _ in range(2):
        xy.append(torch.from_numpy(np.frombuffer(raw[off:off + n * block], dtype=np.uint8).astype(np.int64).reshape(n, block)))
        off += n * block
    sets.append(xy)
order = torch.from_numpy(np.frombuffer(raw[off:off + 4 * norder], dtype="<i4").astype(np.int64))
(xtr, ytr), (xvs, yvs), (xva, yva) = sets
state = read_safetensors(os.path.join(a.dir, "init.safetensors"))
E = state["0.weight"].shape[1]
batch = 12
steps = norder // batch


class Positional(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(block, E))

    def forward(self, x):
        return x + self.weight[: x.shape[1]]


class Causal(nn.TransformerEncoderLayer):
    def forward(self, x):
        t = x.shape[1]
        return super().forward(x, src_mask=torch.triu(torch.full((t, t), float("-inf")), diagonal=1))


model = nn.Sequential(nn.Embedding(vocab, E), Positional(),
                      *[Causal(E, 4, 4 * E, 0.0, activation="gelu", batch_first=True, norm_first=True) for _ in range(4)],
                      nn.LayerNorm(E), nn.Linear(E, vocab))
model.load_state_dict(state, strict=True)
opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.99), weight_decay=0.1)
ce = nn.CrossEntropyLoss()


def evaluate(x, y):
    model.eval()
    with torch.no_grad():
        total = 0.0
        for lo in range(0, len(x), 128):
            o = model(x[lo:lo + 128])
            total += ce(o.reshape(-1, vocab), y[lo:lo + 128].reshape(-1)).item() * len(x[lo:lo + 128])
    model.train()
    return total / len(x)


out = open(os.path.join(a.dir, "torch.csv"), "w")
out.write("step,valid_loss,train_loss\n")
cpu, tsum, tn = 0.0, 0.0, 0


def record(step):
    global tsum, tn
    l = evaluate(xvs, yvs)
    out.write(f"{step},{l:.6f},{tsum / max(tn, 1):.6f}\n")
    out.flush()
    print(f"step {step}: validation {l:.4f} nats/char, training {tsum / max(tn, 1):.4f}, "
          f"{step * batch * block / max(cpu, 1e-9):.0f} tokens per CPU-second", flush=True)
    tsum, tn = 0.0, 0


record(0)
for step in range(1, steps + 1):
    rows = order[(step - 1) * batch: step * batch]
    c0 = time.process_time()
    o = model(xtr[rows])
    loss = ce(o.reshape(-1, vocab), ytr[rows].reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    cpu += time.process_time() - c0
    tsum += loss.item()
    tn += 1
    if step % a.every == 0 and step != steps:
        record(step)
record(steps)
l = evaluate(xva, yva)
msg = (f"# full validation set ({len(xva)} windows): {l:.6f} nats/char; training {cpu:.1f} CPU-s, "
       f"{steps * batch * block / cpu:.0f} tokens per CPU-second, {a.threads} thread(s)")
out.write(msg + "\n")
print(msg)
