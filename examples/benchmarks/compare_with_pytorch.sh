#!/usr/bin/env bash
# Runs the comparison workloads in xgrad (bench_workloads) and PyTorch (bench_torch.py),
# alternating, one workload per process (so each process's peak RSS is that workload's), with
# 1 and 2 threads each, ROUNDS times; then prints the table of median ms/step and the ratio
# xgrad/PyTorch at each side's best thread setting (ratio_table.py), GFLOP/s and the fraction
# of the single-core peak the xgrad runs measured. PyTorch runs the CIFAR nets (R20, VGG) in
# both layouts, NCHW and channels_last, and its better one counts.
#
#   examples/benchmarks/compare_with_pytorch.sh [BUILD_DIR=build] [ROUNDS=5]
#       [WORKLOADS=W1a,W1b,W2a,W2b,E1,R20,VGG,WMLP] [STEPS=by workload]
#
# STEPS sets the timed steps per process on both sides (--reps); a quick look at the CIFAR
# nets: compare_with_pytorch.sh build 1 R20,VGG 3
#
# PyTorch comes from Debian (python3-torch); as root the script installs it when missing.
# PyTorch runs with OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(N): its intra-op pool owns
# the cores (its best setting on this machine, see the README).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-build}"
rounds="${2:-5}"
workloads="${3:-W1a,W1b,W2a,W2b,E1,R20,VGG,WMLP}"
steps=()
if [[ -n "${4:-}" ]]; then steps=(--reps "$4" --warmup 1); fi
bench="$build/examples/benchmarks/bench_workloads"
python=/usr/bin/python3  # Debian's interpreter: the one python3-torch installs into

if [[ ! -x "$bench" ]]; then
  echo "compare_with_pytorch: $bench not found; build first: cmake -S . -B $build && cmake --build $build -j2" >&2
  exit 2
fi
if ! "$python" -c "import torch" 2>/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "compare_with_pytorch: installing Debian's python3-torch (the PyTorch side)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
  else
    echo "compare_with_pytorch: PyTorch missing; install it: sudo apt-get install -y python3-torch" >&2
    exit 2
  fi
fi

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
IFS=, read -r -a names <<< "$workloads"
for ((round = 1; round <= rounds; round++)); do
  echo "round $round/$rounds" >&2
  for name in "${names[@]}"; do
    layouts=(pytorch)
    if [[ "$name" == R20 || "$name" == VGG ]]; then layouts+=(pytorch_cl); fi
    for threads in 1 2; do
      "$bench" --workloads "$name" --threads "$threads" "${steps[@]}" \
        | sed -n -e "s/^# peak single-core sgemm 1024^3: \([0-9.]*\) GFLOP.*/peak \1/p" \
                 -e "/^#/d" -e "s/^/xgrad /p" >> "$results"
      for side in "${layouts[@]}"; do
        flags=()
        if [[ "$side" == pytorch_cl ]]; then flags=(--channels-last); fi
        OPENBLAS_NUM_THREADS=1 "$python" "$here/bench_torch.py" --workloads "$name" --threads "$threads" \
          "${steps[@]}" "${flags[@]}" | sed -n "s/^/$side /p" >> "$results"
      done
    done
  done
done
"$python" "$here/ratio_table.py" "$results"
