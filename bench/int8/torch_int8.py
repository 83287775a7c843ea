"""PyTorch side of the int8 comparison: torch.quantization.quantize_dynamic.

Usage: python3 torch_int8.py --model mlp.safetensors --dir DIR [--rounds N]

Reads the float32 weights of bigfunc's 784-256-256-10 MLP from its
safetensors file (the format is parsed here with numpy, so the safetensors
package is not needed), builds the same nn.Sequential, quantizes its Linear
layers with quantize_dynamic (qint8 weights) under each quantized engine
this PyTorch has among fbgemm, onednn (x86) and qnnpack (Debian's build
lacks fbgemm), and prints
one JSON object per figure: the MNIST test accuracy of the float32 and the
int8 model, the latency of one sample and the throughput of batches of 1024
on one thread. DIR holds the MNIST IDX files (as for ../mnist/torch_mnist.py).
Times are the CPU time of the process (time.process_time), the fastest of
several rounds.
"""
import argparse, gzip, json, os, struct, time

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import blas_threads  # before numpy and torch load: see bench/blas_threads.py
blas_threads.bound("1")
import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    if not os.path.exists(path):
        path += ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    nd = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if e["dtype"] != "F32":
            raise SystemExit(f"{path}: {name} is {e['dtype']}, want the float32 model")
        b, en = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + b:8 + n + en], dtype="<f4").reshape(e["shape"]).copy())
    return out


def best(rounds, calls, f):
    f()
    b = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(calls):
            f()
        b = min(b, (time.process_time() - start) / calls)
    return b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--rounds", type=int, default=40)
    a = ap.parse_args()
    torch.set_num_threads(1)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    model.load_state_dict(read_safetensors(a.model), strict=True)
    model.eval()
    models = [("pytorch-float32", model)]
    for engine in ("fbgemm", "onednn", "qnnpack"):
        if engine in torch.backends.quantized.supported_engines:
            torch.backends.quantized.engine = engine
            models.append((f"pytorch-int8-{engine}", engine, torch.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)))
    x = torch.from_numpy(read_idx(os.path.join(a.dir, "t10k-images-idx3-ubyte")).copy()).float().div(255).reshape(-1, 784)
    y = torch.from_numpy(read_idx(os.path.join(a.dir, "t10k-labels-idx1-ubyte")).astype(np.int64))

    def emit(**kw):
        print(json.dumps(kw), flush=True)

    with torch.inference_mode():
        for lib, *rest in models:
            m = rest[-1]
            if len(rest) == 2:
                torch.backends.quantized.engine = rest[0]
            acc = (m(x).argmax(1) == y).float().mean().item() * 100
            emit(name="mnist_test_accuracy", lib=lib, value=acc, unit="%")
            one = x[:1]
            emit(name="infer_b1_1t", lib=lib, value=best(a.rounds, 2000, lambda: m(one)) * 1e6, unit="µs")
            batch = x[:1024]
            emit(name="infer_b1024_1t", lib=lib, value=1024 / best(a.rounds, 3, lambda: m(batch)), unit="samples/s")


if __name__ == "__main__":
    main()
