#!/usr/bin/python3
"""Writes PyTorch 1.13 reference cases for SimCLR's NT-Xent loss (ntxent.json).

Each case is a batch of embeddings z [2N, D] whose rows k and k+N are the
two views of sample k, a temperature, and PyTorch's loss and gradient by z.
The loss is SimCLR's, written the usual way: normalise each row
(F.normalize), similarities u·uᵀ/τ with the diagonal masked out, then the
cross-entropy of each row against its partner, averaged over the 2N rows.

    /usr/bin/python3 conformance/ntxent/genntxent.py --seed N --out DIR

Batch sizes, widths, temperatures and the scale of z vary with the seed;
some cases hold near-duplicate views (a small loss), others rows of very
different lengths. Tensors are float32, stored as {"shape": [...],
"data": [...]} in row-major order.
"""
import argparse, json, os, random
import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--out", default=".")
args = ap.parse_args()
torch.manual_seed(args.seed)
rnd = random.Random(args.seed)


def T(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}


def nt_xent(z, tau):
    n2 = z.shape[0]
    u = F.normalize(z, dim=1)
    s = u @ u.t() / tau
    s = s.masked_fill(torch.eye(n2, dtype=torch.bool), float("-inf"))
    target = torch.arange(n2).roll(n2 // 2)
    return F.cross_entropy(s, target)


cases = []
for i in range(12):
    n = rnd.choice([1, 2, 3, 4, 8, 16, 32])
    d = rnd.choice([1, 2, 3, 8, 16, 64])
    tau = rnd.choice([0.05, 0.07, 0.1, 0.2, 0.5, 1.0, 2.0])
    scale = rnd.choice([0.01, 1.0, 30.0])
    a = torch.randn(n, d) * scale
    kind = i % 3
    if kind == 0:
        b = torch.randn(n, d) * scale
    elif kind == 1:  # near-duplicate views
        b = a + 0.05 * scale * torch.randn(n, d)
    else:  # rows of very different lengths
        b = torch.randn(n, d) * scale * torch.exp(2 * torch.randn(n, 1))
    z = torch.cat([a, b]).requires_grad_(True)
    loss = nt_xent(z, tau)
    loss.backward()
    cases.append({"temperature": tau, "z": T(z), "value": loss.item(), "dz": T(z.grad)})

os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "ntxent.json"), "w") as f:
    json.dump({"seed": args.seed, "torch": torch.__version__, "cases": cases}, f)
