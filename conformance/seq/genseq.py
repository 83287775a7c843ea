#!/usr/bin/python3
"""Writes PyTorch 1.13 reference values for the sequence layers as seq.json.

    /usr/bin/python3 conformance/seq/genseq.py --seed N --out DIR

Cases: nn.Embedding (padding_idx), the sinusoidal positional encoding of the
PyTorch tutorial and a learned one (an nn.Parameter [max_len, D] added to the
input), nn.MultiheadAttention(batch_first=True) with key_padding_mask,
attn_mask and a causal mask, nn.TransformerEncoderLayer(batch_first=True)
with every option, and cross-entropy over [N, T, V] logits with ignore_index
and label_smoothing. Shapes and options vary with the seed. Every tensor is
float32, stored as {"shape": [...], "data": [...]} in row-major order;
gradients are those of sum(y * dy).
"""
import argparse, json, math, os
import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--out", default=".")
args = ap.parse_args()
torch.manual_seed(args.seed)
g = torch.Generator().manual_seed(args.seed)


def T(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}


def randint(lo, hi):
    return int(torch.randint(lo, hi + 1, (1,), generator=g))


def randn(*shape):
    return torch.randn(tuple(shape), generator=g)


def grads(module):
    return {k: T(p.grad) for k, p in module.named_parameters()}


def params(module):
    return {k: T(p) for k, p in module.named_parameters()}


def causal_mask(t):
    return torch.triu(torch.full((t, t), float("-inf")), diagonal=1)


embedding = []
for case in range(4):
    v, d, n, t = randint(3, 12), randint(1, 9), randint(1, 4), randint(1, 9)
    pad = [None, randint(0, v - 1), -1, None][case]
    m = nn.Embedding(v, d, padding_idx=pad)
    with torch.no_grad():
        m.weight.copy_(randn(v, d))
    x = torch.randint(0, v, (n, t), generator=g)
    y = m(x)
    dy = randn(*y.shape)
    (y * dy).sum().backward()
    embedding.append({"num_embeddings": v, "embedding_dim": d, "padding_idx": pad, "x": T(x), "weight": T(m.weight),
                      "y": T(y), "dy": T(dy), "dweight": T(m.weight.grad)})


def sinusoidal(max_len, d_model):
    # The PyTorch tutorial's PositionalEncoding, batch first.
    position = torch.arange(max_len).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe


positional = []
for kind in ["sinusoidal", "learned", "sinusoidal", "learned"]:
    d = 2 * randint(1, 6)
    max_len, n = randint(4, 40), randint(1, 3)
    t = randint(1, max_len)
    x = randn(n, t, d).requires_grad_()
    w = None
    if kind == "learned":
        w = randn(max_len, d).requires_grad_()
        y = x + w[:t]
    else:
        y = x + sinusoidal(max_len, d)[:t]
    dy = randn(*y.shape)
    (y * dy).sum().backward()
    c = {"kind": kind, "max_len": max_len, "x": T(x), "y": T(y), "dy": T(dy), "dx": T(x.grad)}
    if w is not None:
        c["weight"], c["dweight"] = T(w), T(w.grad)
    positional.append(c)

