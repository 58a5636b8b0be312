#!/usr/bin/python3
"""The comparison workloads in PyTorch, timed like bench_workloads (xgrad) for side-by-side ratios.

W1a/W1b: one training step of the 784-100-100-10 sigmoid MLP without/with BN, batch 60, SGD 0.01,
         summed softmax cross-entropy.
W2a/W2b: one training step of the 19-layer conv net without/with BN, batch 64, Adam 0.002,
         mean sigmoid cross-entropy (TF SAME padding).
E1:      inference of the BN MLP on 10,000 images with population statistics.

Prints one line per workload: "name threads median_ms p10_ms p90_ms peak_rss_mb".
usage: bench_torch.py [--threads N] [--reps R] [--workloads W1a,W1b,...]
"""
import argparse
import resource
import statistics
import time

import torch
import torch.nn.functional as F


def mlp(bn):
    layers = []
    for i, (fan_in, fan_out) in enumerate([(784, 100), (100, 100)]):
        layers.append(torch.nn.Linear(fan_in, fan_out, bias=not bn))
        if bn:
            # Keras decay 0.999 == PyTorch momentum 0.001; eps 1e-3.
            layers.append(torch.nn.BatchNorm1d(fan_out, eps=1e-3, momentum=0.001))
        layers.append(torch.nn.Sigmoid())
    layers.append(torch.nn.Linear(100, 10))
    return torch.nn.Sequential(*layers)


class SamePad(torch.nn.Module):
    """TensorFlow SAME padding for a 3x3 kernel: extra row/column at the bottom/right."""

    def __init__(self, stride, size):
        super().__init__()
        out = -(-size // stride)
        total = max((out - 1) * stride + 3 - size, 0)
        self.pad = (total // 2, total - total // 2, total // 2, total - total // 2)

    def forward(self, x):
        return F.pad(x, self.pad)


def conv_net(bn):
    layers, channels, size = [], 1, 28
    for i in range(1, 20):
        stride = 2 if i % 3 == 0 else 1
        layers.append(SamePad(stride, size))
        layers.append(torch.nn.Conv2d(channels, 4 * i, 3, stride, bias=not bn))
        if bn:
            layers.append(torch.nn.BatchNorm2d(4 * i, eps=1e-3, momentum=0.01))
        layers.append(torch.nn.ReLU())
        channels, size = 4 * i, -(-size // stride)
    layers += [torch.nn.Flatten(), torch.nn.Linear(channels * size * size, 100, bias=not bn)]
    if bn:
        layers.append(torch.nn.BatchNorm1d(100, eps=1e-3, momentum=0.01))
    layers += [torch.nn.ReLU(), torch.nn.Linear(100, 10)]
    return torch.nn.Sequential(*layers)


def one_hot(n, seed):
    g = torch.Generator().manual_seed(seed)
    return F.one_hot(torch.randint(0, 10, (n,), generator=g), 10).float()


def workload(name):
    g = torch.Generator().manual_seed(0)
    if name in ("W1a", "W1b"):
        model = mlp(name == "W1b")
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x, y = torch.rand(60, 784, generator=g), one_hot(60, 1)

        def step():
            opt.zero_grad()
            loss = -(y * F.log_softmax(model(x), dim=1)).sum()
            loss.backward()
            opt.step()
        return step
    if name in ("W2a", "W2b"):
        model = conv_net(name == "W2b")
        opt = torch.optim.Adam(model.parameters(), lr=0.002)
        x, y = torch.rand(64, 1, 28, 28, generator=g), one_hot(64, 1)

        def step():
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(model(x), y)
            loss.backward()
            opt.step()
        return step
    if name == "E1":
        model = mlp(True).eval()
        x = torch.rand(10000, 784, generator=g)

        def step():
            with torch.no_grad():
                model(x).argmax(dim=1)
        return step
    raise SystemExit(f"unknown workload {name}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=0, help="timed repetitions (default: by workload)")
    p.add_argument("--workloads", default="W1a,W1b,W2a,W2b,E1")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    for name in a.workloads.split(","):
        step = workload(name)
        reps = a.reps or (400 if name.startswith("W1") else 30)
        for _ in range(max(3, reps // 10)):
            step()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            step()
            times.append((time.perf_counter() - t0) * 1e3)
        q = statistics.quantiles(times, n=10)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name} {a.threads} {statistics.median(times):.4f} {q[0]:.4f} {q[-1]:.4f} {rss:.1f}", flush=True)


if __name__ == "__main__":
    main()
