#!/usr/bin/python3
"""Writes PyTorch 1.13's full-batch training trajectory of a small GPT.

    /usr/bin/python3 conformance/seq/gentraj.py --seed N --out DIR

It writes DIR/tiny.txt (the text), DIR/seq_init.safetensors (PyTorch's
initial weights under state_dict names) and DIR/seq_trajectory.json: the
spec to train from those weights, and PyTorch's loss before every step and
weights after the last. The model is a char-level GPT as bigfunc builds it
from the spec: Embedding, a learned positional encoding (a parameter
[max_len, D] added to the input), two causal TransformerEncoderLayers (one
pre-norm with gelu, one post-norm with relu), and Linear to the
vocabulary. The text is cut as bigfunc's text input cuts it: a sorted
vocabulary of its characters, windows of block_size tokens every
block_size tokens, the next token as target.
"""
import argparse, json, os, struct
import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--out", default=".")
args = ap.parse_args()
torch.manual_seed(args.seed)
g = torch.Generator().manual_seed(args.seed)
os.makedirs(args.out, exist_ok=True)

alphabet = "abcde fgh\n"
n_chars = 240 + int(torch.randint(0, 40, (1,), generator=g))
text = "".join(alphabet[int(i)] for i in torch.randint(0, len(alphabet), (n_chars,), generator=g))
with open(os.path.join(args.out, "tiny.txt"), "w") as f:
    f.write(text)
chars = sorted(set(text))
V, T, D = len(chars), 8, 16
ids = [chars.index(c) for c in text]
n = (len(ids) - T - 1) // T + 1
X = torch.tensor([ids[i * T:i * T + T] for i in range(n)])
Y = torch.tensor([ids[i * T + 1:i * T + T + 1] for i in range(n)])


class Positional(nn.Module):
    def __init__(self, max_len, d):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(max_len, d))

    def forward(self, x):
        return x + self.weight[: x.shape[1]]


class CausalLayer(nn.TransformerEncoderLayer):
    def forward(self, x):
        t = x.shape[1]
        mask = torch.triu(torch.full((t, t), float("-inf")), diagonal=1)
        return super().forward(x, src_mask=mask)


model = nn.Sequential(
    nn.Embedding(V, D),
    Positional(T, D),
    CausalLayer(D, 2, dim_feedforward=32, dropout=0.0, activation="gelu", batch_first=True, norm_first=True),
    CausalLayer(D, 4, dim_feedforward=24, dropout=0.0, activation="relu", batch_first=True, norm_first=False),
    nn.Linear(D, V),
)


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


save(os.path.join(args.out, "seq_init.safetensors"), model.state_dict())
EPOCHS, LR = 8, 0.01
opt = torch.optim.Adam(model.parameters(), lr=LR)
losses = []
for _ in range(EPOCHS):
    opt.zero_grad()
    loss = F.cross_entropy(model(X).reshape(-1, V), Y.reshape(-1))
    losses.append(float(loss))
    loss.backward()
    opt.step()

spec = f"""input:
  text: {{path: tiny.txt, block_size: {T}}}
output: {{decode: argmax}}
architecture:
  - embedding: {{embedding_dim: {D}}}
  - positional: {{kind: learned, max_len: {T}}}
  - transformer_encoder_layer: {{nhead: 2, dim_feedforward: 32, dropout: 0.0, activation: gelu, norm_first: true, causal: true}}
  - transformer_encoder_layer: {{nhead: 4, dim_feedforward: 24, dropout: 0.0, activation: relu, norm_first: false, causal: true}}
  - linear: vocab
loss: cross_entropy
optimizer: {{name: adam, lr: {LR}}}
train: {{epochs: {EPOCHS}, batch_size: 0, shuffle: false, init: seq_init.safetensors}}
"""
with open(os.path.join(args.out, "seq_trajectory.json"), "w") as f:
    json.dump({"generator": "torch " + torch.__version__, "seed": args.seed, "spec": spec, "losses": losses,
               "weights": {k: {"shape": list(v.shape), "data": [float(x) for x in v.flatten().tolist()]}
                           for k, v in model.state_dict().items()}}, f)
