#!/usr/bin/python3
"""Trains examples/mnist-cnn.yaml's network in PyTorch 1.13, the same loop:
Adam 1e-3, batch 128, cosine schedule over the epochs stepped once per
epoch, shuffled batches, each training image shifted by a whole number of
pixels up to --crop-padding each way with zeros filling in (torchvision's
RandomCrop(28, padding)), cross-entropy; prints per-epoch test accuracy
with the wall and CPU seconds so far, the seconds at which test accuracy
first reached 99.0 %, and peak RSS.

    /usr/bin/python3 bench/cnn/mnist_cnn.py --threads 1 --epochs 10 --until 0.99

It reads the IDX files of the GoMNIST module from the Go module cache
($GOMODCACHE, else ~/go/pkg/mod), or from --data.
"""
import argparse, glob, gzip, os, resource, time
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import blas_threads  # before numpy and torch load: see bench/blas_threads.py
blas_threads.bound("1")
import numpy as np
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--epochs", type=int, default=10)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--crop-padding", type=int, default=2)
ap.add_argument("--until", type=float, default=0, help="stop after the first epoch whose test accuracy reaches this")
ap.add_argument("--data", help="folder with the four MNIST .gz files")
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)

root = args.data
if root is None:
    cache = os.environ.get("GOMODCACHE") or os.path.expanduser("~/go/pkg/mod")
    root = glob.glob(os.path.join(cache, "github.com/petar/*/data"))[0]


def idx(name):
    with gzip.open(os.path.join(root, name + ".gz")) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


xtr = torch.from_numpy(idx("train-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
ytr = torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
xte = torch.from_numpy(idx("t10k-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
yte = torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype(np.int64))


def shift(x, p):
    """Each image of x [B, 1, 28, 28] moved by its own random whole-pixel
    offset in [-p, p] both ways, zeros filling in."""
    if p == 0:
        return x
    b = x.shape[0]
    padded = nn.functional.pad(x, (p, p, p, p))
    oy = torch.randint(0, 2 * p + 1, (b, 1, 1))
    ox = torch.randint(0, 2 * p + 1, (b, 1, 1))
    r = torch.arange(28)
    rows = (oy + r.view(1, 28, 1)).expand(b, 28, 28)
    cols = (ox + r.view(1, 1, 28)).expand(b, 28, 28)
    return padded[torch.arange(b).view(b, 1, 1), 0, rows, cols].unsqueeze(1)


net = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs)
lossf = nn.CrossEntropyLoss()
start, cpu0 = time.perf_counter(), time.process_time()
first99 = None
for epoch in range(args.epochs):
    net.train()
    perm = torch.randperm(len(xtr))
    for i in range(0, len(xtr), 128):
        b = perm[i:i + 128]
        opt.zero_grad()
        lossf(net(shift(xtr[b], args.crop_padding)), ytr[b]).backward()
        opt.step()
    sched.step()
    net.eval()
    with torch.no_grad():
        acc = sum((net(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item() for i in range(0, 10000, 1000)) / 10000
    t, c = time.perf_counter() - start, time.process_time() - cpu0
    print(f"epoch {epoch + 1} test accuracy {acc:.4f} at {t:.1f} s, {c:.1f} CPU s", flush=True)
    if first99 is None and acc >= 0.99:
        first99 = (t, c)
    if args.until and acc >= args.until:
        break
print("seconds to 99.0%: not reached" if first99 is None else f"seconds to 99.0%: {first99[0]:.1f} wall, {first99[1]:.1f} CPU")
print(f"peak RSS MB: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
