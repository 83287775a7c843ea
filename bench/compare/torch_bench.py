"""PyTorch (CPU) and numpy/OpenBLAS side of bench/compare.

Usage: python3 torch_bench.py MODE THREADS QUICK
MODE is torch, torch-rss or numpy. Prints one JSON object per line.
"""
import json, os, sys, time

mode, threads, quick = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
budget = 0.5 if quick else 2.0


def timeit(fn, min_time=budget):
    fn()
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        el = time.perf_counter() - start
        if el >= min_time and n >= 3:
            return el / n


def emit(**kw):
    print(json.dumps(kw), flush=True)


if mode == "numpy":
    import numpy as np
    for n in [256, 512, 1024] + ([] if quick else [2048]):
        a = np.random.rand(n, n).astype(np.float32)
        b = np.random.rand(n, n).astype(np.float32)
        t = timeit(lambda: a @ b)
        emit(name=f"sgemm{n}_{threads}t", lib="openblas", value=2 * n ** 3 / t / 1e9, unit="GFLOP/s")
    sys.exit(0)

import torch
import torch.nn.functional as F
torch.set_num_threads(threads)
torch.manual_seed(0)


def mlp(hidden):
    return torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, hidden),
                               torch.nn.ReLU(), torch.nn.Linear(hidden, 10))


def train_step(model, opt, x, y):
    opt.zero_grad()
    F.cross_entropy(model(x), y).backward()
    opt.step()


def make(hidden, batch, optname):
    model = mlp(hidden)
    opt = (torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9) if optname == "sgd"
           else torch.optim.Adam(model.parameters(), lr=0.01))
    x, y = torch.rand(batch, 784), torch.randint(0, 10, (batch,))
    return model, opt, x, y


if mode == "torch-rss":
    model, opt, x, y = make(256, 64, "sgd")
    for _ in range(200):
        train_step(model, opt, x, y)
    # VmHWM is this process's own peak; ru_maxrss of a vfork-started child
    # can include its parent's pages from before the exec.
    hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
    emit(name="rss_train", lib="pytorch", value=int(hwm.split()[1]) / 1024, unit="MiB")
    sys.exit(0)

for n in [256, 512, 1024] + ([] if quick else [2048]):
    a, b = torch.rand(n, n), torch.rand(n, n)
    t = timeit(lambda: a @ b)
    emit(name=f"sgemm{n}_{threads}t", lib="pytorch", value=2 * n ** 3 / t / 1e9, unit="GFLOP/s")
for hidden, batch, optname in [(256, 64, "sgd"), (256, 64, "adam"), (256, 256, "sgd"), (1024, 256, "sgd")]:
    model, opt, x, y = make(hidden, batch, optname)
    t = timeit(lambda: train_step(model, opt, x, y))
    emit(name=f"mlp{hidden}_b{batch}_{optname}_{threads}t", lib="pytorch", value=batch / t, unit="samples/s")
model = mlp(256).eval()
for batch in (1, 1024):
    x = torch.rand(batch, 784)
    with torch.inference_mode():
        t = timeit(lambda: model(x))
    if batch == 1:
        emit(name=f"infer_b1_{threads}t", lib="pytorch", value=t * 1e6, unit="µs")
    else:
        emit(name=f"infer_b1024_{threads}t", lib="pytorch", value=batch / t, unit="samples/s")
