#!/usr/bin/python3
"""Writes PyTorch 1.13 reference cases for the GAN objectives (gan.json).

Each case is the discriminator's raw scores (logits) on a batch of real
samples and on a batch of generated ones, a GAN loss, and PyTorch's
losses and gradients:

  standard (non-saturating):
    discriminator = BCEWithLogits(real, 1) + BCEWithLogits(fake, 0)
    generator     = BCEWithLogits(fake, 1)
  hinge:
    discriminator = mean(relu(1 − real)) + mean(relu(1 + fake))
    generator     = −mean(fake)

    /usr/bin/python3 conformance/gan/gengan.py --seed N --out DIR

Batch sizes, score shapes ([N, 1] or [N]) and scales (saturated scores
included) vary with the seed. Tensors are float32, stored as
{"shape": [...], "data": [...]} in row-major order.
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


def losses(kind, real, fake):
    if kind == "standard":
        d = F.binary_cross_entropy_with_logits(real, torch.ones_like(real)) + \
            F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))
        g = F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))
    else:
        d = F.relu(1 - real).mean() + F.relu(1 + fake).mean()
        g = -fake.mean()
    return d, g


cases = []
for i in range(16):
    kind = ["standard", "hinge"][i % 2]
    nr, nf = rnd.choice([1, 3, 8, 33]), rnd.choice([1, 4, 8, 17])
    scale = rnd.choice([0.5, 2.0, 8.0, 40.0])
    col = rnd.random() < 0.5
    shape = (lambda n: [n, 1] if col else [n])
    real = (torch.randn(*shape(nr)) * scale).requires_grad_(True)
    fake = (torch.randn(*shape(nf)) * scale).requires_grad_(True)
    d, _ = losses(kind, real, fake)
    d.backward()
    fake2 = fake.detach().clone().requires_grad_(True)
    _, g = losses(kind, real.detach(), fake2)
    g.backward()
    cases.append({"loss": kind, "real": T(real), "fake": T(fake),
                  "discriminator": d.item(), "dreal": T(real.grad), "dfake": T(fake.grad),
                  "generator": g.item(), "dfake_generator": T(fake2.grad)})

os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "gan.json"), "w") as f:
    json.dump({"seed": args.seed, "torch": torch.__version__, "cases": cases}, f)
