#!/usr/bin/python3
"""Writes PyTorch 1.13 reference cases for the convolution layers as conv.json.

Usage: /usr/bin/python3 genconv.py --seed N --out DIR   (from any directory)

Each case is one layer, given by its spec op and options ("conv2d",
"conv1d", "conv_transpose2d" with PyTorch's option names), its parameters,
an input x and an output gradient dy, with PyTorch's output y and the
gradients dx, dweight and dbias of sum(y * dy). The seed picks the shapes
and options within each kind of case as well as the values, so every seed
covers groups, depthwise, dilation, strides, "same" and "valid" padding,
output_padding and 1-d convolutions, each time at other sizes.

"networks" holds small convolutional networks given as spec architecture
lists, with their parameters under PyTorch's state_dict names, an input,
class targets, the output y, the cross-entropy loss, its gradient dy with
respect to y, and the gradient of every parameter. Tensors are float32,
stored as {"shape": [...], "data": [...]} in row-major order.
"""
import argparse
import json
import os
import random
import warnings

import torch

# PyTorch warns that "same" padding with an even kernel copies the input.
warnings.filterwarnings("ignore", message=".*padding='same'.*")

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--out", default=".")
args = ap.parse_args()

rnd = random.Random(args.seed)
torch.manual_seed(args.seed)


def T(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}


def pick(*options):
    return rnd.choice(options)


def form(v, dims):
    """An option as the spec may write it: a bare integer when every
    dimension agrees (sometimes), else a list."""
    v = list(v) if isinstance(v, (list, tuple)) else [v] * dims
    if all(x == v[0] for x in v) and rnd.random() < 0.5:
        return v[0]
    return v


def pair(lo, hi):
    """Two sizes, equal half the time."""
    a = rnd.randint(lo, hi)
    return (a, a) if rnd.random() < 0.5 else (a, rnd.randint(lo, hi))


cases = []


def emit(op, config, module, in_shape):
    n = rnd.randint(1, 4)
    x = torch.randn(n, *in_shape, requires_grad=True)
    y = module(x)
    dy = torch.randn_like(y)
    y.backward(dy)
    c = {"op": op, "config": config, "x": T(x), "weight": T(module.weight), "y": T(y), "dy": T(dy),
         "dx": T(x.grad), "dweight": T(module.weight.grad)}
    if module.bias is not None:
        c["bias"] = T(module.bias)
        c["dbias"] = T(module.bias.grad)
    cases.append(c)


