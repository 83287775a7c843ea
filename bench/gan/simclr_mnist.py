#!/usr/bin/python3
"""PyTorch 1.13 twin of examples/simclr-mnist.yaml's training step, for
speed: the same encoder and projection head, two views of each image of a
batch of 256 (a resized crop of 40-100 % of the area with aspect ratio in
[3/4, 4/3], a rotation of up to 10 degrees, Gaussian noise of std 0.1:
one affine_grid + grid_sample per batch, bilinear, zeros outside), NT-Xent
at temperature 0.5, and Adam at 1e-3.

    /usr/bin/python3 bench/gan/simclr_mnist.py --threads 1 --steps 10

It prints the steps per CPU-second (user plus system time of the
process), as bench/gan/speed does for bigfunc. It reads the IDX files of
the GoMNIST module from the Go module cache.
"""
import argparse, gzip, json, math, os, resource, time

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--steps", type=int, default=10)
ap.add_argument("--warm", type=int, default=2)
ap.add_argument("--batch", type=int, default=256)
ap.add_argument("--seed", type=int, default=1)
args = ap.parse_args()
# torch.set_num_threads bounds PyTorch's own threads, not the OpenBLAS pool
# that Debian's PyTorch (and numpy) multiply matrices in, which otherwise
# takes every core: --threads bounds both, set before either is imported.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)

root = os.path.join(os.environ.get("GOMODCACHE") or os.path.expanduser("~/go/pkg/mod"),
                    "github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63/data")
with gzip.open(os.path.join(root, "train-images-idx3-ubyte.gz")) as f:
    b = f.read()
x = torch.from_numpy(np.frombuffer(b, np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255)

net = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(32 * 7 * 7, 128),
    nn.ReLU(), nn.Linear(128, 64))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)


def views(img):
    n = img.shape[0]
    scale = torch.empty(n).uniform_(0.4, 1.0)
    ratio = torch.exp(torch.empty(n).uniform_(math.log(3 / 4), math.log(4 / 3)))
    w = torch.sqrt(scale * ratio).clamp(max=1)
    h = torch.sqrt(scale / ratio).clamp(max=1)
    cx = (torch.rand(n) * 2 - 1) * (1 - w)
    cy = (torch.rand(n) * 2 - 1) * (1 - h)
    a = torch.empty(n).uniform_(-10, 10) * math.pi / 180
    cos, sin = torch.cos(a), torch.sin(a)
    theta = torch.stack([torch.stack([w * cos, -w * sin, cx], 1), torch.stack([h * sin, h * cos, cy], 1)], 1)
    grid = F.affine_grid(theta, img.shape, align_corners=False)
    out = F.grid_sample(img, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out + 0.1 * torch.randn_like(out)


def nt_xent(z, tau=0.5):
    z = F.normalize(z, dim=1)
    n2 = z.shape[0]
    sim = z @ z.t() / tau
    sim.fill_diagonal_(float("-inf"))
    n = n2 // 2
    target = torch.cat([torch.arange(n, n2), torch.arange(0, n)])
    return F.cross_entropy(sim, target)


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


perm = torch.randperm(len(x))
for i in range(args.warm + args.steps):
    if i == args.warm:
        c0, w0 = cpu(), time.time()
    img = x[perm[i * args.batch:(i + 1) * args.batch]]
    z = net(torch.cat([views(img), views(img)]))
    loss = nt_xent(z)
    opt.zero_grad()
    loss.backward()
    opt.step()
c = cpu() - c0
print(json.dumps({"threads": args.threads, "steps": args.steps, "cpu_s": c, "wall_s": time.time() - w0, "steps_per_cpu_s": args.steps / c, "loss": loss.item()}))
