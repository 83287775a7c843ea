#!/usr/bin/python3
"""Writes PyTorch 1.13 reference training trajectories as JSON (train.json).

Each case is a network given as a bigfunc architecture list (the spec's
form), PyTorch's initial state_dict for it (parameters and buffers), a
batch of inputs and class labels, an optimizer, and what full-batch
training with cross-entropy does over a few steps: the loss of each step,
the final state_dict (batch norm's running statistics included), and the
network's outputs in evaluation mode afterwards.

    /usr/bin/python3 conformance/train/gentrain.py --seed N --out DIR

Shapes, widths and optimizer settings vary with the seed. Tensors are
float32, stored as {"shape": [...], "data": [...]} in row-major order.
"""
import argparse, json, os, random
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--out", default=".")
args = ap.parse_args()
torch.manual_seed(args.seed)
rnd = random.Random(args.seed)
torch.set_num_threads(1)


def T(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}


class Residual(nn.Module):
    """output = shortcut(x) + f(x), named as bigfunc names it."""

    def __init__(self, f, shortcut):
        super().__init__()
        self.f = f
        self.shortcut = shortcut

    def forward(self, x):
        s = x if self.shortcut is None else self.shortcut(x)
        return s + self.f(x)


def pair(v):
    return tuple(v) if isinstance(v, list) else (v, v)


def build(arch, shape):
    """Builds an nn.Sequential for per-sample input shape, inferring sizes."""
    mods = []
    for item in arch:
        name, opt = (item, {}) if isinstance(item, str) else next(iter(item.items()))
        if name == "linear":
            m = nn.Linear(shape[-1], opt["out_features"], bias=opt.get("bias", True))
            shape = shape[:-1] + [opt["out_features"]]
        elif name == "conv2d":
            k, s, p = pair(opt.get("kernel_size")), pair(opt.get("stride", 1)), pair(opt.get("padding", 0))
            m = nn.Conv2d(shape[0], opt["out_channels"], k, stride=s, padding=p, groups=opt.get("groups", 1),
                          bias=opt.get("bias", True))
            h = (shape[1] + 2 * p[0] - k[0]) // s[0] + 1
            w = (shape[2] + 2 * p[1] - k[1]) // s[1] + 1
            shape = [opt["out_channels"], h, w]
        elif name == "batch_norm2d":
            m = nn.BatchNorm2d(shape[0], momentum=opt.get("momentum", 0.1))
        elif name == "group_norm":
            m = nn.GroupNorm(opt["num_groups"], shape[0])
        elif name == "max_pool2d":
            k = opt["kernel_size"]
            m = nn.MaxPool2d(k)
            shape = [shape[0], shape[1] // k, shape[2] // k]
        elif name == "avg_pool2d":
            k = opt["kernel_size"]
            m = nn.AvgPool2d(k)
            shape = [shape[0], shape[1] // k, shape[2] // k]
        elif name == "adaptive_avg_pool2d":
            m = nn.AdaptiveAvgPool2d(opt["output_size"])
            shape = [shape[0], opt["output_size"], opt["output_size"]]
        elif name == "flatten":
            m = nn.Flatten()
            n = 1
            for d in shape:
                n *= d
            shape = [n]
        elif name == "residual":
            body, bshape = build(opt["body"] if isinstance(opt, dict) else opt, list(shape))
            sc = None
            if isinstance(opt, dict) and opt.get("shortcut"):
                sc, _ = build(opt["shortcut"], list(shape))
            m = Residual(body, sc)
            shape = bshape
        else:
            m = {"relu": nn.ReLU(), "tanh": nn.Tanh(), "gelu": nn.GELU(), "sigmoid": nn.Sigmoid()}[name]
        mods.append(m)
    return nn.Sequential(*mods), shape


def case(arch, in_shape, n, classes, opt_name, hp, steps):
    net, out = build(arch, list(in_shape))
    assert out == [classes], (arch, out)
    x = torch.randn(n, *in_shape)
    y = torch.randint(0, classes, (n,))
    init = {k: T(v) for k, v in net.state_dict().items()}
    params = list(net.parameters())
    opt = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[opt_name](params, **hp)
    lossf = nn.CrossEntropyLoss()
    net.train()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        l = lossf(net(x), y)
        l.backward()
        opt.step()
        losses.append(float(l))
    net.eval()
    with torch.no_grad():
        ev = net(x)
    return {
        "architecture": arch, "input_shape": list(in_shape), "x": T(x), "labels": [int(v) for v in y],
        "optimizer": {"name": opt_name, **hp}, "steps": steps, "init": init, "losses": losses,
        "final": {k: T(v) for k, v in net.state_dict().items()}, "eval": T(ev),
    }


c1, c2 = rnd.choice([3, 4]), rnd.choice([4, 6])
hw = rnd.choice([6, 8])
cases = [
    case([{"linear": {"out_features": rnd.choice([5, 8])}}, "tanh", {"linear": {"out_features": 3}}],
         [rnd.choice([4, 7])], 6, 3, "sgd", {"lr": 0.1, "momentum": 0.9}, 6),
    # A bias right before batch norm has a gradient of rounding noise only,
    # which Adam would blow up to full steps: no bias there, as usual.
    case([{"conv2d": {"out_channels": c1, "kernel_size": 3, "padding": 1, "bias": False}}, {"batch_norm2d": {}}, "relu",
          {"max_pool2d": {"kernel_size": 2}}, "flatten", {"linear": {"out_features": 3}}],
         [1, hw, hw], 8, 3, "adam", {"lr": 0.01}, 5),
    case([{"conv2d": {"out_channels": c1, "kernel_size": 3, "padding": 1, "bias": False}}, {"batch_norm2d": {}}, "relu",
          {"residual": [{"conv2d": {"out_channels": c1, "kernel_size": 3, "padding": 1, "bias": False}},
                        {"batch_norm2d": {}}, "relu",
                        {"conv2d": {"out_channels": c1, "kernel_size": 3, "padding": 1, "bias": False}},
                        {"batch_norm2d": {}}]},
          "relu",
          {"residual": {"body": [{"conv2d": {"out_channels": c2, "kernel_size": 3, "stride": 2, "padding": 1, "bias": False}},
                                 {"batch_norm2d": {}}, "relu",
                                 {"conv2d": {"out_channels": c2, "kernel_size": 3, "padding": 1, "bias": False}},
                                 {"batch_norm2d": {}}],
                        "shortcut": [{"conv2d": {"out_channels": c2, "kernel_size": 1, "stride": 2, "bias": False}},
                                     {"batch_norm2d": {}}]}},
          "relu", {"adaptive_avg_pool2d": {"output_size": 1}}, "flatten", {"linear": {"out_features": 4}}],
         [2, 8, 8], 6, 4, "sgd", {"lr": 0.05, "momentum": 0.9}, 4),
    case([{"conv2d": {"out_channels": 4, "kernel_size": 3}}, {"group_norm": {"num_groups": 2}}, "gelu",
          {"avg_pool2d": {"kernel_size": 2}}, "flatten", {"linear": {"out_features": 2}}],
         [1, hw, hw], 5, 2, "adam", {"lr": 0.02}, 4),
]

os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "train.json"), "w") as f:
    json.dump({"generator": "torch " + torch.__version__, "seed": args.seed, "cases": cases}, f)
