#!/usr/bin/python3
"""Compares nn's Conv2d kernels with PyTorch 1.13 (oneDNN) on this machine.

Usage: /usr/bin/python3 bench/conv/compare.py [--rounds R] [--threads 1,2] [--budget S]

For each shape of nn's BenchmarkConv2d (the list below is kept in step
with nn/conv_bench_test.go) it times one training step of the layer, the
forward pass and the gradients of the input, the weight and the bias, at
each thread count: bigfunc through `go test -bench` (GOMAXPROCS = threads),
PyTorch through torch.nn.functional.conv2d with torch.set_num_threads,
with NCHW tensors and with channels_last, the faster of the two counting.
Rounds alternate between the two so that both see the same load, and the
best round of each is kept. It prints milliseconds per step, wall and CPU,
and the ratio PyTorch / bigfunc: above 1 means bigfunc is faster. On a
machine shared with other work, CPU time is the steadier of the two.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

# Two-thread PyTorch spins in OpenMP barriers unless told not to, which on
# a busy machine makes it far slower than it is.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# name, N, Cin, Cout, H, W, k, stride, padding, groups
SHAPES = [
    ("n64_c1to32_28x28_k3", 64, 1, 32, 28, 28, 3, 1, 1, 1),
    ("n64_c32to64_14x14_k3", 64, 32, 64, 14, 14, 3, 1, 1, 1),
    ("n32_c64to64_8x8_k3", 32, 64, 64, 8, 8, 3, 1, 1, 1),
    ("n32_c64to128_8x8_k1", 32, 64, 128, 8, 8, 1, 1, 0, 1),
    ("n32_c64dw_16x16_k3", 32, 64, 64, 16, 16, 3, 1, 1, 64),
    ("n64_c32to64_14x14_k3_s2", 64, 32, 64, 14, 14, 3, 2, 1, 1),
]

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--threads", default="1,2")
ap.add_argument("--budget", type=float, default=1.0, help="seconds per PyTorch timing")
ap.add_argument("--steps", type=int, default=20, help="steps per bigfunc timing")
args = ap.parse_args()
threads = [int(t) for t in args.threads.split(",")]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def torch_step(shape, nthreads, fmt):
    name, n, cin, cout, h, w, k, s, p, g = shape
    torch.set_num_threads(nthreads)
    torch.manual_seed(0)
    x = torch.randn(n, cin, h, w).to(memory_format=fmt).requires_grad_()
    wt = torch.randn(cout, cin // g, k, k).to(memory_format=fmt).requires_grad_()
    b = torch.randn(cout, requires_grad=True)
    dy = torch.randn_like(F.conv2d(x, wt, b, stride=s, padding=p, groups=g))

    def step():
        x.grad = wt.grad = b.grad = None
        F.conv2d(x, wt, b, stride=s, padding=p, groups=g).backward(dy)

    for _ in range(3):
        step()
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while True:
        step()
        count += 1
        el = time.perf_counter() - start
        if el >= args.budget and count >= 5:
            return el / count * 1e3, (time.process_time() - cpu) / count * 1e3


def bigfunc_steps(binary, nthreads):
    out = subprocess.run([binary, "-test.run", "^$", "-test.bench", "^BenchmarkConv2d$", "-test.cpu", str(nthreads),
                          "-test.benchtime", f"{args.steps}x"], capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        m = re.match(r"BenchmarkConv2d/(\S+?)(-\d+)?\s", line)
        if m:
            wall = float(re.search(r"([\d.]+) ms/step", line).group(1))
            cpu = float(re.search(r"([\d.]+) cpu-ms/step", line).group(1))
            res[m.group(1)] = (wall, cpu)
    return res


with tempfile.TemporaryDirectory() as tmp:
    binary = os.path.join(tmp, "nn.test")
    subprocess.run(["go", "test", "-c", "-o", binary, "./nn"], cwd=root, check=True)
    best = {}

    def keep(key, wall, cpu):
        w0, c0 = best.get(key, (float("inf"), float("inf")))
        best[key] = (min(w0, wall), min(c0, cpu))

    for r in range(args.rounds):
        for t in threads:
            for name, (wall, cpu) in bigfunc_steps(binary, t).items():
                keep(("bigfunc", name, t), wall, cpu)
            for shape in SHAPES:
                # PyTorch's best layout: NCHW or channels_last, whichever
                # is faster for the shape.
                for fmt in (torch.contiguous_format, torch.channels_last):
                    keep(("pytorch", shape[0], t), *torch_step(shape, t, fmt))
        print(f"round {r + 1} of {args.rounds} done", file=sys.stderr, flush=True)

print(f"{'shape':26} {'thr':>3} {'bigfunc ms':>10} {'pytorch ms':>10} {'ratio':>6}   {'cpu-ms':>7} {'cpu-ms':>7} {'ratio':>6}")
for shape in SHAPES:
    for t in threads:
        bw, bc = best[("bigfunc", shape[0], t)]
        pw, pc = best[("pytorch", shape[0], t)]
        print(f"{shape[0]:26} {t:3d} {bw:10.2f} {pw:10.2f} {pw / bw:6.2f}   {bc:7.2f} {pc:7.2f} {pc / bc:6.2f}")
