#!/usr/bin/python3
"""Trains examples/mnist-cnn.yaml's network in PyTorch 1.13, the same loop:
Adam 1e-3, batch 128, cosine schedule over the epochs, shuffled batches,
cross-entropy; prints per-epoch test accuracy, the seconds at which test
accuracy first reached 99.0 %, and peak RSS.

    /usr/bin/python3 bench/cnn/mnist_cnn.py --threads 1 --epochs 8

It reads the IDX files of the GoMNIST module from the Go module cache.
"""
import argparse, glob, gzip, os, resource, time
import numpy as np
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--epochs", type=int, default=8)
ap.add_argument("--seed", type=int, default=1)
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)

root = glob.glob(os.path.expanduser("~/go/pkg/mod/github.com/petar/*/data"))[0]


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

net = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs)
lossf = nn.CrossEntropyLoss()
start = time.perf_counter()
first99 = None
for epoch in range(args.epochs):
    net.train()
    perm = torch.randperm(len(xtr))
    for i in range(0, len(xtr), 128):
        b = perm[i:i + 128]
        opt.zero_grad()
        lossf(net(xtr[b]), ytr[b]).backward()
        opt.step()
    sched.step()
    net.eval()
    with torch.no_grad():
        acc = sum((net(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item() for i in range(0, 10000, 1000)) / 10000
    t = time.perf_counter() - start
    if first99 is None and acc >= 0.99:
        first99 = t
    print(f"epoch {epoch + 1} test accuracy {acc:.4f} at {t:.1f} s", flush=True)
print(f"seconds to 99.0%: {first99}")
print(f"peak RSS MB: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
