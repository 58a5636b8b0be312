#!/usr/bin/python3
"""The comparison workloads in PyTorch, timed like bench_workloads (xgrad) for side-by-side ratios.

W1a/W1b: one training step of the 784-100-100-10 sigmoid MLP without/with BN, batch 60, SGD 0.01,
         summed softmax cross-entropy.
W2a/W2b: one training step of the 19-layer conv net without/with BN, batch 64, Adam 0.002,
         mean sigmoid cross-entropy (TF SAME padding).
E1:      inference of the BN MLP on 10,000 images with population statistics.
R20:     one SGD-momentum step of a ResNet-20-style CIFAR net (batch 128 of 32x32x3).
VGG:     one SGD-momentum step of a VGG-style CIFAR net (conv-conv-pool, 32/64/128), batch 128.
WMLP:    one Adam step of a wide MLP, 784-1024-1024-10 with ReLU, batch 256.

The R20 and VGG nets are written as a PyTorch user would (padding=1, which gives the same
shapes and FLOPs as xgrad's SAME); --channels-last runs them in NHWC.

Prints one line per workload: "name threads median_ms p10_ms p90_ms peak_rss_mb".
usage: bench_torch.py [--threads N] [--reps R] [--warmup W] [--workloads W1a,W1b,...] [--channels-last]
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


def conv_bn(fan_in, fan_out, kernel, stride):
    """Conv without bias + BN (PyTorch's defaults), as the CIFAR nets use it."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(fan_in, fan_out, kernel, stride, padding=kernel // 2, bias=False),
        torch.nn.BatchNorm2d(fan_out))


class BasicBlock(torch.nn.Module):
    """relu(bn(conv3x3(relu(bn(conv3x3(x))))) + shortcut(x)); a 1x1 conv + BN shortcut where
    the block changes the size or the channels."""

    def __init__(self, fan_in, fan_out, stride):
        super().__init__()
        self.first = conv_bn(fan_in, fan_out, 3, stride)
        self.second = conv_bn(fan_out, fan_out, 3, 1)
        self.shortcut = conv_bn(fan_in, fan_out, 1, stride) if stride != 1 or fan_in != fan_out else None

    def forward(self, x):
        h = self.second(F.relu(self.first(x)))
        return F.relu(h + (self.shortcut(x) if self.shortcut is not None else x))


def resnet20():
    layers, channels = [conv_bn(3, 16, 3, 1), torch.nn.ReLU()], 16
    for out in (16, 32, 64):
        for block in range(3):
            layers.append(BasicBlock(channels, out, 2 if block == 0 and out != 16 else 1))
            channels = out
    layers += [torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(64, 10)]
    return torch.nn.Sequential(*layers)


def vgg():
    layers, channels = [], 3
    for out in (32, 64, 128):
        for _ in range(2):
            layers += [conv_bn(channels, out, 3, 1), torch.nn.ReLU()]
            channels = out
        layers.append(torch.nn.MaxPool2d(2))
    layers += [torch.nn.Flatten(), torch.nn.Linear(128 * 4 * 4, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)]
    return torch.nn.Sequential(*layers)


def wide_mlp():
    return torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1024),
                               torch.nn.ReLU(), torch.nn.Linear(1024, 10))


def one_hot(n, seed):
    g = torch.Generator().manual_seed(seed)
    return F.one_hot(torch.randint(0, 10, (n,), generator=g), 10).float()


def workload(name, channels_last=False):
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
    if name in ("R20", "VGG"):
        model = resnet20() if name == "R20" else vgg()
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        x = torch.rand(128, 3, 32, 32, generator=g)
        y = torch.randint(0, 10, (128,), generator=g)
        if channels_last:
            model, x = model.to(memory_format=torch.channels_last), x.to(memory_format=torch.channels_last)

        def step():
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        return step
    if name == "WMLP":
        model = wide_mlp()
        opt = torch.optim.Adam(model.parameters(), lr=0.001)
        x, y = torch.rand(256, 784, generator=g), torch.randint(0, 10, (256,), generator=g)

        def step():
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        return step
    raise SystemExit(f"unknown workload {name} (expected W1a, W1b, W2a, W2b, E1, R20, VGG or WMLP)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=0, help="timed steps (default: by workload)")
    p.add_argument("--warmup", type=int, default=-1, help="untimed steps first (default: max(3, reps/10))")
    p.add_argument("--workloads", default="W1a,W1b,W2a,W2b,E1,R20,VGG,WMLP")
    p.add_argument("--channels-last", action="store_true", help="R20 and VGG in NHWC (channels_last)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    for name in a.workloads.split(","):
        step = workload(name, a.channels_last)
        reps = a.reps or (400 if name.startswith("W1") else 10 if name in ("R20", "VGG") else 30)
        for _ in range(a.warmup if a.warmup >= 0 else max(3, reps // 10)):
            step()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            step()
            times.append((time.perf_counter() - t0) * 1e3)
        q = statistics.quantiles(times, n=10) if len(times) > 1 else times * 9
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name} {a.threads} {statistics.median(times):.4f} {q[0]:.4f} {q[-1]:.4f} {rss:.1f}", flush=True)


if __name__ == "__main__":
    main()
