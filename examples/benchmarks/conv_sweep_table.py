#!/usr/bin/python3
"""Summarises conv_sweep.sh's raw lines into one table per thread count.

Input lines: "xgrad <threads> <bench_conv_sweep's line>", "pytorch <threads> <id> <nchw_ms>
<channels_last_ms>" and "peak <GFLOP/s>". Times are medians over rounds of each run's median;
PyTorch counts at its better layout per shape; ratios are times, xgrad / other (below 1:
xgrad is faster).
"""
import statistics
import sys
from collections import defaultdict


def fmt_ratio(a, b):
    return f"{a / b:.2f}" if a and b else "-"


def main(path):
    xgrad = defaultdict(list)   # (threads, id) -> [(xgrad_ms, onednn_ms or None)]
    torch = defaultdict(list)   # (threads, id) -> [(nchw_ms, cl_ms)]
    shapes, peaks = {}, []
    with open(path) as f:
        for line in f:
            p = line.split()
            if p[:1] == ["peak"]:
                peaks.append(float(p[1]))
            elif p[:1] == ["xgrad"] and len(p) >= 13:
                t, i = int(p[1]), int(p[2])
                shapes[i] = (p[3:10], float(p[10]))
                xgrad[(t, i)].append((float(p[11]), None if p[12] == "-" else float(p[12])))
            elif p[:1] == ["pytorch"] and len(p) == 5:
                torch[(int(p[1]), int(p[2]))].append((float(p[3]), float(p[4])))
    peak = statistics.median(peaks) if peaks else None
    for threads in sorted({t for t, _ in xgrad}):
        print(f"\n{threads} thread(s): GFLOP/s of forward + input gradient + filter gradient; "
              "ratios of times")
        print("| # | batch, size, in -> out | kernel, stride, padding | xgrad | oneDNN | PyTorch "
              "| xgrad / oneDNN | xgrad / PyTorch | xgrad of peak |")
        print("|---|---|---|---|---|---|---|---|---|")
        ratios_d, ratios_t = [], []
        for i in sorted(shapes):
            if (threads, i) not in xgrad:
                continue
            (batch, size, cin, cout, k, s, pad), gflop = shapes[i]
            xs = xgrad[(threads, i)]
            x_ms = statistics.median(a for a, _ in xs)
            d_runs = [b for _, b in xs if b is not None]
            d_ms = statistics.median(d_runs) if d_runs else None
            t_runs = torch.get((threads, i), [])
            t_ms, layout = None, ""
            if t_runs:
                nchw, cl = statistics.median(a for a, _ in t_runs), statistics.median(b for _, b in t_runs)
                t_ms, layout = (nchw, "") if nchw <= cl else (cl, " CL")
            if d_ms:
                ratios_d.append(x_ms / d_ms)
            if t_ms:
                ratios_t.append(x_ms / t_ms)

            def gf(ms):
                return f"{gflop / ms * 1e3:.1f}" if ms else "-"
            of_peak = f"{gflop / x_ms * 1e3 / peak:.0%}" if peak else "-"
            print(f"| {i} | {batch}, {size}x{size}x{cin} -> {cout} | {k}x{k}, {s}, {pad} | {gf(x_ms)} | "
                  f"{gf(d_ms)} | {gf(t_ms)}{layout} | {fmt_ratio(x_ms, d_ms)} | {fmt_ratio(x_ms, t_ms)} | {of_peak} |")
        summary = []
        for name, r in (("xgrad / oneDNN", ratios_d), ("xgrad / PyTorch", ratios_t)):
            if r:
                summary.append(f"{name}: median {statistics.median(r):.2f}, range {min(r):.2f}-{max(r):.2f}")
        if summary:
            print("\n" + "; ".join(summary))
    if peak:
        print(f"\nsingle-core peak (sgemm 1024^3, median over runs): {peak:.1f} GFLOP/s "
              f"(range {min(peaks):.1f}-{max(peaks):.1f}); CL: PyTorch's channels_last was its faster layout")


if __name__ == "__main__":
    main(sys.argv[1])
