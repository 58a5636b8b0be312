#!/usr/bin/python3
"""Plots for Experiment 1 (the BN MLP): test accuracy vs step, and sigmoid inputs over time.

usage: plot_mlp.py OUT_DIR [RUN_DIR ...]
Each RUN_DIR (default: OUT_DIR) holds one seed's mlp_accuracy.csv and mlp_sigmoid_inputs.csv.
The accuracy plot shows the median over the runs with a min-max band; the sigmoid-input plot
shows the first run (each seed starts from other weights, so its neurons are other neurons).
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def read(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]} if rows else {}


def band(ax, runs, key, label, **style):
    """Median line and min-max band of column `key` over the runs."""
    n = min(len(r[key]) for r in runs)
    values = np.stack([r[key][:n] for r in runs])
    steps = runs[0]["step"][:n]
    line, = ax.plot(steps, np.median(values, axis=0), label=label, **style)
    if len(runs) > 1:
        ax.fill_between(steps, values.min(axis=0), values.max(axis=0), color=line.get_color(),
                        alpha=0.2, linewidth=0)


def main(out, run_dirs):
    runs = [read(os.path.join(d, "mlp_accuracy.csv")) for d in run_dirs]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    band(ax, runs, "no_bn", "Without BN")
    band(ax, runs, "bn_batch_stats", "With BN (whole-test-set batch statistics)")
    band(ax, runs, "bn_population", "With BN (population statistics)", ls="--")
    ax.set_xlabel("Training steps")
    ax.set_ylabel("Test accuracy")
    # The post's range, unless a short run stays below it.
    lowest = min(min(r[k].min() for k in ("no_bn", "bn_batch_stats", "bn_population")) for r in runs)
    ax.set_ylim([0.8 if lowest >= 0.8 else 0.0, 1])
    seeds = f"median, min-max over {len(runs)} seeds" if len(runs) > 1 else "one seed"
    ax.set_title(f"MLP 784-100-100-10, sigmoid, SGD 0.01 ({seeds})", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(loc=4)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "mlp_accuracy.png"), dpi=110)

    z = read(os.path.join(run_dirs[0], "mlp_sigmoid_inputs.csv"))
    fig, axes = plt.subplots(5, 2, figsize=(7, 12), sharex=True)
    for i in range(5):
        axes[i][0].plot(z["step"], z[f"no_bn_{i}"], color="tab:blue")
        axes[i][1].plot(z["step"], z[f"bn_{i}"], color="tab:orange")
        axes[i][0].set_ylabel(f"neuron {i}")
    axes[0][0].set_title("Without BN")
    axes[0][1].set_title("With BN")
    axes[4][0].set_xlabel("Training steps")
    axes[4][1].set_xlabel("Training steps")
    fig.suptitle("Mean input to the first five layer-2 sigmoids over the test set (first seed)")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "mlp_sigmoid_inputs.png"), dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or [sys.argv[1]])
