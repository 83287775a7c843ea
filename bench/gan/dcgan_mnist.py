#!/usr/bin/python3
"""PyTorch 1.13 twin of examples/dcgan-mnist.yaml: the same generator and
discriminator, GAN loss, optimizers, batch size and steps. It saves its
generator as a bigfunc generator file (PyTorch's state_dict names, with
the metadata copied from a generator bigfunc saved), so that the very same
scorer judges both:

    /usr/bin/python3 bench/gan/dcgan_mnist.py --meta-from examples/dcgan-mnist.safetensors \\
        --out /tmp/dcgan-torch.safetensors [--threads 1] [--seed 1]
    bigfunc sample --model /tmp/dcgan-torch.safetensors -n 10000 --seed 1 --score-with JUDGE

--steps-only N times N training steps (after 5 warm ones) and prints the
steps per CPU-second, the process's user plus system time, as
bench/gan/speed does for bigfunc.

It reads the IDX files of the GoMNIST module from the Go module cache.
"""
import argparse, glob, gzip, json, math, os, resource, time

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--epochs", type=int, default=5)
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--latent", type=int, default=64)
ap.add_argument("--lr", type=float, default=2e-4)
ap.add_argument("--meta-from", default="")
ap.add_argument("--out", default="")
ap.add_argument("--steps-only", type=int, default=0)
ap.add_argument("--g-channels", type=int, default=64, help="the generator's channels at 7×7 (halved at 14×14)")
ap.add_argument("--d-channels", type=int, default=32, help="the discriminator's channels at 14×14 (doubled at 7×7)")
ap.add_argument("--d-batchnorm", action="store_true", help="batch norm after the discriminator's second convolution (and its hidden linear layer)")
ap.add_argument("--g-hidden", type=int, default=0, help="a linear layer of this width, batch norm and ReLU before the generator's first linear layer")
ap.add_argument("--d-hidden", type=int, default=0, help="a linear layer of this width and leaky ReLU before the discriminator's score")
ap.add_argument("--cosine", action="store_true", help="cosine-anneal both learning rates over the epochs, set at each epoch's start")
ap.add_argument("--ema", type=float, default=0.0, help="save a moving average of the generator's weights with this decay, batch norm recounted (gan.ema)")
ap.add_argument("--max-steps", type=int, default=0, help="stop training after this many steps (0: all epochs)")
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


def idx(name):
    with gzip.open(os.path.join(root, name + ".gz")) as f:
        b = f.read()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(b, np.uint8, offset=4 + 4 * nd).reshape(dims)


x = torch.from_numpy(idx("train-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)

gc, dc = args.g_channels, args.d_channels
gh, dh = args.g_hidden, args.d_hidden
G = nn.Sequential(
    *([nn.Linear(args.latent, gh), nn.BatchNorm1d(gh), nn.ReLU()] if gh else []),
    nn.Linear(gh or args.latent, gc * 7 * 7), nn.Unflatten(1, (gc, 7, 7)), nn.BatchNorm2d(gc), nn.ReLU(),
    nn.ConvTranspose2d(gc, gc // 2, 4, 2, 1), nn.BatchNorm2d(gc // 2), nn.ReLU(),
    nn.ConvTranspose2d(gc // 2, 1, 4, 2, 1), nn.Sigmoid())
D = nn.Sequential(
    nn.Conv2d(1, dc, 4, 2, 1), nn.LeakyReLU(0.2),
    nn.Conv2d(dc, 2 * dc, 4, 2, 1), *([nn.BatchNorm2d(2 * dc)] if args.d_batchnorm else []), nn.LeakyReLU(0.2),
    nn.Flatten(),
    *([nn.Linear(2 * dc * 7 * 7, dh), *([nn.BatchNorm1d(dh)] if args.d_batchnorm else []), nn.LeakyReLU(0.2)] if dh else []),
    nn.Linear(dh or 2 * dc * 7 * 7, 1))
og = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(0.5, 0.999))
od = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(0.5, 0.999))
G.train(); D.train()
average = [p.detach().clone() for p in G.parameters()] if args.ema > 0 else None


def step(real):
    n = real.shape[0]
    with torch.no_grad():
        fake = G(torch.randn(n, args.latent))
    od.zero_grad()
    # The non-saturating loss: softplus(−D(real)) + softplus(D(fake)).
    ld = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
    ld.backward(); od.step()
    og.zero_grad()
    lg = F.softplus(-D(G(torch.randn(args.batch, args.latent)))).mean()
    lg.backward(); og.step()
    if average is not None:
        with torch.no_grad():
            for a, p in zip(average, G.parameters()):
                a.mul_(args.ema).add_(p, alpha=1 - args.ema)
    return ld.item(), lg.item()


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


if args.steps_only:
    perm = torch.randperm(len(x))
    for i in range(5 + args.steps_only):
        if i == 5:
            c0, w0 = cpu(), time.time()
        step(x[perm[i * args.batch:(i + 1) * args.batch]])
    c = cpu() - c0
    print(json.dumps({"threads": args.threads, "steps": args.steps_only, "cpu_s": c, "wall_s": time.time() - w0, "steps_per_cpu_s": args.steps_only / c}))
    raise SystemExit

t0, c0 = time.time(), cpu()
steps = 0
for epoch in range(args.epochs):
    if args.max_steps and steps >= args.max_steps:
        break
    if args.cosine:
        # bigfunc's cosine schedule with t_max = epochs, as the spec sets it.
        for o in (og, od):
            for grp in o.param_groups:
                grp["lr"] = args.lr * (1 + math.cos(math.pi * epoch / args.epochs)) / 2
    perm = torch.randperm(len(x))
    sd = sg = 0.0
    nb = 0
    for i in range(0, len(x), args.batch):
        if args.max_steps and steps >= args.max_steps:
            break
        ld, lg = step(x[perm[i:i + args.batch]])
        sd += ld; sg += lg; nb += 1; steps += 1
    print(f"epoch {epoch + 1}/{args.epochs} ({steps} steps)  d_loss {sd / nb:.6g}  g_loss {sg / nb:.6g}  {time.time() - t0:.0f}s wall  {cpu() - c0:.0f}s cpu", flush=True)



def read_metadata(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        return json.loads(f.read(n)).get("__metadata__", {})


def save_safetensors(path, tensors, metadata):
    """The safetensors format, written here since the Python package may be
    missing: an 8-byte little-endian header length, the JSON header, the
    raw little-endian data."""
    header, blobs, off = {"__metadata__": metadata}, [], 0
    for k, v in tensors.items():
        v = v.detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[v.dtype]
        b = v.numpy().tobytes()
        header[k] = {"dtype": dtype, "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(len(h).to_bytes(8, "little")); f.write(h)
        for b in blobs:
            f.write(b)
        f.flush(); os.fsync(f.fileno())
    os.replace(path + ".tmp", path)


if average is not None:
    # bigfunc's UseAverage: the averaged weights, then batch norm's
    # statistics recounted as a plain average over max(an epoch's batches,
    # 100) fresh batches of latents in training mode.
    with torch.no_grad():
        for a, p in zip(average, G.parameters()):
            p.copy_(a)
        bns = [m for m in G.modules() if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))]
        for m in bns:
            m.reset_running_stats(); m.momentum = None
        for _ in range(max((len(x) + args.batch - 1) // args.batch, 100)):
            G(torch.randn(args.batch, args.latent))
        for m in bns:
            m.momentum = 0.1

if args.out:
    meta = read_metadata(args.meta_from) if args.meta_from else {}
    save_safetensors(args.out, G.state_dict(), meta)
    print("saved", args.out)
