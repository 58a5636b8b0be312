#!/usr/bin/env bash
# A training step next to a busy core: another process spins on the last CPU while
# bench_workloads times W1b and W2b with 1 and with 2 threads, alternating, ROUNDS times; prints
# the median ms per step of each and the ratio 2-thread / 1-thread (at most 1.3 is the aim: a
# descheduled worker must not hold the step).
#
#   examples/benchmarks/busy_core.sh [BUILD_DIR=build] [ROUNDS=5]
set -euo pipefail
build="${1:-build}"
rounds="${2:-5}"
bench="$build/examples/benchmarks/bench_workloads"
[[ -x "$bench" ]] || { echo "busy_core: $bench not found; build first" >&2; exit 2; }
last_cpu=$(( $(nproc) - 1 ))
results="$(mktemp)"
taskset -c "$last_cpu" sh -c 'while :; do :; done' &
spinner=$!
trap 'kill "$spinner" 2>/dev/null || true; rm -f "$results"' EXIT
for ((round = 1; round <= rounds; round++)); do
  for threads in 1 2; do
    "$bench" --workloads W1b,W2b --threads "$threads" | awk '$1 !~ /^#/ && NF >= 3 {print $1, $2, $3}' >> "$results"
  done
done
echo "spinner on CPU $last_cpu; $rounds rounds; median ms per step"
python3 - "$results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, threads, ms = line.split()
    runs.setdefault((name, int(threads)), []).append(float(ms))
print("workload  1 thread  2 threads  2/1")
for name in sorted({k[0] for k in runs}):
    one, two = statistics.median(runs[(name, 1)]), statistics.median(runs[(name, 2)])
    print(f"{name:8}  {one:8.3f}  {two:9.3f}  {two / one:.2f}")
PY
