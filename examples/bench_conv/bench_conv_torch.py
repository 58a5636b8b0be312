#!/usr/bin/python3
"""PyTorch counterpart of bench_conv.cpp: conv2d forward + backward (input and filter
gradients) on the 19-layer conv net shapes (batch 64, 28x28x1, layer i: 4*i channels, 3x3,
stride 2 when i % 3 == 0, TensorFlow SAME padding).

TF SAME padding is asymmetric when the total is odd (extra row/column at the bottom/right):
symmetric cases use conv2d's own `padding=`, asymmetric ones an explicit F.pad (timed, as it is
part of the op). Layout NCHW (PyTorch's native one; --channels-last to try NHWC).

Run with Debian's interpreter, which has torch:  /usr/bin/python3 bench_conv_torch.py --threads 2
"""
import argparse
import math
import statistics
import time

import torch
import torch.nn.functional as F


def same_pads(size, k, s):
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    return out, total // 2, total - total // 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--channels-last", action="store_true")
    ap.add_argument("--csv", default="")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1234)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format

    layers = []
    h = w = 28
    c = 1
    for i in range(1, 20):
        s = 2 if i % 3 == 0 else 1
        oh, pt, pb = same_pads(h, 3, s)
        ow, pl, pr = same_pads(w, 3, s)
        x = torch.randn(a.batch, c, h, w).to(memory_format=fmt).requires_grad_()
        wt = torch.randn(4 * i, c, 3, 3).to(memory_format=fmt).requires_grad_()
        up = torch.randn(a.batch, 4 * i, oh, ow).to(memory_format=fmt)
        layers.append(dict(h=h, w=w, cin=c, cout=4 * i, s=s, oh=oh, ow=ow,
                           pads=(pl, pr, pt, pb), x=x, wt=wt, up=up))
        h, w, c = oh, ow, 4 * i

    def conv(L):
        pl, pr, pt, pb = L["pads"]
        if pl == pr and pt == pb:
            return F.conv2d(L["x"], L["wt"], stride=L["s"], padding=(pt, pl))
        return F.conv2d(F.pad(L["x"], (pl, pr, pt, pb)), L["wt"], stride=L["s"])

    fwd = [[] for _ in layers]
    bwd = [[] for _ in layers]
    tot = []
    for r in range(a.warmup + a.reps):
        sm = 0.0
        for i, L in enumerate(layers):
            L["x"].grad = None
            L["wt"].grad = None
            t0 = time.perf_counter()
            y = conv(L)
            f = (time.perf_counter() - t0) * 1e3
            t0 = time.perf_counter()
            y.backward(L["up"])
            b = (time.perf_counter() - t0) * 1e3
            if r >= a.warmup:
                fwd[i].append(f)
                bwd[i].append(b)
            sm += f + b
        if r >= a.warmup:
            tot.append(sm)

    print(f"PyTorch {torch.__version__} conv2d ({'NHWC' if a.channels_last else 'NCHW'}), "
          f"batch {a.batch}, threads {torch.get_num_threads()}, median of {a.reps} reps "
          f"({a.warmup} warm-up)")
    print(f"{'layer':>5} {'in -> out':<22} {'stride':>6} {'fwd ms':>9} {'bwd ms':>9} "
          f"{'total ms':>9} {'GFLOP/s':>9}")
    rows = []
    flops_all = 0.0
    for i, L in enumerate(layers):
        f = statistics.median(fwd[i])
        b = statistics.median(bwd[i])
        t = statistics.median([x + y for x, y in zip(fwd[i], bwd[i])])
        flops = 3 * 2.0 * a.batch * L["oh"] * L["ow"] * L["cout"] * 9 * L["cin"]
        flops_all += flops
        shape = f"{L['h']}x{L['w']}x{L['cin']} -> {L['oh']}x{L['ow']}x{L['cout']}"
        print(f"{i + 1:>5} {shape:<22} {L['s']:>6} {f:9.3f} {b:9.3f} {t:9.3f} "
              f"{flops / (t * 1e6):9.2f}")
        rows.append((i + 1, f, b, t, flops / 1e9))
    total = statistics.median(tot)
    print(f"total (median of per-rep sums) {total:.3f} ms, {flops_all / 1e9:.3f} GFLOP, "
          f"{flops_all / (total * 1e6):.2f} GFLOP/s")
    if a.csv:
        with open(a.csv, "w") as fh:
            fh.write("layer,fwd_ms,bwd_ms,total_ms,gflop\n")
            for row in rows:
                fh.write(",".join(str(v) for v in row) + "\n")
            fh.write(f"total,,,{total},{flops_all / 1e9}\n")


if __name__ == "__main__":
    main()
