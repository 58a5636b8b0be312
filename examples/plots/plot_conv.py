#!/usr/bin/python3
"""Plots for Experiment 2 (the 19-layer conv net): validation and training accuracy.

usage: plot_conv.py OUT_DIR [RUN_DIR ...]
Each RUN_DIR (default: OUT_DIR) holds one seed's conv_validation.csv and conv_training.csv.
Each net's curve is the median over the runs, with a min-max band.
"""
import csv
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def read_by_net(path, col):
    series = defaultdict(lambda: ([], []))
    with open(path) as f:
        for r in csv.DictReader(f):
            xs, ys = series[r["net"]]
            xs.append(float(r["batch"]))
            ys.append(float(r[col]))
    return series


def plot_runs(ax, runs, **style):
    """runs: one {net: (xs, ys)} per seed; draws each net's median and min-max band."""
    for net in runs[0]:
        n = min(len(r[net][1]) for r in runs)
        xs = np.array(runs[0][net][0][:n])
        values = np.array([r[net][1][:n] for r in runs])
        line, = ax.plot(xs, np.median(values, axis=0), label=net, **style)
        if len(runs) > 1:
            ax.fill_between(xs, values.min(axis=0), values.max(axis=0), color=line.get_color(),
                            alpha=0.2, linewidth=0)


def main(out, run_dirs):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    plot_runs(axes[0], [read_by_net(os.path.join(d, "conv_validation.csv"), "val_accuracy")
                        for d in run_dirs], marker="o")
    axes[0].set_title("Validation accuracy")
    plot_runs(axes[1], [read_by_net(os.path.join(d, "conv_training.csv"), "batch_accuracy")
                        for d in run_dirs])
    axes[1].set_title("Training batch accuracy")
    for ax in axes:
        ax.set_xlabel("Batches")
        ax.set_ylim([0, 1.02])
        ax.grid(alpha=0.3)
        ax.legend(loc="center right")
    seeds = f"median and min-max over {len(run_dirs)} seeds" if len(run_dirs) > 1 else "one seed"
    fig.suptitle(f"19-layer conv net on MNIST, Adam 0.002, batch 64 ({seeds})")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "conv_accuracy.png"), dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or [sys.argv[1]])
