#!/usr/bin/python3
"""Writes PyTorch 1.13 reference trajectories of torch.optim.LBFGS as lbfgs.json.

Usage: /usr/bin/python3 genlbfgs.py --seed N --out DIR   (from any directory)

Each case is a deterministic problem, the optimizer's settings (the
hyperparameters of torch.optim.LBFGS under their own names, line_search_fn
"strong_wolfe" or null), the starting parameters, and after each call of
step(closure) the loss it returned and the parameters. The problems:

  rosenbrock: x [2], loss (1 - x0)^2 + 100 (x1 - x0^2)^2
  lstsq:      w [p, q], loss mean((a @ w - y)^2) for data a [m, p], y [m, q]
  mlp:        w1 [h, i], b1 [h], w2 [1, h], b2 [1],
              loss mean((tanh(x @ w1.T + b1) @ w2.T + b2 - y)^2) for x [m, i], y [m, 1]

L-BFGS amplifies rounding on ill-conditioned steps, so each trajectory is
also run in float64 and three times in float32 from starting values moved
by one rounding error (a relative 2^-24 times a normal draw): the largest
distance of these runs from the reference, per step (loss_spread) and per
parameter value (params_spread), says how much rounding alone moves the
case, and the checker allows a multiple of it on top of its tolerance.
The seed picks the starting points, sizes, data and settings. Tensors are
float32 {"shape": [...], "data": [...]}, row-major.
"""
import argparse
import json
import os
import random

import torch

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--out", default=".")
args = ap.parse_args()

rnd = random.Random(args.seed)
torch.manual_seed(args.seed)


def T(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}


def rosenbrock():
    x = torch.tensor([rnd.uniform(-2, 0), rnd.uniform(-0.5, 2.5)], dtype=torch.float32)
    params = {"x": x}

    def loss(p, d):
        x = p["x"]
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    return params, {}, loss


def lstsq():
    m, p, q = rnd.randint(6, 12), rnd.randint(2, 5), rnd.randint(1, 3)
    a = torch.randn(m, p)
    y = torch.randn(m, q)
    params = {"w": torch.randn(p, q) * 0.5}

    def loss(pr, d):
        return ((d["a"] @ pr["w"] - d["y"]) ** 2).mean()
    return params, {"a": a, "y": y}, loss


def mlp():
    m, i, h = rnd.randint(8, 16), rnd.randint(1, 3), rnd.randint(2, 5)
    x = torch.randn(m, i)
    y = torch.sin(2 * x.sum(1, keepdim=True))
    params = {"w1": torch.randn(h, i) * 0.7, "b1": torch.randn(h) * 0.1,
              "w2": torch.randn(1, h) * 0.7, "b2": torch.zeros(1)}

    def loss(p, d):
        out = torch.tanh(d["x"] @ p["w1"].T + p["b1"]) @ p["w2"].T + p["b2"]
        return ((out - d["y"]) ** 2).mean()
    return params, {"x": x, "y": y}, loss


cases = []
for make in [rosenbrock, rosenbrock, lstsq, lstsq, mlp, mlp]:
    for line_search in [None, "strong_wolfe"]:
        params, data, loss_fn = make()
        names = list(params)
        start = {n: T(params[n]) for n in names}
        config = {
            "lr": 1.0 if line_search else rnd.choice([0.1, 0.5, 1.0]) * (0.02 if make is rosenbrock else 1.0),
            "max_iter": rnd.randint(2, 8),
            "history_size": rnd.choice([2, 3, 5, 100]),
            "line_search_fn": line_search,
        }
        if rnd.random() < 0.3:
            config["max_eval"] = config["max_iter"] + rnd.randint(0, 5)
        if rnd.random() < 0.3:
            config["tolerance_change"] = 1e-6
        if make is not rosenbrock:
            # These converge within a few iterations; stop before the line
            # search works at the resolution of a float32 loss, where every
            # decision is rounding noise.
            config["tolerance_grad"] = 1e-3
        n_steps = rnd.randint(2, 4)

        def run(dtype, nudge=None):
            tensors = [params[n].clone().to(dtype) for n in names]
            if nudge is not None:
                # One float32 rounding error, relative, on every start value.
                tensors = [t * (1 + 2.0 ** -24 * torch.randn(t.shape, generator=nudge)) for t in tensors]
            tensors = [t.requires_grad_() for t in tensors]
            cast = {k: v.to(dtype) for k, v in data.items()}
            opt = torch.optim.LBFGS(tensors, **config)

            def closure():
                opt.zero_grad()
                loss = loss_fn(dict(zip(names, tensors)), cast)
                loss.backward()
                return loss

            out = []
            for _ in range(n_steps):
                value = float(opt.step(closure))
                out.append({"loss": value, "params": {n: t.detach().clone() for n, t in zip(names, tensors)}})
            return out

        ref = run(torch.float32)
        nudge = torch.Generator().manual_seed(args.seed * 1000 + len(cases))
        others = [run(torch.float64)] + [run(torch.float32, nudge) for _ in range(3)]
        steps = []
        for k, r in enumerate(ref):
            loss_spread = max(abs(o[k]["loss"] - r["loss"]) for o in others)
            spread = {n: torch.stack([(o[k]["params"][n].to(torch.float64) - r["params"][n].to(torch.float64)).abs()
                                      for o in others]).amax(0) for n in names}
            steps.append({"loss": r["loss"], "params": {n: T(v) for n, v in r["params"].items()},
                          "loss_spread": loss_spread, "params_spread": {n: T(v) for n, v in spread.items()}})
        cases.append({"problem": make.__name__, "config": config, "start": start,
                      "data": {k: T(v) for k, v in data.items()}, "steps": steps})

os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "lbfgs.json"), "w") as f:
    json.dump({"generator": "torch " + torch.__version__, "seed": args.seed, "cases": cases}, f)
