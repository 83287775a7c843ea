#!/usr/bin/python3
"""Writes PyTorch reference cases for the pooling and normalisation layers.

Run with Debian's python3-torch (1.13), from any directory:

    /usr/bin/python3 conformance/norm/gennorm.py --seed N --out DIR

It writes DIR/norm.json. Each case names a layer by its spec key ("op") and
options ("config", the spec's form: pairs sometimes as one integer,
sometimes as a list); "params" and "buffers" hold the state to load under
state_dict names; "steps" run in order on the same layer, each in "train"
or "eval" mode: the input x, the output y, the upstream gradient dy, and
PyTorch's dx and parameter gradients (zeroed before each step), with the
buffers after the step. BatchNorm cases take several training steps on
different batches (of different sizes) and then evaluate, so the running
statistics and num_batches_tracked are compared as they evolve.

Shapes and options vary with the seed; a fixed list of cases covers the
options every seed (ceil_mode, count_include_pad, padding, dilation,
non-square kernels, odd sizes, momentum None, affine False,
track_running_stats False, group counts), and more are drawn at random.
Every tensor is float32, {"shape": [...], "data": [...]} in row-major
order.
"""
import argparse
import json
import os
import random

import torch
import torch.nn as tnn

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--out", default=".")
args = ap.parse_args()

rnd = random.Random(args.seed)
g = torch.Generator().manual_seed(args.seed)


def T(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}


def randn(*shape, scale=1.0, shift=0.0):
    return torch.randn(*shape, generator=g) * scale + shift


def pair(v):
    return tuple(v) if isinstance(v, list) else (v, v)


def spec_pair(v):
    """A pair as the spec may write it: one integer when both agree, at
    random."""
    a, b = pair(v)
    if a == b and rnd.random() < 0.5:
        return a
    return [a, b]


def module(op, cfg, in_shape):
    c = in_shape[0]
    if op == "max_pool2d":
        return tnn.MaxPool2d(pair(cfg["kernel_size"]), stride=pair(cfg["stride"]) if "stride" in cfg else None,
                             padding=pair(cfg.get("padding", 0)), dilation=pair(cfg.get("dilation", 1)),
                             ceil_mode=cfg.get("ceil_mode", False))
    if op == "avg_pool2d":
        return tnn.AvgPool2d(pair(cfg["kernel_size"]), stride=pair(cfg["stride"]) if "stride" in cfg else None,
                             padding=pair(cfg.get("padding", 0)), ceil_mode=cfg.get("ceil_mode", False),
                             count_include_pad=cfg.get("count_include_pad", True))
    if op == "adaptive_avg_pool2d":
        return tnn.AdaptiveAvgPool2d(pair(cfg["output_size"]))
    if op in ("batch_norm1d", "batch_norm2d"):
        cls = tnn.BatchNorm1d if op == "batch_norm1d" else tnn.BatchNorm2d
        return cls(c, eps=cfg.get("eps", 1e-5), momentum=cfg.get("momentum", 0.1),
                   affine=cfg.get("affine", True), track_running_stats=cfg.get("track_running_stats", True))
    if op == "layer_norm":
        shape = cfg.get("normalized_shape", [in_shape[-1]])
        return tnn.LayerNorm(shape, eps=cfg.get("eps", 1e-5), elementwise_affine=cfg.get("elementwise_affine", True))
    if op == "group_norm":
        return tnn.GroupNorm(cfg["num_groups"], c, eps=cfg.get("eps", 1e-5), affine=cfg.get("affine", True))
    raise ValueError(op)


def run_case(name, op, cfg, batches, modes, ties=False, random_state=True):
    """Runs one layer through len(batches) steps; batches are per-step
    input shapes [N, ...]."""
    m = module(op, cfg, batches[0][1:])
    params, buffers = {}, {}
    with torch.no_grad():
        for pname, p in m.named_parameters():
            p.copy_(randn(*p.shape, scale=0.5, shift=1.0 if pname == "weight" else 0.0))
            params[pname] = T(p)
        for bname, b in m.named_buffers():
            if not random_state:
                pass
            elif bname == "running_mean":
                b.copy_(randn(*b.shape, scale=0.3))
            elif bname == "running_var":
                b.copy_(torch.rand(*b.shape, generator=g) + 0.5)
            elif bname == "num_batches_tracked":
                b.fill_(rnd.randint(0, 5))
            buffers[bname] = T(b)
    steps = []
    for shape, mode in zip(batches, modes):
        m.train(mode == "train")
        if ties:
            x = torch.randint(-2, 3, tuple(shape), generator=g).float()
        else:
            x = randn(*shape, scale=rnd.choice([0.5, 1.0, 3.0]), shift=rnd.choice([0.0, 0.5, -2.0]))
        x.requires_grad_(True)
        m.zero_grad()
        y = m(x)
        dy = randn(*y.shape)
        (y * dy).sum().backward()
        step = {"mode": mode, "x": T(x), "y": T(y), "dy": T(dy), "dx": T(x.grad),
                "grads": {pname: T(p.grad) for pname, p in m.named_parameters()},
                "buffers": {bname: T(b) for bname, b in m.named_buffers()}}
        steps.append(step)
    return {"name": name, "op": op, "config": cfg, "params": params, "buffers": buffers, "steps": steps}


