#!/usr/bin/python3
"""PyTorch 1.13 twin of examples/gan-ring8.yaml: the same networks, GAN
loss, optimizers, batch size and steps, scored with the same ring8
metrics (modes covered, fraction of high-quality samples).

    /usr/bin/python3 bench/gan/ring8.py --seeds 1,2,3,4,5 [--threads 1]

ring8: 8 Gaussians with std 0.02 whose means lie on a circle of radius 2
at angles 2πk/8. A sample is high quality when it lies within 3 std
(0.06) of its nearest mode; a mode is covered when at least one
high-quality sample lies at it. 2,500 samples are scored per seed.
"""
import argparse, os, json, math, statistics, time

ap = argparse.ArgumentParser()
ap.add_argument("--seeds", default="1,2,3,4,5")
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--size", type=int, default=10000)
ap.add_argument("--epochs", type=int, default=60)
ap.add_argument("--batch", type=int, default=50)
ap.add_argument("--latent", type=int, default=2)
ap.add_argument("--hidden", type=int, default=128)
ap.add_argument("--loss", default="standard", choices=["standard", "hinge"])
ap.add_argument("--dist", default="normal", choices=["normal", "uniform"])
ap.add_argument("--d-steps", type=int, default=1)
ap.add_argument("--g-steps", type=int, default=1)
ap.add_argument("--glr", type=float, default=1e-3)
ap.add_argument("--dlr", type=float, default=1e-3)
ap.add_argument("--beta1", type=float, default=0.5)
ap.add_argument("--cosine", type=int, default=1, help="1: cosine annealing of both rates over the epochs (train.schedule)")
ap.add_argument("--json", default="")
args = ap.parse_args()
# torch.set_num_threads bounds PyTorch's own threads, not the OpenBLAS pool
# that Debian's PyTorch (and numpy) multiply matrices in, which otherwise
# takes every core: --threads bounds both, set before either is imported.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)
import torch
import torch.nn as nn
import torch.nn.functional as F
torch.set_num_threads(args.threads)

STD, RADIUS, MODES = 0.02, 2.0, 8
means = torch.tensor([[RADIUS * math.cos(2 * math.pi * k / MODES), RADIUS * math.sin(2 * math.pi * k / MODES)]
                      for k in range(MODES)])


def ring8(n, gen):
    k = torch.arange(n) % MODES
    x = means[k] + STD * torch.randn(n, 2, generator=gen)
    return x[torch.randperm(n, generator=gen)]


def mlp(inp, out):
    h = args.hidden
    return nn.Sequential(nn.Linear(inp, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, out))


def latent(n):
    if args.dist == "normal":
        return torch.randn(n, args.latent)
    return torch.rand(n, args.latent) * 2 - 1


def d_loss(real, fake):
    if args.loss == "standard":
        return F.softplus(-real).mean() + F.softplus(fake).mean()
    return F.relu(1 - real).mean() + F.relu(1 + fake).mean()


def g_loss(fake):
    if args.loss == "standard":
        return F.softplus(-fake).mean()
    return -fake.mean()


def score(x):
    d = torch.cdist(x, means)
    dist, mode = d.min(1)
    hq = dist <= 3 * STD
    covered = len(set(mode[hq].tolist()))
    return covered, hq.float().mean().item()


def run(seed):
    torch.manual_seed(seed)
    data = ring8(args.size, torch.Generator().manual_seed(seed + 1000))
    G, D = mlp(args.latent, 2), mlp(2, 1)
    og = torch.optim.Adam(G.parameters(), lr=args.glr, betas=(args.beta1, 0.999))
    od = torch.optim.Adam(D.parameters(), lr=args.dlr, betas=(args.beta1, 0.999))
    scheds = [torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=args.epochs) for o in (og, od)] if args.cosine else []
    steps, t0 = 0, time.time()
    for epoch in range(args.epochs):
        perm = torch.randperm(args.size)
        batches = [perm[i:i + args.batch] for i in range(0, args.size, args.batch)]
        i = 0
        while i < len(batches):
            for _ in range(args.d_steps):
                if i == len(batches):
                    break
                real = data[batches[i]]
                i += 1
                with torch.no_grad():
                    fake = G(latent(len(real)))
                od.zero_grad()
                l = d_loss(D(real), D(fake))
                l.backward()
                od.step()
            for _ in range(args.g_steps):
                og.zero_grad()
                l = g_loss(D(G(latent(args.batch))))
                l.backward()
                og.step()
            steps += 1
        for sc in scheds:
            sc.step()
    secs = time.time() - t0
    G.eval()
    with torch.no_grad():
        modes, hq = score(G(latent(2500)))
    return {"seed": seed, "modes": modes, "high_quality": hq, "steps": steps, "seconds": secs}


results = [run(int(s)) for s in args.seeds.split(",")]
for r in results:
    print(f"seed {r['seed']}: {r['modes']}/8 modes, {100 * r['high_quality']:.1f}% high quality, "
          f"{r['steps']} steps in {r['seconds']:.1f}s ({r['steps'] / r['seconds']:.0f} steps/s)")
print(f"median: {statistics.median(r['modes'] for r in results)}/8 modes, "
      f"{100 * statistics.median(r['high_quality'] for r in results):.1f}% high quality")
if args.json:
    with open(args.json, "w") as f:
        json.dump({"args": vars(args), "results": results}, f, indent=1)
