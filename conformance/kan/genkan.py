#!/usr/bin/python3
"""Writes PyTorch 1.13 reference cases for the KAN layer as kan.json.

Usage: /usr/bin/python3 genkan.py --seed N --out DIR   (from any directory)

The formulas are efficient-kan's KANLinear (src/efficient_kan/kan.py),
written out here so that no package beyond torch is needed:

  y = silu(x) @ base_weight.T + b_splines(x).view(N, -1) @ (spline_weight * spline_scaler[..., None]).view(out, -1).T

with the Cox-de Boor recursion of b_splines on the knots `grid`
[in, grid_size + 2*spline_order + 1], and regularization_loss as
efficient-kan computes it. Each case gives the layer's options (spec names),
its parameters and grid, an input x and an output gradient dy, with
PyTorch's output y and the gradients dx, dbase_weight, dspline_weight and
dspline_scaler of sum(y * dy) by autograd; the regulariser's value for the
weights reg_activation and reg_entropy; and, for an input batch x_update,
the grid and spline_weight after update_grid. update_grid follows
efficient-kan's, except that the quantile knots are the samples of rank
floor(j*(N-1)/grid_size) exactly, and the new coefficients are fitted to the
unscaled spline (spline_weight alone), so that the layer keeps its
function; the least squares run in float64. The seed picks sizes, orders,
ranges and values. Tensors are float32 {"shape": [...], "data": [...]},
row-major.
"""
import argparse
import json
import os
import random

import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--out", default=".")
args = ap.parse_args()

rnd = random.Random(args.seed)
torch.manual_seed(args.seed)


def T(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}


def make_grid(in_features, grid_size, spline_order, grid_range):
    h = (grid_range[1] - grid_range[0]) / grid_size
    return (torch.arange(-spline_order, grid_size + spline_order + 1) * h + grid_range[0]).expand(in_features, -1).contiguous().to(torch.float32)


def b_splines(x, grid, spline_order):
    x = x.unsqueeze(-1)
    bases = ((x >= grid[:, :-1]) & (x < grid[:, 1:])).to(x.dtype)
    for k in range(1, spline_order + 1):
        bases = ((x - grid[:, : -(k + 1)]) / (grid[:, k:-1] - grid[:, : -(k + 1)]) * bases[:, :, :-1]) + (
            (grid[:, k + 1:] - x) / (grid[:, k + 1:] - grid[:, 1:(-k)]) * bases[:, :, 1:])
    return bases.contiguous()


def scaled(spline_weight, spline_scaler):
    if spline_scaler is None:
        return spline_weight
    return spline_weight * spline_scaler.unsqueeze(-1)


def forward(x, base_weight, spline_weight, spline_scaler, grid, spline_order):
    in_features, out_features = base_weight.shape[1], base_weight.shape[0]
    shape = x.shape
    x = x.reshape(-1, in_features)
    base = F.linear(F.silu(x), base_weight)
    spline = F.linear(b_splines(x, grid, spline_order).view(x.size(0), -1),
                      scaled(spline_weight, spline_scaler).view(out_features, -1))
    return (base + spline).reshape(*shape[:-1], out_features)


def regularization_loss(spline_weight, regularize_activation, regularize_entropy):
    l1_fake = spline_weight.abs().mean(-1)
    regularization_loss_activation = l1_fake.sum()
    p = l1_fake / regularization_loss_activation
    regularization_loss_entropy = -torch.sum(p * p.log())
    return regularize_activation * regularization_loss_activation + regularize_entropy * regularization_loss_entropy


def curve2coeff(x, y, grid, spline_order):
    A = b_splines(x, grid, spline_order).transpose(0, 1).to(torch.float64)
    B = y.transpose(0, 1).to(torch.float64)
    solution = torch.linalg.lstsq(A, B).solution
    return solution.permute(2, 0, 1).to(torch.float32).contiguous()