mha = []
for case in range(6):
    h = randint(1, 4)
    e = h * randint(1, 5)
    n, t = randint(1, 3), randint(1, 12)
    if case == 5:
        t = randint(65, 80)  # more than one tile of the fused attention
    bias = case != 3
    causal = case in (1, 2, 5)
    m = nn.MultiheadAttention(e, h, dropout=0.25, bias=bias, batch_first=True)
    m.eval()  # attention dropout is random: compare without it
    x = randn(n, t, e).requires_grad_()
    attn = None
    if case in (2, 4):
        attn = randn(t, t)
        if t > 1:
            attn[0, t - 1] = float("-inf")
    kpm = None
    if case in (2, 4) or (case == 0 and n > 1):
        # Padding at the end, the first key always present.
        kpm = torch.zeros(n, t, dtype=torch.bool)
        for i in range(n):
            kpm[i, t - randint(0, t - 1):] = True
    full = None
    if causal or attn is not None:
        full = torch.zeros(t, t)
        if attn is not None:
            full = full + attn
        if causal:
            full = full + causal_mask(t)
    y, _ = m(x, x, x, key_padding_mask=kpm, attn_mask=full, need_weights=False)
    dy = randn(*y.shape)
    (y * dy).sum().backward()
    c = {"embed_dim": e, "num_heads": h, "bias": bias, "causal": causal, "x": T(x), "params": params(m),
         "y": T(y), "dy": T(dy), "dx": T(x.grad), "grads": grads(m)}
    if attn is not None:
        # JSON has no infinity: the forbidden entries travel as a 0/1 mask.
        forbid = torch.isinf(attn)
        c["attn_mask"] = T(attn.masked_fill(forbid, 0))
        c["attn_forbid"] = T(forbid.float())
    if kpm is not None:
        c["key_padding_mask"] = T(kpm.float())
    mha.append(c)

encoder = []
for case in range(6):
    h = randint(1, 4)
    # d_model 1 normalises a single value: x - mean is then rounding noise
    # that eps = 1e-6 magnifies a thousandfold, not a meaningful case.
    d = max(2, h * randint(1, 4))
    ff = randint(1, 24)
    n, t = randint(1, 3), randint(1, 10)
    act = ["relu", "gelu"][case % 2]
    norm_first = case in (1, 2, 5)
    causal = case in (2, 3, 5)
    eps = [1e-5, 1e-6, 1e-3][case % 3]
    m = nn.TransformerEncoderLayer(d, h, dim_feedforward=ff, dropout=0.1, activation=act, layer_norm_eps=eps,
                                   batch_first=True, norm_first=norm_first)
    m.eval()
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.startswith("norm"):
                p.add_(0.3 * randn(*p.shape))
            elif name.endswith("bias"):
                p.copy_(0.2 * randn(*p.shape))
    x = randn(n, t, d).requires_grad_()
    y = m(x, src_mask=causal_mask(t) if causal else None)
    dy = randn(*y.shape)
    (y * dy).sum().backward()
    encoder.append({"nhead": h, "dim_feedforward": ff, "activation": act, "norm_first": norm_first, "causal": causal,
                    "layer_norm_eps": eps, "x": T(x), "params": params(m), "y": T(y), "dy": T(dy), "dx": T(x.grad),
                    "grads": grads(m)})

cross_entropy = []
for case in range(5):
    n, t, v = randint(1, 4), randint(1, 8), randint(2, 10)
    smoothing = [0.0, 0.1, 0.0, 0.25, 0.05][case]
    reduction = ["mean", "mean", "sum", "mean", "none"][case]
    logits = (randn(n, t, v) * 3).requires_grad_()
    target = torch.randint(0, v, (n, t), generator=g)
    target[torch.rand(n, t, generator=g) < 0.3] = -100
    target[0, 0] = randint(0, v - 1)  # at least one counted token
    value = F.cross_entropy(logits.reshape(-1, v), target.reshape(-1), ignore_index=-100,
                            label_smoothing=smoothing, reduction=reduction)
    if reduction == "none":
        value = value.reshape(n, t)  # per token, batch first
    seed = randn(*value.shape)
    (value * seed).sum().backward()
    cross_entropy.append({"label_smoothing": smoothing, "reduction": reduction, "ignore_index": -100,
                          "logits": T(logits), "target": T(target), "value": T(value), "seed": T(seed),
                          "grad": T(logits.grad)})

os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "seq.json"), "w") as f:
    json.dump({"generator": "torch " + torch.__version__, "seed": args.seed, "embedding": embedding,
               "positional": positional, "multihead_attention": mha, "transformer_encoder_layer": encoder,
               "cross_entropy": cross_entropy}, f)
