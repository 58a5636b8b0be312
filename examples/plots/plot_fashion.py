#!/usr/bin/python3
"""Plot for examples/fashion_cnn: training loss and learning rate per step, validation
accuracy per epoch.

usage: plot_fashion.py OUT_DIR   (reads fashion_training.csv and fashion_validation.csv there)
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def main(out):
    train = read(os.path.join(out, "fashion_training.csv"))
    val = read(os.path.join(out, "fashion_validation.csv"))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    steps = [float(r["step"]) for r in train]
    axes[0].plot(steps, [float(r["loss"]) for r in train], lw=0.8, label="batch loss")
    axes[0].set_xlabel("Steps")
    axes[0].set_ylabel("Cross-entropy")
    lr_axis = axes[0].twinx()
    lr_axis.plot(steps, [float(r["lr"]) for r in train], color="tab:orange", label="learning rate")
    lr_axis.set_ylabel("Learning rate")
    axes[0].set_title("Training")
    axes[1].plot([float(r["step"]) for r in val], [float(r["val_accuracy"]) for r in val], marker="o")
    axes[1].set_xlabel("Steps")
    axes[1].set_title("Validation accuracy")
    axes[1].grid(alpha=0.3)
    fig.suptitle("fashion_cnn: Adam, warm-up + cosine decay")
    fig.tight_layout()
    path = os.path.join(out, "fashion_training.png")
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
