"""gen.py exports small PyTorch models with torch.onnx.export and records
what PyTorch computes, for onnx's import tests.

    /usr/bin/python3 onnx/testdata/pytorch/gen.py --seed 0 --out DIR

writes DIR/NAME_opsetK.onnx for each model and opset, and DIR/outputs.json:
{"NAME_opsetK.onnx": {"input": {"shape", "data"}, "output": {"shape",
"data"}}}. The models: an MLP of several activations (Gemm, ReLU, GELU
through Erf, SiLU, Tanh, LeakyReLU, ELU, Softplus, Hardswish, Sigmoid,
Dropout), an MLP on 3-D input (MatMul + Add), and a small CNN with
BatchNorm (Conv, BatchNormalization or its fold into Conv, MaxPool,
AveragePool, GlobalAveragePool, Flatten), all in evaluation mode with a
dynamic batch dimension, at opsets 13 and 17.
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
    for name, make in [("mlp", mlp), ("seq_mlp", seq_mlp), ("cnn", cnn)]:
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
    with open(os.path.join(args.out, "outputs.json"), "w") as f:
        json.dump(outputs, f)


if __name__ == "__main__":
    main()
