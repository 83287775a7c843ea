"""Writes gelu_torch.json: PyTorch 1.13's exact GELU and its gradient on a
CPU, as float32 bit patterns, for activation's bit-for-bit test.

    /usr/bin/python3 activation/testdata/gelu_torch.py [--out FILE] [--seed N]

The inputs mix normal and uniform draws with edge values (signed zeros,
infinities, values far into both tails, subnormals) in one contiguous
tensor, which is the layout the layers hand to the kernel.
"""
import argparse, json, os, tempfile

import numpy as np
import torch


def bits(t):
    return [format(int(v), "08x") for v in t.detach().numpy().view(np.uint32)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "gelu_torch.json"))
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)
    edge = torch.tensor([0.0, -0.0, 1e-30, -1e-30, 1e-40, -1e-40, 1e-7, -1e-7,
                         5.0, -5.0, 9.0, -9.0, 13.2, -13.2, 14.0, -14.0, 30.0, -30.0,
                         1e10, -1e10, 3e38, -3e38, float("inf"), -float("inf")])
    x = torch.cat([torch.randn(1000) * 3, torch.rand(1000) * 24 - 12, edge])
    x.requires_grad_(True)
    y = torch.nn.functional.gelu(x)
    dy = torch.randn(x.shape)
    y.backward(dy)
    doc = {"torch": torch.__version__, "seed": a.seed,
           "x": bits(x), "y": bits(y), "dy": bits(dy), "dx": bits(x.grad)}
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(a.out))
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
