"""load_file and save_file of safetensors.torch, for float32 and int64
tensors: the 8-byte little-endian header length, the JSON header, then the
raw little-endian data, as the safetensors format defines it."""
import json
import struct

import torch

_DTYPES = {"F32": (torch.float32, 4), "I64": (torch.int64, 8)}
_NAMES = {torch.float32: "F32", torch.int64: "I64"}


def load_file(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, v in header.items():
        dtype, _ = _DTYPES[v["dtype"]]
        lo, hi = v["data_offsets"]
        t = torch.frombuffer(bytearray(raw[8 + n + lo : 8 + n + hi]), dtype=dtype) if hi > lo else torch.zeros(0, dtype=dtype)
        out[name] = t.reshape(v["shape"])
    return out


def save_file(tensors, path, metadata=None):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        b = t.numpy().tobytes()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
