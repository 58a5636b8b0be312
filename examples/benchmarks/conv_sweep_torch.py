#!/usr/bin/python3
"""The convolution sweep (bench_conv_sweep) in PyTorch: conv2d forward + input gradient +
filter gradient on the shapes of conv_sweep_shapes.txt, in NCHW and in channels_last.

Padding as a PyTorch user writes it: TensorFlow's SAME is conv2d's symmetric `padding=` where
that gives the same output size (the extra row of an odd total is then never read), else an
explicit F.pad (timed, as it is part of the op). Timing as bench_conv_sweep: --warmup untimed
steps, then at least --reps timed ones and at least --min-ms of them (at most 50), median.

Prints "# PyTorch <version>, N thread(s)" and one line per shape: "id nchw_ms channels_last_ms".
Run with Debian's interpreter, which has torch:
  /usr/bin/python3 conv_sweep_torch.py --threads 1 [--only 1,5,9] [--shapes-file FILE]
"""
import argparse
import math
import os
import statistics
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def read_shapes(path):
    shapes = []
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            batch, size, cin, cout, k, s, pad = line.split()
            shapes.append(dict(id=len(shapes) + 1, batch=int(batch), size=int(size), cin=int(cin),
                               cout=int(cout), k=int(k), s=int(s), same=pad == "SAME"))
    return shapes


def conv_fn(sh):
    """conv2d with TensorFlow's output size for the shape, written as a PyTorch user would."""
    size, k, s = sh["size"], sh["k"], sh["s"]
    if not sh["same"]:
        return lambda x, w: F.conv2d(x, w, stride=s), (size - k) // s + 1
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    symmetric = (total + 1) // 2
    if (size + 2 * symmetric - k) // s + 1 == out:
        return lambda x, w: F.conv2d(x, w, stride=s, padding=symmetric), out
    pads = (total // 2, total - total // 2) * 2
    return lambda x, w: F.conv2d(F.pad(x, pads), w, stride=s), out


def median_ms(step, warmup, reps, min_ms):
    for _ in range(warmup):
        step()
    times = []
    while len(times) < 50 and (len(times) < reps or sum(times) < min_ms):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--min-ms", type=float, default=200)
    ap.add_argument("--only", default="", help="comma-separated shape ids (default: all)")
    ap.add_argument("--shapes-file", default=os.path.join(HERE, "conv_sweep_shapes.txt"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1234)
    only = {int(i) for i in a.only.split(",") if i}
    print(f"# PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s)", flush=True)
    for sh in read_shapes(a.shapes_file):
        if only and sh["id"] not in only:
            continue
        conv, out = conv_fn(sh)
        times = []
        for fmt in (torch.contiguous_format, torch.channels_last):
            x = torch.randn(sh["batch"], sh["cin"], sh["size"], sh["size"]).to(memory_format=fmt).requires_grad_()
            w = torch.randn(sh["cout"], sh["cin"], sh["k"], sh["k"]).to(memory_format=fmt).requires_grad_()
            up = torch.randn(sh["batch"], sh["cout"], out, out).to(memory_format=fmt)

            def step():
                x.grad = None
                w.grad = None
                conv(x, w).backward(up)
            times.append(median_ms(step, a.warmup, a.reps, a.min_ms))
        print(f"{sh['id']} {times[0]:.3f} {times[1]:.3f}", flush=True)


if __name__ == "__main__":
    main()
