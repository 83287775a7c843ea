"""Writes PyTorch 1.13's exact GELU and its gradient on 10⁶ float32 inputs
to a binary file, for the bit-for-bit count in activation's
TestGELUBitsMillion:

    /usr/bin/python3 bench/gpt/gelu_bits.py /tmp/gelu_ref.bin
    BIGFUNC_GELU_REF=/tmp/gelu_ref.bin go test ./activation -run BitsMillion -v

The file is four float32 arrays of equal length, little-endian: x, gelu(x),
a random upstream gradient dy, and the gradient PyTorch returns for x.
Half the inputs are N(0, 3²), half uniform on [−10, 10], shuffled.
"""
import os, sys, tempfile

import numpy as np
import torch

torch.manual_seed(0)
torch.set_num_threads(1)
n = 1000000
x = torch.cat([torch.randn(n // 2) * 3, torch.rand(n // 2) * 20 - 10])
x = x[torch.randperm(n)].contiguous().requires_grad_(True)
y = torch.nn.functional.gelu(x)
dy = torch.randn(n)
y.backward(dy)
out = sys.argv[1]
fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(out)))
with os.fdopen(fd, "wb") as f:
    f.write(np.concatenate([x.detach().numpy(), y.detach().numpy(), dy.numpy(), x.grad.numpy()]).astype("<f4").tobytes())
    f.flush()
    os.fsync(f.fileno())
os.replace(tmp, out)