def conv2d(kind):
    cin, cout, groups = rnd.randint(1, 5), rnd.randint(1, 6), 1
    k, s, p, d = pair(1, 4), (1, 1), (0, 0), (1, 1)
    padding = None
    bias = True
    if kind == "basic":
        k = (3, 3)
        p = (1, 1)
    elif kind == "stride":
        s, p = pair(2, 3), pair(0, 2)
    elif kind == "dilation":
        d, p = pair(2, 3), pair(0, 2)
    elif kind == "groups":
        groups = pick(2, 3)
        cin, cout = groups * rnd.randint(1, 3), groups * rnd.randint(1, 3)
        s, p = pair(1, 2), pair(0, 1)
    elif kind == "depthwise":
        groups = cin = rnd.randint(2, 6)
        cout = cin * pick(1, 2)
        k = pair(2, 5)
        p = (k[0] // 2, k[1] // 2)
    elif kind == "depthwise_strided":
        groups = cin = rnd.randint(2, 5)
        cout = cin
        k, s, p = (3, 3), (2, 2), (1, 1)
    elif kind == "same":
        k, d = pair(1, 4), pair(1, 2)
        padding = "same"
        if rnd.random() < 0.5:
            groups = pick(1, 2)
            cin, cout = groups * rnd.randint(1, 3), groups * rnd.randint(1, 3)
    elif kind == "valid":
        s = pair(1, 2)
        padding = "valid"
    elif kind == "pointwise":
        k, s = (1, 1), pair(1, 2)
        cin, cout = rnd.randint(2, 8), rnd.randint(2, 8)
    elif kind == "nobias":
        bias, s, p = False, pair(1, 2), pair(0, 2)
    # The input must hold the dilated kernel.
    span = [d[i] * (k[i] - 1) + 1 for i in range(2)]
    pad = (0, 0) if padding else p
    h = max(span[0] - 2 * pad[0], 1) + rnd.randint(0, 6)
    w = max(span[1] - 2 * pad[1], 1) + rnd.randint(0, 6)
    m = torch.nn.Conv2d(cin, cout, k, stride=s, padding=padding or p, dilation=d, groups=groups, bias=bias)
    cfg = {"out_channels": cout, "kernel_size": form(k, 2)}
    # Options left out take their defaults; the others are written.
    if s != (1, 1) or rnd.random() < 0.3:
        cfg["stride"] = form(s, 2)
    if padding:
        cfg["padding"] = padding
    elif p != (0, 0) or rnd.random() < 0.3:
        cfg["padding"] = form(p, 2)
    if d != (1, 1) or rnd.random() < 0.3:
        cfg["dilation"] = form(d, 2)
    if groups != 1 or rnd.random() < 0.3:
        cfg["groups"] = groups
    if not bias or rnd.random() < 0.3:
        cfg["bias"] = bias
    emit("conv2d", cfg, m, (cin, h, w))


def conv1d(kind):
    cin, cout, groups = rnd.randint(1, 5), rnd.randint(1, 6), 1
    k, s, p, d, padding, bias = rnd.randint(2, 5), 1, 0, 1, None, True
    if kind == "basic":
        p = k // 2
    elif kind == "strided":
        s, p, d = rnd.randint(2, 3), rnd.randint(0, 2), rnd.randint(1, 2)
    elif kind == "same":
        d, padding = rnd.randint(1, 3), "same"
    elif kind == "valid":
        padding = "valid"
    elif kind == "groups":
        groups = pick(2, 3)
        cin, cout = groups * rnd.randint(1, 2), groups * rnd.randint(1, 3)
        p, bias = rnd.randint(0, 2), rnd.random() < 0.5
    elif kind == "depthwise":
        groups = cin = rnd.randint(2, 5)
        cout = cin
        p = k // 2
    span = d * (k - 1) + 1
    pad = 0 if padding else p
    length = max(span - 2 * pad, 1) + rnd.randint(0, 8)
    m = torch.nn.Conv1d(cin, cout, k, stride=s, padding=padding or p, dilation=d, groups=groups, bias=bias)
    cfg = {"out_channels": cout, "kernel_size": form(k, 1), "stride": s, "padding": padding or form(p, 1),
           "dilation": d, "groups": groups, "bias": bias}
    emit("conv1d", cfg, m, (cin, length))


def conv_transpose2d(kind):
    cin, cout, groups = rnd.randint(1, 5), rnd.randint(1, 5), 1
    k, s, p, op, d, bias = pair(1, 4), (1, 1), (0, 0), (0, 0), (1, 1), True
    if kind == "stride":
        k, s = pair(2, 4), pair(2, 3)
        p = (rnd.randint(0, k[0] - 1), rnd.randint(0, k[1] - 1))
        op = (rnd.randint(0, s[0] - 1), rnd.randint(0, s[1] - 1))
    elif kind == "groups":
        groups = pick(2, 3)
        cin, cout = groups * rnd.randint(1, 2), groups * rnd.randint(1, 2)
        s = pair(1, 2)
        op = (rnd.randint(0, s[0] - 1), rnd.randint(0, s[1] - 1))
    elif kind == "dilation":
        d = pair(2, 3)
        k = pair(2, 3)
        op = (rnd.randint(0, d[0] - 1), rnd.randint(0, d[1] - 1))
        p = (rnd.randint(0, 1), rnd.randint(0, 1))
    elif kind == "depthwise":
        groups = cin = cout = rnd.randint(2, 4)
        k, s, p = (3, 3), pair(1, 2), (1, 1)
    elif kind == "nobias":
        bias, s = False, (2, 2)
        op = (1, 0)
    # The output (H−1)·s − 2p + d(k−1) + op + 1 must not be empty.
    h, w = rnd.randint(1, 5), rnd.randint(1, 5)
    while (h - 1) * s[0] - 2 * p[0] + d[0] * (k[0] - 1) + op[0] < 0:
        h += 1
    while (w - 1) * s[1] - 2 * p[1] + d[1] * (k[1] - 1) + op[1] < 0:
        w += 1
    m = torch.nn.ConvTranspose2d(cin, cout, k, stride=s, padding=p, output_padding=op, groups=groups,
                                 bias=bias, dilation=d)
    cfg = {"out_channels": cout, "kernel_size": form(k, 2), "stride": form(s, 2), "padding": form(p, 2),
           "output_padding": form(op, 2), "dilation": form(d, 2), "groups": groups, "bias": bias}
    emit("conv_transpose2d", cfg, m, (cin, h, w))


for kind in ["basic", "stride", "dilation", "groups", "depthwise", "depthwise_strided", "same", "valid",
             "pointwise", "nobias", "same", "stride", "groups"]:
    conv2d(kind)
for kind in ["basic", "strided", "same", "valid", "groups", "depthwise"]:
    conv1d(kind)
for kind in ["plain", "stride", "groups", "dilation", "depthwise", "nobias", "stride"]:
    conv_transpose2d(kind)


# ---- small networks through the spec: forward, cross-entropy loss and the
# gradient of every parameter under its state_dict name.
def build(arch, in_shape):
    """The torch.nn.Sequential for a spec architecture list."""
    layers, shape = [], list(in_shape)
    for item in arch:
        if isinstance(item, str):
            layers.append({"relu": torch.nn.ReLU(), "tanh": torch.nn.Tanh(), "flatten": torch.nn.Flatten()}[item])
        else:
            (op, cfg), = item.items()
            if op == "linear":
                layers.append(torch.nn.Linear(shape[0], cfg))
            else:
                kw = {k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items() if k != "out_channels"}
                cls = {"conv2d": torch.nn.Conv2d, "conv1d": torch.nn.Conv1d,
                       "conv_transpose2d": torch.nn.ConvTranspose2d}[op]
                layers.append(cls(shape[0], cfg["out_channels"], **kw))
        with torch.no_grad():
            shape = list(torch.nn.Sequential(*layers)(torch.zeros(1, *in_shape)).shape[1:])
    return torch.nn.Sequential(*layers)


def network(arch, in_shape, classes):
    net = build(arch, in_shape)
    n = rnd.randint(2, 5)
    x = torch.randn(n, *in_shape)
    target = torch.randint(0, classes, (n,))
    y = net(x)
    y.retain_grad()
    value = torch.nn.functional.cross_entropy(y, target)
    value.backward()
    networks.append({"architecture": arch, "loss": "cross_entropy", "x": T(x), "target": T(target.float()),
                     "params": {k: T(v) for k, v in net.state_dict().items()}, "y": T(y), "dy": T(y.grad),
                     "value": float(value), "grads": {k: T(p.grad) for k, p in net.named_parameters()}})


networks = []
c1, c2, g = rnd.randint(2, 4), 2 * rnd.randint(1, 3), pick(1, 2)
network([{"conv2d": {"out_channels": 2 * c1, "kernel_size": 3, "padding": 1}}, "relu",
         {"conv2d": {"out_channels": c2, "kernel_size": pick(2, 3), "stride": 2, "groups": g}}, "tanh",
         "flatten", {"linear": 3}], (rnd.randint(1, 3), rnd.randint(6, 9), rnd.randint(6, 9)), 3)
c = rnd.randint(2, 4)
network([{"conv1d": {"out_channels": c, "kernel_size": 3, "padding": "same"}}, "relu",
         {"conv1d": {"out_channels": c, "kernel_size": 3, "groups": c, "dilation": 2}}, "flatten",
         {"linear": 4}], (2, rnd.randint(8, 14)), 4)
network([{"conv2d": {"out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1}}, "relu",
         {"conv_transpose2d": {"out_channels": rnd.randint(1, 3), "kernel_size": 3, "stride": 2, "padding": 1,
                               "output_padding": 1}}, "flatten", {"linear": 2}],
        (2, 2 * rnd.randint(2, 4), 2 * rnd.randint(2, 4)), 2)

os.makedirs(args.out, exist_ok=True)
path = os.path.join(args.out, "conv.json")
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump({"generator": "torch " + torch.__version__, "seed": args.seed, "cases": cases, "networks": networks}, f)
    f.flush()
    os.fsync(f.fileno())
os.replace(tmp, path)
