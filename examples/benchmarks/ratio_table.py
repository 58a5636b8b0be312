#!/usr/bin/python3
"""Summarises compare_with_pytorch.sh's raw lines into the README's ratio table.

Input lines: "<side> <workload> <threads> <median_ms> <p10_ms> <p90_ms> <peak_rss_mb> [gflops]",
one per run. For each side, workload and thread count: the median over runs of the per-run
medians. Each side is then taken at its best thread count, and the ratio is xgrad / PyTorch.
"""
import statistics
import sys
from collections import defaultdict

TARGETS = {"W1a": 0.4, "W1b": 0.4, "W2a": 0.6, "W2b": 0.6, "E1": 0.8}


def main(path):
    runs = defaultdict(list)  # (side, workload, threads) -> [(median, rss)]
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 7:
                continue
            side, name, threads = parts[0], parts[1], int(parts[2])
            runs[(side, name, threads)].append((float(parts[3]), float(parts[6])))
    order = [w for w in TARGETS if any(k[1] == w for k in runs)]
    print("| workload | xgrad 1 thr | xgrad 2 thr | PyTorch 1 thr | PyTorch 2 thr | "
          "ratio (best/best) | target | xgrad peak RSS | PyTorch peak RSS | runs |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    failed = []
    for w in order:
        med, rss, best, n = {}, {}, {}, 0
        for side in ("xgrad", "pytorch"):
            for t in (1, 2):
                r = runs.get((side, w, t), [])
                if r:
                    med[(side, t)] = statistics.median(m for m, _ in r)
                    rss[(side, t)] = max(x for _, x in r)
                    n = max(n, len(r))
            options = [(med[(side, t)], t) for t in (1, 2) if (side, t) in med]
            best[side] = min(options) if options else None
        if not best["xgrad"] or not best["pytorch"]:
            continue
        ratio = best["xgrad"][0] / best["pytorch"][0]
        ok = ratio <= TARGETS[w]
        if not ok:
            failed.append(w)

        def cell(side, t):
            if (side, t) not in med:
                return "-"
            mark = "**" if best[side][1] == t else ""
            return f"{mark}{med[(side, t)]:.3g} ms{mark}"

        print(f"| {w} | {cell('xgrad', 1)} | {cell('xgrad', 2)} | {cell('pytorch', 1)} | "
              f"{cell('pytorch', 2)} | {ratio:.2f} | <= {TARGETS[w]} {'met' if ok else 'MISSED'} | "
              f"{rss[('xgrad', best['xgrad'][1])]:.0f} MB | {rss[('pytorch', best['pytorch'][1])]:.0f} MB | {n} |")
    print("\nmedian of per-run medians; bold = each side's best thread count, used for the ratio;"
          " peak RSS = max over runs of that process's peak resident memory")
    if failed:
        print("targets missed: " + ", ".join(failed))


if __name__ == "__main__":
    main(sys.argv[1])
