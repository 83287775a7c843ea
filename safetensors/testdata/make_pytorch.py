#!/usr/bin/python3
"""Regenerate the PyTorch fixtures that the Go tests read.

Run from anywhere with PyTorch installed (Debian: apt-get install
python3-torch):

    /usr/bin/python3 safetensors/testdata/make_pytorch.py

It writes, next to this script:

  pytorch_mlp.safetensors  state_dict of Sequential(Linear(3,5), ReLU(),
                           Linear(5,2)) built with torch.manual_seed(0)
  pytorch_mlp.json         a fixed input batch x (4x3) and PyTorch's y = model(x)
  pytorch_dtypes.safetensors  the same values stored as F16, BF16 and F64
  pytorch_dtypes.json         PyTorch's float32 reading of each of them, as
                              float32 bit patterns (exact, and JSON has no
                              Inf or -0)

The safetensors package is not part of Debian, so the files are written with
struct and json, following the format exactly as the reference writer does:
tensors sorted by name, header entries in data order after __metadata__,
compact JSON padded with spaces to a multiple of 8 bytes.
"""

import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))

DTYPES = {
    torch.float32: "F32",
    torch.float64: "F64",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
}


def raw_bytes(t):
    """Little-endian row-major bytes of t (x86 and ARM are little-endian)."""
    t = t.detach().contiguous().cpu()
    if t.dtype in (torch.float16, torch.bfloat16):
        # numpy has no bfloat16; reinterpret the 16-bit patterns as int16.
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def float32_bits(t):
    """The float32 bit patterns of t.float(), as unsigned integers."""
    return [b & 0xFFFFFFFF for b in t.float().flatten().view(torch.int32).tolist()]


def save_safetensors(tensors, path, metadata=None):
    names = sorted(tensors)
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    chunks = []
    for name in names:
        data = raw_bytes(tensors[name])
        header[name] = {
            "dtype": DTYPES[tensors[name].dtype],
            "shape": list(tensors[name].shape),
            "data_offsets": [offset, offset + len(data)],
        }
        offset += len(data)
        chunks.append(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)


def main():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2)
    )
    x = torch.tensor(
        [
            [0.5, -1.0, 2.0],
            [-0.25, 0.75, -1.5],
            [1.0, 1.0, 1.0],
            [-2.0, 0.1, 0.3],
        ],
        dtype=torch.float32,
    )
    with torch.no_grad():
        y = model(x)

    state = model.state_dict()
    save_safetensors(
        state,
        os.path.join(HERE, "pytorch_mlp.safetensors"),
        metadata={"format": "pt"},
    )
    with open(os.path.join(HERE, "pytorch_mlp.json"), "w") as f:
        json.dump(
            {
                "torch_version": torch.__version__,
                "x": x.tolist(),
                "y": y.tolist(),
            },
            f,
            indent=1,
        )
        f.write("\n")

    # Values chosen to cover rounding, subnormals, the extremes of each
    # type and the sign of zero.
    values = torch.tensor(
        [
            [1.0, -2.0, 0.1, 1.0 / 3.0],
            [65504.0, 6.0e-8, -0.0, 3.140625],
            [1.0e-40, 3.0e38, -123.456, 7.0],
        ],
        dtype=torch.float64,
    )
    tensors = {
        "f16": values.to(torch.float16),
        "bf16": values.to(torch.bfloat16),
        "f64": values.clone(),
    }
    save_safetensors(tensors, os.path.join(HERE, "pytorch_dtypes.safetensors"))
    with open(os.path.join(HERE, "pytorch_dtypes.json"), "w") as f:
        json.dump(
            {name: float32_bits(t) for name, t in tensors.items()},
            f,
            indent=1,
        )
        f.write("\n")


if __name__ == "__main__":
    main()
