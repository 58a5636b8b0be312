"""Baseline for the digits example: the same conv net, initialisation, optimiser, batch size
and epochs in PyTorch, on the exact split `digits` saved, over the same seeds.

usage: python3 baseline.py [OUT_DIR] [--seeds 1,2,3] [--epochs 20]   (default digits_out)
Exits 77 (a skip) when PyTorch or NumPy is missing.
"""
import argparse
import sys

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError as e:
    print(f"baseline skipped: {e} (install python3-torch)")
    sys.exit(77)

p = argparse.ArgumentParser()
p.add_argument("out", nargs="?", default="digits_out")
p.add_argument("--seeds", default="1,2,3")
p.add_argument("--epochs", type=int, default=20)
args = p.parse_args()

train, test = np.load(args.out + "/train.npz"), np.load(args.out + "/test.npz")


def images(x):  # [N, 64] pixels 0-16 -> [N, 1, 8, 8] in [0, 1] (NCHW)
    return torch.tensor(x, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0


x_train, y_train = images(train["x"]), torch.tensor(train["y"], dtype=torch.int64)
x_test, y_test = images(test["x"]), torch.tensor(test["y"], dtype=torch.int64)


def run(seed):
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(4 * 4 * 32, 64), nn.ReLU(),
        nn.Linear(64, 10))
    # xgrad's layers start as Keras' do: Glorot-uniform weights, zero biases.
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed)
    for _ in range(args.epochs):
        for idx in torch.randperm(len(y_train), generator=g).split(32):
            opt.zero_grad()
            loss_fn(model(x_train[idx]), y_train[idx]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        return (model(x_test).argmax(1) == y_test).float().mean().item()


acc = []
for seed in [int(s) for s in args.seeds.split(",")]:
    acc.append(run(seed))
    print(f"PyTorch seed {seed}: test accuracy {acc[-1]:.4f}")
print(f"PyTorch test accuracy over {len(acc)} seeds: median {np.median(acc):.4f}, "
      f"range {min(acc):.4f}-{max(acc):.4f} ({args.epochs} epochs, "
      f"{len(y_train)} train, {len(y_test)} test)")