def update_grid(x, grid, spline_weight, grid_size, spline_order, grid_eps=0.02, margin=0.01):
    batch = x.size(0)
    splines = b_splines(x, grid, spline_order).permute(1, 0, 2)
    orig_coeff = spline_weight.permute(1, 2, 0)  # unscaled: the layer keeps its function
    unreduced = torch.bmm(splines, orig_coeff).permute(1, 0, 2)
    x_sorted = torch.sort(x, dim=0)[0]
    # efficient-kan indexes with torch.linspace(0, batch - 1, grid_size + 1,
    # dtype=torch.int64), whose values in PyTorch 1.13 depend on the CPU's
    # vector width; the ranks it means are these.
    ranks = torch.tensor([j * (batch - 1) // grid_size for j in range(grid_size + 1)], dtype=torch.int64)
    grid_adaptive = x_sorted[ranks]
    uniform_step = (x_sorted[-1] - x_sorted[0] + 2 * margin) / grid_size
    grid_uniform = torch.arange(grid_size + 1, dtype=torch.float32).unsqueeze(1) * uniform_step + x_sorted[0] - margin
    g = grid_eps * grid_uniform + (1 - grid_eps) * grid_adaptive
    g = torch.concatenate([
        g[:1] - uniform_step * torch.arange(spline_order, 0, -1).unsqueeze(1),
        g,
        g[-1:] + uniform_step * torch.arange(1, spline_order + 1).unsqueeze(1),
    ], dim=0)
    new_grid = g.T.contiguous()
    return new_grid, curve2coeff(x, unreduced, new_grid, spline_order)


cases = []
for i in range(8):
    in_f = rnd.randint(1, 5)
    out_f = rnd.randint(1, 4)
    grid_size = rnd.randint(1, 8)
    order = rnd.choice([0, 1, 2, 3, 3, 3, 4])
    lo = rnd.choice([-1.0, -2.0, -0.5, 0.0])
    hi = lo + rnd.choice([1.0, 2.0, 3.5])
    standalone = rnd.random() < 0.75
    grid = make_grid(in_f, grid_size, order, [lo, hi])
    base_weight = torch.randn(out_f, in_f).requires_grad_()
    spline_weight = (torch.randn(out_f, in_f, grid_size + order) * 0.5).requires_grad_()
    spline_scaler = torch.randn(out_f, in_f).requires_grad_() if standalone else None
    n = rnd.randint(1, 7)
    span = hi - lo
    lead = [n] if rnd.random() < 0.7 else [n, rnd.randint(2, 3)]
    x = (torch.rand(*lead, in_f) * (span * 1.4) + lo - 0.2 * span).requires_grad_()
    y = forward(x, base_weight, spline_weight, spline_scaler, grid, order)
    dy = torch.randn(*y.shape)
    params = [x, base_weight, spline_weight] + ([spline_scaler] if standalone else [])
    grads = torch.autograd.grad((y * dy).sum(), params)
    reg_a, reg_e = rnd.choice([1.0, 0.5, 0.0]), rnd.choice([1.0, 2.0, 0.0])
    reg = regularization_loss(spline_weight, reg_a, reg_e)
    # update_grid on samples inside and a little beyond the range.
    m = rnd.randint(3, 5) * (grid_size + order + 1)
    x_update = torch.rand(m, in_f) * span * rnd.choice([0.6, 1.0, 1.2]) + lo + rnd.uniform(-0.2, 0.3) * span
    with torch.no_grad():
        new_grid, new_weight = update_grid(x_update, grid, spline_weight.detach(), grid_size, order)
    case = {
        "options": {"out_features": out_f, "grid_size": grid_size, "spline_order": order,
                    "grid_range": [lo, hi], "enable_standalone_scale_spline": standalone},
        "grid": T(grid), "base_weight": T(base_weight), "spline_weight": T(spline_weight),
        "x": T(x), "y": T(y), "dy": T(dy), "dx": T(grads[0]),
        "dbase_weight": T(grads[1]), "dspline_weight": T(grads[2]),
        "reg_activation": reg_a, "reg_entropy": reg_e, "regularization": float(reg),
        "x_update": T(x_update), "updated_grid": T(new_grid), "updated_spline_weight": T(new_weight),
    }
    if standalone:
        case["spline_scaler"] = T(spline_scaler)
        case["dspline_scaler"] = T(grads[3])
    cases.append(case)

os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "kan.json"), "w") as f:
    json.dump({"generator": "torch " + torch.__version__, "seed": args.seed, "cases": cases}, f)
