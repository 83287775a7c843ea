#!/usr/bin/python3
"""Writes PyTorch reference trajectories for bigfunc's training loop.

Run with Debian's python3-torch (1.13) from this directory:
    /usr/bin/python3 make_trajectories.py
It writes data.csv (regression and class columns), init_*.safetensors
(starting weights) and trajectories.json: for each optimizer, the spec to
train and PyTorch's weights after full-batch training from the same start.
"""
import json, struct
import torch
import torch.nn.functional as F

torch.manual_seed(0)
N = 24
X = torch.randn(N, 3)
Y = torch.stack([X[:, 0] * X[:, 1] + 0.5 * X[:, 2], torch.sin(X[:, 0])], 1)
C = (X[:, 0] + X[:, 2] > 0).long() + (X[:, 1] > 0.5).long()  # classes 0, 1, 2

with open("data.csv", "w") as f:
    f.write("x1,x2,x3,y1,y2,c\n")
    for i in range(N):
        f.write(",".join(repr(float(v)) for v in X[i].tolist() + Y[i].tolist()) + f",{int(C[i])}\n")
# The CSV round-trips through text: train on exactly what was written.
X = torch.tensor([[float(v) for v in l.split(",")[:3]] for l in open("data.csv").read().split("\n")[1:-1]])
Y = torch.tensor([[float(v) for v in l.split(",")[3:5]] for l in open("data.csv").read().split("\n")[1:-1]])

def save(path, sd):
    header, off, blobs = {}, 0, []
    for k in sorted(sd):
        b = sd[k].detach().contiguous().numpy().astype("<f4").tobytes()
        header[k] = {"dtype": "F32", "shape": list(sd[k].shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

def mlp(out):
    return torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, out))

OPTS = [
    ("sgd", {"lr": 0.1}),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("sgd", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ("adam", {"lr": 0.01}),
    ("adam", {"lr": 0.01, "betas": [0.8, 0.95], "amsgrad": True, "weight_decay": 0.1}),
    ("adamw", {"lr": 0.01, "weight_decay": 0.05}),
    ("rmsprop", {"lr": 0.01}),
    ("rmsprop", {"lr": 0.005, "alpha": 0.9, "momentum": 0.5, "centered": True}),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
]
EPOCHS = 8
cases = []
for i, (name, hp) in enumerate(OPTS):
    task = "regression" if i % 2 == 0 else "classification"
    torch.manual_seed(100 + i)
    model = mlp(2 if task == "regression" else 3)
    init = f"init_{i}.safetensors"
    save(init, model.state_dict())
    kw = dict(hp)
    if "betas" in kw:
        kw["betas"] = tuple(kw["betas"])
    opt = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}[name](model.parameters(), **kw)
    sched = torch.optim.lr_scheduler.StepLR(opt, 3, 0.5) if i % 3 == 0 else None
    losses = []
    for _ in range(EPOCHS):
        opt.zero_grad()
        out = model(X)
        l = F.mse_loss(out, Y) if task == "regression" else F.cross_entropy(out, C)
        l.backward()
        opt.step()
        if sched:
            sched.step()
        losses.append(float(l))
    output = "  columns: [y1, y2]" if task == "regression" else "  label: c"
    optim_lines = "\n".join(f"  {k}: {json.dumps(v)}" for k, v in hp.items())
    spec = f"""input:
  csv: data.csv
  columns: [x1, x2, x3]
output:
{output}
architecture:
  - linear: 5
  - tanh
  - linear: {2 if task == "regression" else 3}
loss: {"mse" if task == "regression" else "cross_entropy"}
optimizer:
  name: {name}
{optim_lines}
train:
  epochs: {EPOCHS}
  batch_size: 0
  shuffle: false
  init: {init}
""" + ("  schedule: {name: step, step_size: 3, gamma: 0.5}\n" if sched else "")
    cases.append({"name": f"{i}-{name}", "spec": spec, "losses": losses,
                  "weights": {k: {"shape": list(v.shape), "data": v.flatten().tolist()} for k, v in model.state_dict().items()},
                  "predict": model(X).detach().flatten().tolist()})
with open("trajectories.json", "w") as f:
    json.dump({"generator": "torch " + torch.__version__, "cases": cases}, f, indent=1)
print("wrote", len(cases), "cases")
