#!/usr/bin/python3
"""Plots for Experiment 1 (the BN MLP): accuracy vs step, and sigmoid inputs over time.

usage: plot_mlp.py OUT_DIR   (reads mlp_accuracy.csv and mlp_sigmoid_inputs.csv there)
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in rows[0]} if rows else {}


def main(out):
    acc = read(os.path.join(out, "mlp_accuracy.csv"))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(acc["step"], acc["no_bn"], label="Without BN")
    ax.plot(acc["step"], acc["bn_batch_stats"], label="With BN (whole-test-set batch statistics)")
    ax.plot(acc["step"], acc["bn_population"], label="With BN (population statistics)", ls="--")
    ax.set_xlabel("Training steps")
    ax.set_ylabel("Test accuracy")
    ax.set_ylim([0.8, 1])
    ax.set_title("Batch normalization: MLP 784-100-100-10, sigmoid, SGD 0.01")
    ax.grid(alpha=0.3)
    ax.legend(loc=4)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "mlp_accuracy.png"), dpi=110)

    z = read(os.path.join(out, "mlp_sigmoid_inputs.csv"))
    fig, axes = plt.subplots(5, 2, figsize=(7, 12), sharex=True)
    for i in range(5):
        axes[i][0].plot(z["step"], z[f"no_bn_{i}"], color="tab:blue")
        axes[i][1].plot(z["step"], z[f"bn_{i}"], color="tab:orange")
        axes[i][0].set_ylabel(f"neuron {i}")
    axes[0][0].set_title("Without BN")
    axes[0][1].set_title("With BN")
    axes[4][0].set_xlabel("Training steps")
    axes[4][1].set_xlabel("Training steps")
    fig.suptitle("Mean input to the first five layer-2 sigmoids over the test set")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "mlp_sigmoid_inputs.png"), dpi=110)


if __name__ == "__main__":
    main(sys.argv[1])
