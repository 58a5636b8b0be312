#!/usr/bin/env bash
# Runs the xgrad and the PyTorch conv2d benchmarks in the same session (alternating, ROUNDS
# rounds each, so both see the same machine load) and prints, per layer and in total, the best
# round of each and the speed ratio.
#
#   examples/bench_conv/run_bench_conv.sh [BUILD_DIR] [THREADS] [REPS] [ROUNDS]
#   defaults: build  2  20  3        (extra torch flags via TORCH_FLAGS, e.g. --channels-last)
#
# The best (lowest-total) round is reported because other processes on a shared machine only
# ever make a round slower; the load average is printed so a noisy run is visible.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../../build}"
threads="${2:-2}"
reps="${3:-20}"
rounds="${4:-3}"
py=/usr/bin/python3  # Debian's interpreter has torch; a pyenv python3 on PATH may not
bench="$build/examples/bench_conv/bench_conv"
[ -x "$bench" ] || { echo "build bench_conv first: cmake --build $build --target bench_conv" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  "$bench" --reps "$reps" --threads "$threads" --csv "$tmp/xgrad_$r.csv" > "$tmp/xgrad_$r.txt"
  OMP_NUM_THREADS="$threads" "$py" "$here/bench_conv_torch.py" --reps "$reps" \
    --threads "$threads" ${TORCH_FLAGS:-} --csv "$tmp/torch_$r.csv" > "$tmp/torch_$r.txt"
  echo "round $r: xgrad $(tail -1 "$tmp/xgrad_$r.txt" | sed 's/.*sums) //')" \
       " | torch $(tail -1 "$tmp/torch_$r.txt" | sed 's/.*sums) //')"
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"

"$py" - "$tmp" "$rounds" <<'PY'
import csv, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
def load(name):
    best = None
    for r in range(1, rounds + 1):
        rows = list(csv.DictReader(open(f"{tmp}/{name}_{r}.csv")))
        total = float(rows[-1]["total_ms"])
        if best is None or total < best[0]:
            best = (total, rows, r)
    return best
xt, xrows, xr = load("xgrad")
tt, trows, tr = load("torch")
print(f"\nbest rounds: xgrad #{xr}, torch #{tr} (median-of-reps times; GFLOP/s = nominal FLOPs)")
print(f"{'layer':>5} {'xgrad ms':>9} {'GFLOP/s':>8} {'torch ms':>9} {'GFLOP/s':>8} {'torch/xgrad':>11}")
for x, t in zip(xrows[:-1], trows[:-1]):
    xg, tg = float(x["total_ms"]), float(t["total_ms"])
    gf = float(x["gflop"])
    print(f"{x['layer']:>5} {xg:9.3f} {gf / xg * 1e3:8.1f} {tg:9.3f} {gf / tg * 1e3:8.1f} {tg / xg:11.2f}")
gf = float(xrows[-1]["gflop"])
print(f"{'total':>5} {xt:9.3f} {gf / xt * 1e3:8.1f} {tt:9.3f} {gf / tt * 1e3:8.1f} {tt / xt:11.2f}")
print(f"\nxgrad is {tt / xt:.2f}x PyTorch's speed (>1 = faster)")
PY
