"""PyTorch (CPU) and numpy/OpenBLAS side of bench/compare.

Usage: python3 torch_bench.py MODE THREADS QUICK [MNIST_DIR]
MODE is torch, torch-rss, numpy, probe-numpy, probe-torch or tta.
Prints one JSON object per line.

Timings are the fastest of several rounds, as bench/compare times bigfunc:
on a machine shared with other work, the fastest round is the one least
disturbed, and both sides are measured alike.
"""
import gzip, json, os, sys, time

mode, threads, quick = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
budget = 0.5 if quick else 2.0


# With BENCH_CLOCK=thread (bench/compare --cpu-time, one thread only),
# rounds are timed by the calling thread's CPU clock, as on the Go side.
clock = time.thread_time if os.environ.get("BENCH_CLOCK") == "thread" else time.perf_counter


def timeit(fn, min_time=None):
    """Seconds per call: the fastest round of calls (each round at least
    5 ms or one call) within min_time, after a warm-up call."""
    min_time = budget if min_time is None else min_time
    fn()
    best, start = float("inf"), time.perf_counter()
    while True:
        n, r0 = 0, clock()
        while True:
            fn()
            n += 1
            el = clock() - r0
            if el >= 0.005:
                break
        best = min(best, el / n)
        if time.perf_counter() - start >= min_time:
            return best


def emit(**kw):
    print(json.dumps(kw), flush=True)


def peak_rss():
    # VmHWM is this process's own peak; ru_maxrss of a vfork-started child
    # can include its parent's pages from before the exec.
    hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
    return int(hwm.split()[1]) / 1024


if mode == "numpy" or mode == "probe-numpy":
    import numpy as np
    sizes = [256, 512, 1024] + ([] if quick else [2048])
    if mode == "probe-numpy":
        sizes = [512, 1024]
    for n in sizes:
        a = np.random.rand(n, n).astype(np.float32)
        b = np.random.rand(n, n).astype(np.float32)
        t = timeit(lambda: a @ b, 0.3 if mode == "probe-numpy" else None)
        emit(name=f"sgemm{n}_{threads}t", lib="openblas", value=2 * n ** 3 / t / 1e9, unit="GFLOP/s")
    sys.exit(0)

import torch
import torch.nn.functional as F
torch.set_num_threads(threads)
torch.manual_seed(0)

if mode == "probe-torch":
    for n in [512, 1024]:
        a, b = torch.rand(n, n), torch.rand(n, n)
        t = timeit(lambda: a @ b, 0.3)
        emit(name=f"sgemm{n}_{threads}t", lib="pytorch", value=2 * n ** 3 / t / 1e9, unit="GFLOP/s")
    sys.exit(0)


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


