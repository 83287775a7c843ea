#!/usr/bin/python3
"""State dicts with BatchNorm buffers, between PyTorch and bigfunc.

Run with Debian's python3-torch (1.13), from any directory:

    /usr/bin/python3 conformance/norm/bnstate.py make
        writes, next to this script, pytorch_bn.safetensors (the state_dict
        of NET after a few training-mode batches, num_batches_tracked as
        I64) and pytorch_bn.json (the spec architecture, the input shape, an
        input batch x and PyTorch's eval-mode output y).

    /usr/bin/python3 conformance/norm/bnstate.py eval MODEL X.json
        loads MODEL, a safetensors file bigfunc wrote, into NET with
        load_state_dict(strict=True) and prints NET's eval-mode output for
        the batch in X.json ({"shape": [...], "data": [...]}) as JSON.

The safetensors package is not part of Debian, so files are read and
written here with struct and json, following the format.
"""
import json
import os
import struct
import sys

import torch
import torch.nn as tnn

HERE = os.path.dirname(os.path.abspath(__file__))

# The network in bigfunc's spec form, and the same network in PyTorch.
ARCHITECTURE = [
    {"batch_norm2d": {"eps": 1e-5, "momentum": 0.1}},
    "relu",
    {"max_pool2d": {"kernel_size": 2}},
    {"group_norm": {"num_groups": 3}},
    {"adaptive_avg_pool2d": {"output_size": 2}},
    "flatten",
    {"linear": 5},
    {"batch_norm1d": {"momentum": None}},
    {"layer_norm": {}},
    {"linear": 2},
]
INPUT_SHAPE = [3, 6, 6]


def net():
    return tnn.Sequential(
        tnn.BatchNorm2d(3), tnn.ReLU(), tnn.MaxPool2d(2), tnn.GroupNorm(3, 3),
        tnn.AdaptiveAvgPool2d(2), tnn.Flatten(), tnn.Linear(12, 5),
        tnn.BatchNorm1d(5, momentum=None), tnn.LayerNorm(5), tnn.Linear(5, 2))


DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def save(state, path):
    names = sorted(state)
    header, offset, chunks = {"__metadata__": {"format": "pt"}}, 0, []
    for name in names:
        t = state[name].detach().contiguous()
        data = t.numpy().tobytes()  # little-endian on x86 and ARM
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


def load(path):
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    base = 8 + n
    types = {"F32": torch.float32, "I64": torch.int64}
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        lo, hi = e["data_offsets"]
        buf = bytearray(b[base + lo:base + hi])
        t = torch.frombuffer(buf, dtype=types[e["dtype"]]) if hi > lo else torch.zeros(0, dtype=types[e["dtype"]])
        out[name] = t.reshape(e["shape"]).clone()
    return out


def make():
    torch.manual_seed(7)
    m = net()
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.add_(torch.randn(p.shape) * 0.3)
    m.train()
    with torch.no_grad():
        for step in range(4):
            m(torch.randn(5 + step, *INPUT_SHAPE) * (1 + step) + step)
    save(m.state_dict(), os.path.join(HERE, "pytorch_bn.safetensors"))
    m.eval()
    x = torch.randn(4, *INPUT_SHAPE) * 2 + 1
    with torch.no_grad():
        y = m(x)
    t = lambda v: {"shape": list(v.shape), "data": [float(a) for a in v.flatten().tolist()]}
    with open(os.path.join(HERE, "pytorch_bn.json"), "w") as f:
        json.dump({"torch": torch.__version__, "architecture": ARCHITECTURE, "input_shape": INPUT_SHAPE,
                   "x": t(x), "y": t(y)}, f)
        f.write("\n")


def evaluate(model, xpath):
    m = net()
    m.load_state_dict(load(model), strict=True)
    m.eval()
    with open(xpath) as f:
        xj = json.load(f)
    x = torch.tensor(xj["data"], dtype=torch.float32).reshape(xj["shape"])
    with torch.no_grad():
        y = m(x)
    json.dump({"shape": list(y.shape), "data": [float(a) for a in y.flatten().tolist()]}, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"]:
        make()
    elif sys.argv[1:2] == ["eval"] and len(sys.argv) == 4:
        evaluate(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: bnstate.py make | eval MODEL X.json")