def pool_out(size, k, s, p, d, ceil):
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    out = num // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def pool_input(cfg, dilation=True):
    """An input that fits the pooling options, every window of which holds
    at least one input element: PyTorch 1.13 reads out of bounds on a
    window that dilation steps over entirely."""
    k = pair(cfg["kernel_size"])
    s = pair(cfg.get("stride", cfg["kernel_size"]))
    p = pair(cfg.get("padding", 0))
    d = pair(cfg.get("dilation", 1)) if dilation else (1, 1)
    dims = []
    for i in range(2):
        lo = max(d[i] * (k[i] - 1) + 1 - 2 * p[i], 1)
        while True:
            v = rnd.randint(lo, lo + 7)
            out = pool_out(v, k[i], s[i], p[i], d[i], cfg.get("ceil_mode", False))
            if out >= 1 and all(any(0 <= o * s[i] - p[i] + j * d[i] < v for j in range(k[i])) for o in range(out)):
                break
        dims.append(v)
    return [rnd.randint(1, 3), rnd.randint(1, 3)] + dims


def random_pool(op):
    k = [rnd.randint(1, 4), rnd.randint(1, 4)]
    cfg = {"kernel_size": spec_pair(k)}
    if rnd.random() < 0.7:
        cfg["stride"] = spec_pair([rnd.randint(1, 3), rnd.randint(1, 3)])
    if rnd.random() < 0.6:
        cfg["padding"] = spec_pair([rnd.randint(0, k[0] // 2), rnd.randint(0, k[1] // 2)])
    if op == "max_pool2d" and rnd.random() < 0.5:
        cfg["dilation"] = spec_pair([rnd.randint(1, 3), rnd.randint(1, 3)])
    cfg["ceil_mode"] = rnd.random() < 0.5
    if op == "avg_pool2d":
        cfg["count_include_pad"] = rnd.random() < 0.5
    return cfg


cases = []


def pool_case(name, op, cfg, ties=False):
    shape = pool_input(cfg, dilation=(op == "max_pool2d"))
    other = list(shape)
    other[0] = rnd.randint(1, 3)
    cases.append(run_case(name, op, cfg, [shape, other], ["train", "eval"], ties=ties))


# ---- pooling: a fixed list covering the options, then random ones.
pool_case("max default", "max_pool2d", {"kernel_size": 2})
pool_case("max ceil padded", "max_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True})
pool_case("max non-square dilated", "max_pool2d",
          {"kernel_size": [2, 3], "stride": [2, 1], "padding": [1, 1], "dilation": [2, 1]})
pool_case("max dilated ceil", "max_pool2d",
          {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2, "ceil_mode": True})
pool_case("max ties", "max_pool2d", {"kernel_size": 3, "stride": 1, "padding": 1}, ties=True)
pool_case("max ties strided", "max_pool2d", {"kernel_size": [2, 3], "stride": 2, "ceil_mode": True}, ties=True)
pool_case("avg default", "avg_pool2d", {"kernel_size": 2})
pool_case("avg ceil include pad", "avg_pool2d",
          {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": True})
pool_case("avg ceil exclude pad", "avg_pool2d",
          {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False})
pool_case("avg non-square", "avg_pool2d", {"kernel_size": [3, 2], "padding": [1, 0], "ceil_mode": True})
for i in range(4):
    pool_case(f"max random {i}", "max_pool2d", random_pool("max_pool2d"))
    pool_case(f"avg random {i}", "avg_pool2d", random_pool("avg_pool2d"))
for out in (1, [2, 3], [rnd.randint(1, 4), rnd.randint(4, 8)]):
    cfg = {"output_size": out}
    shape = [rnd.randint(1, 3), rnd.randint(1, 3), rnd.randint(3, 9), rnd.randint(3, 9)]
    other = [rnd.randint(1, 3)] + shape[1:]
    cases.append(run_case(f"adaptive {out}", "adaptive_avg_pool2d", cfg, [shape, other], ["train", "eval"]))

# ---- batch norm: several training steps on batches of different sizes,
# then evaluation.


def bn_case(name, op, cfg, random_state=True):
    c = rnd.randint(1, 4) if name.endswith("default") else rnd.randint(2, 4)
    if op == "batch_norm2d":
        per = [c, rnd.randint(1, 5), rnd.randint(1, 5)]
    elif rnd.random() < 0.5 and name != "bn1d flat":
        per = [c, rnd.randint(1, 6)]
    else:
        per = [c]
    def batch():
        # At least three values per channel (see gn_case).
        n = rnd.randint(2 if len(per) > 1 and per[1] * per[-1] > 1 else 3, 5)
        return [n] + per
    steps = rnd.randint(3, 4)
    shapes = [batch() for _ in range(steps + 2)]
    modes = ["train"] * steps + ["eval", "eval"]
    cases.append(run_case(name, op, cfg, shapes, modes, random_state=random_state))


bn_case("bn2d default", "batch_norm2d", {})
bn_case("bn2d spec", "batch_norm2d", {"eps": 1e-5, "momentum": 0.1}, random_state=False)
bn_case("bn2d cumulative", "batch_norm2d", {"momentum": None})
bn_case("bn2d no affine", "batch_norm2d", {"affine": False, "momentum": round(rnd.uniform(0.05, 0.9), 3)})
bn_case("bn2d untracked", "batch_norm2d", {"track_running_stats": False})
bn_case("bn2d untracked no affine", "batch_norm2d", {"track_running_stats": False, "affine": False, "eps": 1e-3})
bn_case("bn1d default", "batch_norm1d", {})
bn_case("bn1d flat", "batch_norm1d", {"momentum": 0.3, "eps": 1e-4})
bn_case("bn1d cumulative", "batch_norm1d", {"momentum": None, "affine": rnd.random() < 0.5})
bn_case("bn1d untracked", "batch_norm1d", {"track_running_stats": False})

# ---- layer norm and group norm: the same in both modes.


def ln_case(name, cfg, per):
    shapes = [[rnd.randint(1, 4)] + per, [rnd.randint(1, 4)] + per]
    cases.append(run_case(name, "layer_norm", cfg, shapes, ["train", "eval"]))


ln_case("ln sequence", {}, [rnd.randint(1, 5), rnd.randint(3, 9)])
ln_case("ln vector", {}, [rnd.randint(3, 9)])
t, d = rnd.randint(2, 4), rnd.randint(2, 6)
ln_case("ln two dims", {"normalized_shape": [t, d]}, [rnd.randint(1, 3), t, d])
ln_case("ln no affine", {"elementwise_affine": False, "eps": 1e-3}, [rnd.randint(1, 4), rnd.randint(3, 7)])


# Every normalised run holds at least three values: with two, x̂ = ±1
# whatever x is, so the output and dx depend on x only through eps and are
# dominated by float32 rounding, PyTorch's as much as ours.


def gn_case(name, groups, per_group, cfg, spatial):
    c = groups * per_group
    cfg = dict(cfg, num_groups=groups)
    shapes = [[rnd.randint(1, 3), c] + spatial, [rnd.randint(1, 3), c] + spatial]
    cases.append(run_case(name, "group_norm", cfg, shapes, ["train", "eval"]))


gn_case("gn image", rnd.randint(2, 3), rnd.randint(1, 3), {}, [rnd.randint(2, 4), rnd.randint(2, 4)])
c = rnd.randint(2, 5)
gn_case("gn instance", c, 1, {"eps": 1e-4}, [rnd.randint(2, 5), rnd.randint(2, 5)])
gn_case("gn sequence no affine", rnd.randint(1, 3), 2, {"affine": False}, [rnd.randint(2, 6)])
gn_case("gn one group", 1, rnd.randint(3, 4), {}, [rnd.randint(1, 3), rnd.randint(1, 3)])
gn_case("gn vector", rnd.randint(1, 3), rnd.randint(3, 4), {}, [])

os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "norm.json"), "w") as f:
    json.dump({"generator": "torch " + torch.__version__, "seed": args.seed, "cases": cases}, f)
