#!/usr/bin/python3
"""Plots for Experiment 2 (the 19-layer conv net): validation and training accuracy.

usage: plot_conv.py OUT_DIR   (reads conv_validation.csv and conv_training.csv there)
"""
import csv
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_by_net(path, col):
    series = defaultdict(lambda: ([], []))
    with open(path) as f:
        for r in csv.DictReader(f):
            xs, ys = series[r["net"]]
            xs.append(float(r["batch"]))
            ys.append(float(r[col]))
    return series


def main(out):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for name, (xs, ys) in read_by_net(os.path.join(out, "conv_validation.csv"), "val_accuracy").items():
        axes[0].plot(xs, ys, marker="o", label=name)
    axes[0].set_title("Validation accuracy")
    for name, (xs, ys) in read_by_net(os.path.join(out, "conv_training.csv"), "batch_accuracy").items():
        axes[1].plot(xs, ys, label=name)
    axes[1].set_title("Training batch accuracy")
    for ax in axes:
        ax.set_xlabel("Batches")
        ax.set_ylim([0, 1.02])
        ax.grid(alpha=0.3)
        ax.legend(loc="center right")
    fig.suptitle("19-layer conv net on MNIST, Adam 0.002, batch 64")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "conv_accuracy.png"), dpi=110)


if __name__ == "__main__":
    main(sys.argv[1])
