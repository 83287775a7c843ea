"""gen.py exports small PyTorch models with torch.onnx.export and records
what PyTorch computes, for onnx's import tests.

    /usr/bin/python3 onnx/testdata/pytorch/gen.py --seed 0 --out DIR

writes DIR/NAME_opsetK.onnx for each model and opset, and DIR/outputs.json:
{"NAME_opsetK.onnx": {"input": {"shape", "data"}, "output": {"shape",
"data"}}}. The models: an MLP of several activations (Gemm, ReLU, GELU
through Erf, SiLU, Tanh, LeakyReLU, ELU, Softplus, Hardswish, Sigmoid,
Dropout, BatchNorm1d), an MLP on 3-D input (MatMul + Add), a small CNN with
BatchNorm (Conv, BatchNormalization folded into Conv, MaxPool, AveragePool,
GlobalAveragePool, Flatten), a ResNet with identity and projection
shortcuts, a CNN of the less common convolution and pooling options, a
Conv1d net, and an MLP of the remaining activations, all in evaluation
mode with a dynamic batch dimension, at opsets 13 and 17; three of them
also at opset 15 without constant folding.
"""
import argparse
import json
import os

import torch
from torch import nn


def mlp(seed):
    g = torch.Generator().manual_seed(seed)
    width = 6 + seed % 5
    m = nn.Sequential(
        nn.Linear(5, width), nn.ReLU(),
        nn.Linear(width, width), nn.GELU(),
        nn.Linear(width, width), nn.SiLU(),
        nn.Dropout(0.2),
        nn.Linear(width, width), nn.Tanh(),
        nn.Linear(width, width), nn.LeakyReLU(0.1 + 0.01 * (seed % 7)),
        nn.Linear(width, width), nn.ELU(0.5 + 0.1 * (seed % 3)),
        nn.Linear(width, width), nn.Softplus(),
        nn.Linear(width, width), nn.Hardswish(),
        nn.Linear(width, width), nn.BatchNorm1d(width), nn.Sigmoid(),
        nn.Linear(width, 3),
    )
    randomize(m, g)
    return m, torch.randn(7, 5, generator=g)


def seq_mlp(seed):
    g = torch.Generator().manual_seed(seed + 1)
    m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Flatten())
    randomize(m, g)
    return m, torch.randn(5, 2, 4, generator=g)


def cnn(seed):
    g = torch.Generator().manual_seed(seed + 2)
    c = 4 + seed % 3
    m = nn.Sequential(
        nn.Conv2d(1, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(c, 2 * c, 3, stride=1, padding=1, bias=False), nn.BatchNorm2d(2 * c), nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Conv2d(2 * c, 2 * c, 1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(2 * c, 10),
    )
    randomize(m, g)
    return m, torch.randn(3, 1, 12, 12, generator=g)


class Res(nn.Module):
    """A ResNet basic block: relu(body(x) + shortcut(x))."""

    def __init__(self, c, project):
        super().__init__()
        o, s = (2 * c, 2) if project else (c, 1)
        self.body = nn.Sequential(
            nn.Conv2d(c, o, 3, stride=s, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(),
            nn.Conv2d(o, o, 3, padding=1, bias=False), nn.BatchNorm2d(o))
        self.short = nn.Sequential(nn.Conv2d(c, o, 1, stride=s, bias=False), nn.BatchNorm2d(o)) if project else None

    def forward(self, x):
        return torch.relu(self.body(x) + (x if self.short is None else self.short(x)))


class ViewFlat(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)


def resnet(seed):
    g = torch.Generator().manual_seed(seed + 3)
    m = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                      Res(4, False), Res(4, True), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5))
    randomize(m, g)
    return m, torch.randn(2, 3, 8, 8, generator=g)


def cnn_more(seed):
    """Grouped and dilated convolutions, pooling with padding and ceil_mode,
    a view instead of Flatten, GroupNorm, Conv1d and ConvTranspose2d."""
    g = torch.Generator().manual_seed(seed + 4)
    m = nn.Sequential(
        nn.Conv2d(2, 4, 3, groups=2, dilation=2, padding=2), nn.GroupNorm(2, 4),
        nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        nn.AvgPool2d(2, stride=1, padding=1, count_include_pad=False),
        nn.ConvTranspose2d(4, 4, 3, stride=2, padding=1, output_padding=1), nn.Tanh(),
        nn.Conv2d(4, 6, 2, stride=2), nn.Hardtanh(-0.5, 0.7),
        ViewFlat(), nn.Linear(6 * 6 * 6, 2))
    randomize(m, g)
    return m, torch.randn(2, 2, 9, 9, generator=g)


def conv1d(seed):
    g = torch.Generator().manual_seed(seed + 5)
    m = nn.Sequential(nn.Conv1d(2, 3, 3, padding=1), nn.BatchNorm1d(3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 7, 2))
    randomize(m, g)
    return m, torch.randn(2, 2, 7, generator=g)


def activations(seed):
    """Every activation torch.onnx.export writes as more than one node,
    or with options: an MLP of them."""
    g = torch.Generator().manual_seed(seed + 6)
    acts = [nn.PReLU(8), nn.ReLU6(), nn.SELU(), nn.CELU(0.8), nn.Softsign(), nn.Tanhshrink(),
            nn.Softshrink(0.3), nn.Hardshrink(0.4), nn.LogSigmoid(), nn.Mish(), nn.GELU(approximate="tanh"),
            nn.Hardsigmoid(), nn.Softplus(beta=2.0), nn.LayerNorm(8), nn.PReLU(), nn.Softmax(dim=1)]
    layers = [nn.Linear(5, 8)]
    for a in acts:
        layers += [a, nn.Linear(8, 8)]
    m = nn.Sequential(*layers, nn.LogSoftmax(dim=1))
    randomize(m, g)
    return m, torch.randn(4, 5, generator=g)


def randomize(m, g):
    """Random weights and running statistics, so that BatchNorm does more
    than the identity."""
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
        for name, b in m.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, generator=g) * 0.3)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=g) + 0.5)
    m.eval()


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1)]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    outputs = {}
    for name, make in [("mlp", mlp), ("seq_mlp", seq_mlp), ("cnn", cnn), ("resnet", resnet),
                       ("cnn_more", cnn_more), ("conv1d", conv1d), ("activations", activations)]:
        model, x = make(args.seed)
        with torch.no_grad():
            y = model(x)
        for opset in (13, 17):
            fname = "%s_opset%d.onnx" % (name, opset)
            torch.onnx.export(
                model, x, os.path.join(args.out, fname), opset_version=opset,
                input_names=["input"], output_names=["output"],
                dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
            )
            outputs[fname] = {"input": tensor_json(x), "output": tensor_json(y)}
        if name in ("mlp", "cnn_more", "activations"):
            # Without constant folding, weights pass through Unsqueeze,
            # Neg or Transpose nodes; initializers also listed as inputs.
            fname = "%s_nofold_opset15.onnx" % name
            torch.onnx.export(
                model, x, os.path.join(args.out, fname), opset_version=15,
                input_names=["input"], output_names=["output"],
                dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                do_constant_folding=False, keep_initializers_as_inputs=True,
            )
            outputs[fname] = {"input": tensor_json(x), "output": tensor_json(y)}
    with open(os.path.join(args.out, "outputs.json"), "w") as f:
        json.dump(outputs, f)


if __name__ == "__main__":
    main()