def read_idx(path):
    with gzip.open(path) as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return torch.frombuffer(bytearray(raw[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


# The seeds of the MNIST job, the same on the Go side (ttaSeeds).
TTA_SEEDS = [1, 2, 3, 4, 5]


def tta_summary(runs):
    """The median seconds of the runs (time, steps, reached), or 0 when any
    missed 98 %, and a note with every run's steps."""
    steps = ", ".join(str(s) for _, s, _ in runs)
    if not all(r for _, _, r in runs):
        return 0.0, f"missed 98 % in 30 epochs with a seed; steps {steps}"
    times = sorted(t for t, _, _ in runs)
    return times[len(times) // 2], f"median of {len(runs)} seeds; steps {steps}"


if mode == "tta":
    # The whole job: train 784-256-256-10 with Adam 1e-3 at batch 128 on
    # MNIST until the test accuracy, checked every 100 steps, reaches 98 %.
    # The steps it takes depend on the seed by a third either way, so the
    # job runs with each of TTA_SEEDS and reports the median time, as the
    # Go side does.
    d = sys.argv[4]
    xtr = read_idx(os.path.join(d, "train-images-idx3-ubyte.gz")).reshape(-1, 784).float() / 255
    ytr = read_idx(os.path.join(d, "train-labels-idx1-ubyte.gz")).long()
    xte = read_idx(os.path.join(d, "t10k-images-idx3-ubyte.gz")).reshape(-1, 784).float() / 255
    yte = read_idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz")).long()
    # With BENCH_CLOCK=thread the job is timed by the process's CPU time.
    job_clock = time.process_time if clock is time.thread_time else time.perf_counter
    runs = []
    for seed in TTA_SEEDS:
        torch.manual_seed(seed)
        model = mlp(256)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        start = job_clock()
        step, acc, reached = 0, 0.0, False
        for epoch in range(30):
            perm = torch.randperm(len(xtr))
            for lo in range(0, len(xtr), 128):
                idx = perm[lo:lo + 128]
                train_step(model, opt, xtr[idx], ytr[idx])
                step += 1
                if step % 100 == 0:
                    with torch.inference_mode():
                        acc = (model(xte).argmax(1) == yte).float().mean().item()
                    if acc >= 0.98:
                        reached = True
                        break
            if reached:
                break
        runs.append((job_clock() - start, step, reached))
    # JSON has no NaN: a miss is a zero value, which gets no ratio, and a note.
    value, note = tta_summary(runs)
    emit(name="tta_mnist98", lib="pytorch", value=value, unit="s", note=note)
    emit(name="tta_step", lib="pytorch", value=1e3 * sum(r[0] for r in runs) / sum(r[1] for r in runs), unit="ms",
         note="mean over all steps of all seeds, checks included")
    emit(name="rss_tta", lib="pytorch", value=peak_rss(), unit="MiB")
    sys.exit(0)

if mode == "torch-rss":
    model, opt, x, y = make(256, 64, "sgd")
    for _ in range(200):
        train_step(model, opt, x, y)
    emit(name="rss_train", lib="pytorch", value=peak_rss(), unit="MiB")
    sys.exit(0)

for n in [256, 512, 1024] + ([] if quick else [2048]):
    a, b = torch.rand(n, n), torch.rand(n, n)
    t = timeit(lambda: a @ b)
    emit(name=f"sgemm{n}_{threads}t", lib="pytorch", value=2 * n ** 3 / t / 1e9, unit="GFLOP/s")
for hidden, batch, optname in [(256, 64, "sgd"), (256, 64, "adam"), (256, 256, "sgd"), (1024, 256, "sgd")]:
    model, opt, x, y = make(hidden, batch, optname)
    t = timeit(lambda: train_step(model, opt, x, y))
    emit(name=f"mlp{hidden}_b{batch}_{optname}_{threads}t", lib="pytorch", value=batch / t, unit="samples/s")
if not quick:
    # The nanoGPT CPU configuration, as bench/compare's gpt times it.
    T, V, E, N = 64, 65, 128, 12

    class Positional(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.randn(T, E))

        def forward(self, x):
            return x + self.weight[: x.shape[1]]

    class Causal(torch.nn.TransformerEncoderLayer):
        def forward(self, x):
            t = x.shape[1]
            return super().forward(x, src_mask=torch.triu(torch.full((t, t), float("-inf")), diagonal=1))

    gpt = torch.nn.Sequential(torch.nn.Embedding(V, E), Positional(),
                              *[Causal(E, 4, 4 * E, 0.0, activation="gelu", batch_first=True, norm_first=True) for _ in range(4)],
                              torch.nn.Linear(E, V))
    ids, dy = torch.randint(0, V, (N, T)), torch.randn(N, T, V)
    t = timeit(lambda: (gpt(ids) * dy).sum().backward())
    emit(name=f"gpt_train_{threads}t", lib="pytorch", value=N * T / t, unit="tokens/s")
    gpt.eval()

    def recompute():
        ctx = torch.zeros(1, 1, dtype=torch.long)
        while ctx.shape[1] < T:
            ctx = torch.cat([ctx, gpt(ctx)[:, -1].argmax(-1, keepdim=True)], 1)

    def cached():
        layers, H = gpt[2:-1], 4
        dh = E // H
        ks, vs = [[] for _ in layers], [[] for _ in layers]
        tok = torch.zeros(1, dtype=torch.long)
        for pos in range(T):
            h = gpt[0](tok) + gpt[1].weight[pos]
            for li, l in enumerate(layers):
                q, k, v = F.linear(l.norm1(h), l.self_attn.in_proj_weight, l.self_attn.in_proj_bias).split(E, dim=-1)
                ks[li].append(k.view(H, 1, dh))
                vs[li].append(v.view(H, 1, dh))
                w = torch.softmax(q.view(H, 1, dh) @ torch.cat(ks[li], 1).transpose(1, 2) / dh ** 0.5, -1)
                h = h + l.self_attn.out_proj((w @ torch.cat(vs[li], 1)).reshape(1, E))
                h = h + l.linear2(F.gelu(l.linear1(l.norm2(h))))
            tok = gpt[-1](h).argmax(-1)

    with torch.inference_mode():
        t = timeit(recompute)
        emit(name=f"gpt_generate_{threads}t", lib="pytorch", value=(T - 1) / t, unit="tokens/s", note="recomputing the context")
        t = timeit(cached)
        emit(name=f"gpt_generate_cached_{threads}t", lib="pytorch", value=T / t, unit="tokens/s", note="own key/value cache")

# Convolutions, in PyTorch's best configuration for each: every row is
# timed with NCHW tensors and with channels_last (oneDNN's preferred
# layout on many CPUs), and the faster is kept, with a note saying which.
# The shapes and networks are bench/compare's conv.go's.
CONV_SHAPES = [
    ("n64_c1to32_28x28_k3", 64, 1, 32, 28, 28, 3, 1, 1, 1),
    ("n64_c32to64_14x14_k3", 64, 32, 64, 14, 14, 3, 1, 1, 1),
    ("n32_c64to64_8x8_k3", 32, 64, 64, 8, 8, 3, 1, 1, 1),
    ("n32_c64to128_8x8_k1", 32, 64, 128, 8, 8, 1, 1, 0, 1),
    ("n32_c64dw_16x16_k3", 32, 64, 64, 16, 16, 3, 1, 1, 64),
    ("n64_c32to64_14x14_k3_s2", 64, 32, 64, 14, 14, 3, 2, 1, 1),
]
FORMATS = [("NCHW", torch.contiguous_format), ("channels_last", torch.channels_last)]


def best_format(make_step):
    """Seconds per call of the faster layout, and that layout's name."""
    best = None
    for name, fmt in FORMATS:
        t = timeit(make_step(fmt))
        if best is None or t < best[0]:
            best = (t, name)
    return best


def conv_step(shape):
    _, n, cin, cout, h, w, k, s, p, g = shape

    def make(fmt):
        x = torch.randn(n, cin, h, w).to(memory_format=fmt).requires_grad_()
        wt = torch.randn(cout, cin // g, k, k).to(memory_format=fmt).requires_grad_()
        b = torch.randn(cout, requires_grad=True)
        dy = torch.randn_like(F.conv2d(x, wt, b, stride=s, padding=p, groups=g))

        def step():
            x.grad = wt.grad = b.grad = None
            F.conv2d(x, wt, b, stride=s, padding=p, groups=g).backward(dy)
        return step
    return make


def lenet():
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))


class ResBlock(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        nn = torch.nn
        self.f = nn.Sequential(nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
                               nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))
        self.head = nn.Sequential(nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 10))

    def forward(self, x):
        return self.head(x + self.f(x))


def net_step(build, opt, shape, batch):
    def make(fmt):
        model = build().to(memory_format=fmt)
        o = opt(model.parameters())
        x = torch.randn(batch, *shape).to(memory_format=fmt)
        y = torch.randint(0, 10, (batch,))
        return lambda: train_step(model, o, x, y)
    return make


for shape in CONV_SHAPES:
    t, fmt = best_format(conv_step(shape))
    emit(name=f"conv2d_{shape[0]}_{threads}t", lib="pytorch", value=t * 1e3, unit="ms", note=fmt)
for name, build, opt, shape, batch in [
        ("lenet", lenet, lambda p: torch.optim.Adam(p, lr=1e-3), (1, 28, 28), 64),
        ("lenet", lenet, lambda p: torch.optim.Adam(p, lr=1e-3), (1, 28, 28), 128),
        ("resblock", lambda: ResBlock(32), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), (32, 14, 14), 64)]:
    t, fmt = best_format(net_step(build, opt, shape, batch))
    emit(name=f"{name}_b{batch}_{threads}t", lib="pytorch", value=batch / t, unit="samples/s", note=fmt)

model = mlp(256).eval()
for batch in (1, 1024):
    x = torch.rand(batch, 784)
    with torch.inference_mode():
        t = timeit(lambda: model(x))
    if batch == 1:
        emit(name=f"infer_b1_{threads}t", lib="pytorch", value=t * 1e6, unit="µs")
    else:
        emit(name=f"infer_b1024_{threads}t", lib="pytorch", value=batch / t, unit="samples/s")
# The same network quantized by quantize_dynamic (qint8 weights), on the
# first engine this build has: Debian's PyTorch lacks fbgemm.
engines = [e for e in ("fbgemm", "onednn", "qnnpack") if e in torch.backends.quantized.supported_engines]
if engines:
    torch.backends.quantized.engine = engines[0]
    qmodel = torch.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    for batch in (1, 1024):
        x = torch.rand(batch, 784)
        with torch.inference_mode():
            t = timeit(lambda: qmodel(x))
        if batch == 1:
            emit(name=f"infer8_b1_{threads}t", lib="pytorch", value=t * 1e6, unit="µs", note=f"{engines[0]} engine")
        else:
            emit(name=f"infer8_b1024_{threads}t", lib="pytorch", value=batch / t, unit="samples/s", note=f"{engines[0]} engine")
