"""Baseline for the image-folder example: the same conv net (conv 3x3 + batch norm + ReLU +
2x2 max pooling, three times, then a dense layer), initialisation, optimiser, batch size,
steps and augmentation (4-pixel zero-padded random crop + horizontal flip) in PyTorch, on
the PNG files `image_folder` wrote, over the same seeds.

usage: python3 baseline.py [OUT_DIR] [--seeds 1,2,3] [--epochs 6] [--no-augment]   (default out)
Exits 77 (a skip) when PyTorch, NumPy or Pillow is missing.
"""
import argparse
import os
import sys

try:
    import numpy as np
    import torch
    from PIL import Image
    from torch import nn
except ImportError as e:
    print(f"baseline skipped: {e} (install python3-torch and python3-pil)")
    sys.exit(77)

p = argparse.ArgumentParser()
p.add_argument("out", nargs="?", default="out")
p.add_argument("--seeds", default="1,2,3")
p.add_argument("--epochs", type=int, default=6)
p.add_argument("--no-augment", action="store_true")
args = p.parse_args()


def load(folder):  # torchvision's ImageFolder order: classes sorted, files sorted
    classes = sorted(os.listdir(folder))
    x, y = [], []
    for k, c in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(folder, c))):
            img = Image.open(os.path.join(folder, c, f)).convert("RGB")
            x.append(np.asarray(img, dtype=np.float32) / 255.0)
            y.append(k)
    x = torch.tensor(np.stack(x)).permute(0, 3, 1, 2).contiguous()  # NCHW
    return x, torch.tensor(y), classes


x_train, y_train, classes = load(os.path.join(args.out, "shapes", "train"))
x_test, y_test, _ = load(os.path.join(args.out, "shapes", "test"))


def crop_flip(x, g):  # per example: a 32x32 window of the 4-padded image, flipped half the time
    n, _, h, w = x.shape
    padded = nn.functional.pad(x, (4, 4, 4, 4))
    dy = torch.randint(0, 9, (n,), generator=g)
    dx = torch.randint(0, 9, (n,), generator=g)
    flip = torch.rand(n, generator=g) < 0.5
    out = torch.empty_like(x)
    for i in range(n):
        crop = padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w]
        out[i] = crop.flip(2) if flip[i] else crop
    return out


def block(cin, cout):
    # eps and momentum as xgrad's BatchNorm in this net (eps 1e-3, decay 0.9)
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1),
            nn.ReLU(), nn.MaxPool2d(2)]


def run(seed):
    torch.manual_seed(seed)
    model = nn.Sequential(*block(3, 16), *block(16, 32), *block(32, 32), nn.Flatten(),
                          nn.Linear(4 * 4 * 32, len(classes)))
    # xgrad's layers start as Keras' do: Glorot-uniform weights, zero biases.
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=0.003)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed)
    per_epoch = len(y_train) // 32
    for _ in range(args.epochs):
        for idx in torch.randperm(len(y_train), generator=g)[:per_epoch * 32].split(32):  # drop-last
            x = x_train[idx] if args.no_augment else crop_flip(x_train[idx], g)
            opt.zero_grad()
            loss_fn(model(x), y_train[idx]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        return (model(x_test).argmax(1) == y_test).float().mean().item()


acc = []
for seed in [int(s) for s in args.seeds.split(",")]:
    acc.append(run(seed))
    print(f"PyTorch seed {seed}: test accuracy {acc[-1]:.4f}")
print(f"PyTorch test accuracy over {len(acc)} seeds: median {np.median(acc):.4f}, "
      f"range {min(acc):.4f}-{max(acc):.4f} ({args.epochs} epochs, augmentation "
      f"{'off' if args.no_augment else 'crop 4 + flip'}, {len(y_train)} train, {len(y_test)} test)")
