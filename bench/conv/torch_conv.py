"""PyTorch 1.13 side of the convolution benchmark.

Usage: python3 torch_conv.py THREADS [BUDGET_SECONDS]

Times one forward + backward (input, weight and bias gradients) of
torch.nn.functional.conv2d at the shapes of nn's BenchmarkConv2d and prints
one line per shape: name, wall and CPU milliseconds per step (CPU time
holds still on a shared machine, wall time does not).
"""
import os
import sys
import time

import torch
import torch.nn.functional as F

threads = int(sys.argv[1])
budget = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
torch.set_num_threads(threads)
torch.manual_seed(0)

# name, N, Cin, Cout, H, W, k, stride, padding, groups; kept in step with
# nn/conv_bench_test.go.
SHAPES = [
    ("n64_c1to32_28x28_k3", 64, 1, 32, 28, 28, 3, 1, 1, 1),
    ("n64_c32to64_14x14_k3", 64, 32, 64, 14, 14, 3, 1, 1, 1),
    ("n32_c64to64_8x8_k3", 32, 64, 64, 8, 8, 3, 1, 1, 1),
    ("n32_c64to128_8x8_k1", 32, 64, 128, 8, 8, 1, 1, 0, 1),
    ("n32_c64dw_16x16_k3", 32, 64, 64, 16, 16, 3, 1, 1, 64),
    ("n64_c32to64_14x14_k3_s2", 64, 32, 64, 14, 14, 3, 2, 1, 1),
]


def timeit(fn):
    """Returns wall and CPU seconds per call of fn."""
    for _ in range(3):
        fn()
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while True:
        fn()
        n += 1
        el = time.perf_counter() - start
        if el >= budget and n >= 5:
            return el / n, (time.process_time() - cpu) / n


for name, n, cin, cout, h, w, k, s, p, g in SHAPES:
    if len(sys.argv) > 3 and name not in sys.argv[3:]:
        continue
    x = torch.randn(n, cin, h, w, requires_grad=True)
    wt = torch.randn(cout, cin // g, k, k, requires_grad=True)
    b = torch.randn(cout, requires_grad=True)
    y = F.conv2d(x, wt, b, stride=s, padding=p, groups=g)
    dy = torch.randn_like(y)

    def step():
        x.grad = wt.grad = b.grad = None
        F.conv2d(x, wt, b, stride=s, padding=p, groups=g).backward(dy)

    wall, cpu = timeit(step)
    print(f"{name} {threads}t {wall * 1e3:.3f} ms {cpu * 1e3:.3f} cpu-ms", flush=True)
