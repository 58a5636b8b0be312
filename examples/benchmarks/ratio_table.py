#!/usr/bin/python3
"""Summarises compare_with_pytorch.sh's raw lines into the README's ratio table.

Input lines: "<side> <workload> <threads> <median_ms> <p10_ms> <p90_ms> <peak_rss_mb> [gflops ...]",
one per run; side is xgrad, pytorch or pytorch_cl (PyTorch in channels_last), and
"peak <GFLOP/s>" lines, the single-core sgemm peak each xgrad run measured. For each side,
workload and thread count: the median over runs of the per-run medians. Each side is then
taken at its best thread count (PyTorch also at its best layout), and the ratio is
xgrad / PyTorch. GFLOP/s are the nominal FLOPs of a step (bench_workloads counts them; both
sides run the same ones) over the median time, and "of peak" divides them by the median peak.
"""
import statistics
import sys
from collections import defaultdict

TARGETS = {"W1a": 0.4, "W1b": 0.4, "W2a": 0.6, "W2b": 0.6, "E1": 0.8, "R20": 0.7, "VGG": 0.7, "WMLP": None}
PYTORCH_SIDES = ("pytorch", "pytorch_cl")


def main(path):
    runs = defaultdict(list)  # (side, workload, threads) -> [(median, rss)]
    flops = {}  # workload -> FLOPs per step, from xgrad's gflops column
    peaks = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[0] == "peak":
                peaks.append(float(parts[1]))
                continue
            if len(parts) < 7:
                continue
            side, name, threads = parts[0], parts[1], int(parts[2])
            runs[(side, name, threads)].append((float(parts[3]), float(parts[6])))
            if side == "xgrad" and len(parts) >= 8:
                flops[name] = float(parts[7]) * float(parts[3]) * 1e6
    peak = statistics.median(peaks) if peaks else None
    order = [w for w in TARGETS if any(k[1] == w for k in runs)]
    print("| workload | xgrad 1 thr | xgrad 2 thr | PyTorch 1 thr | PyTorch 2 thr | "
          "ratio (best/best) | target | GFLOP/s xgrad / PyTorch (best) | of peak, xgrad 1 thr | "
          "xgrad peak RSS | PyTorch peak RSS | runs |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    failed = []
    for w in order:
        med, rss, n = {}, {}, 0
        for side in ("xgrad",) + PYTORCH_SIDES:
            for t in (1, 2):
                r = runs.get((side, w, t), [])
                if r:
                    med[(side, t)] = statistics.median(m for m, _ in r)
                    rss[(side, t)] = max(x for _, x in r)
                    n = max(n, len(r))
        best = {}
        for group, sides in (("xgrad", ("xgrad",)), ("pytorch", PYTORCH_SIDES)):
            options = [(med[(s, t)], s, t) for s in sides for t in (1, 2) if (s, t) in med]
            best[group] = min(options) if options else None
        if not best["xgrad"] or not best["pytorch"]:
            continue
        ratio = best["xgrad"][0] / best["pytorch"][0]
        target = TARGETS[w]
        if target is not None and ratio > target:
            failed.append(w)

        def cell(group, t):
            # PyTorch: its better layout at this thread count (" CL" when channels_last).
            sides = ("xgrad",) if group == "xgrad" else PYTORCH_SIDES
            options = [(med[(s, t)], s) for s in sides if (s, t) in med]
            if not options:
                return "-"
            ms, side = min(options)
            mark = "**" if best[group][2] == t else ""
            layout = " CL" if side == "pytorch_cl" else ""
            return f"{mark}{ms:.3g} ms{mark}{layout}"

        if w in flops:
            gflops = f"{flops[w] / (best['xgrad'][0] * 1e6):.1f} / {flops[w] / (best['pytorch'][0] * 1e6):.1f}"
            one = med.get(("xgrad", 1))
            of_peak = f"{flops[w] / (one * 1e6) / peak:.0%}" if peak and one else "-"
        else:
            gflops, of_peak = "-", "-"
        target_cell = "-" if target is None else f"<= {target} {'met' if ratio <= target else 'MISSED'}"
        print(f"| {w} | {cell('xgrad', 1)} | {cell('xgrad', 2)} | {cell('pytorch', 1)} | "
              f"{cell('pytorch', 2)} | {ratio:.2f} | {target_cell} | {gflops} | {of_peak} | "
              f"{rss[('xgrad', best['xgrad'][2])]:.0f} MB | {rss[best['pytorch'][1:]]:.0f} MB | {n} |")
    print("\nmedian of per-run medians; bold = each side's best thread count, used for the ratio"
          " (CL: PyTorch's channels_last layout was its faster one there); peak RSS = max over runs"
          " of that process's peak resident memory")
    if peak:
        print(f"single-core peak (sgemm 1024^3, median over the xgrad runs): {peak:.1f} GFLOP/s "
              f"(range {min(peaks):.1f}-{max(peaks):.1f})")
    if failed:
        print("targets missed: " + ", ".join(failed))


if __name__ == "__main__":
    main(sys.argv[1])
