#!/usr/bin/env bash
# The convolution sweep against PyTorch: bench_conv_sweep (xgrad, and oneDNN's primitives when
# built with it) and conv_sweep_torch.py (PyTorch, NCHW and channels_last) on the shapes of
# conv_sweep_shapes.txt, alternating, with each thread count, ROUNDS times; then prints one
# table per thread count (conv_sweep_table.py): GFLOP/s of each, the time ratios xgrad/oneDNN
# and xgrad/PyTorch (PyTorch at its better layout), and xgrad's fraction of the single-core peak.
#
#   examples/benchmarks/conv_sweep.sh [BUILD_DIR=build] [ROUNDS=1] [THREADS=1,2] [ONLY=all]
#
# ONLY is a comma-separated list of shape ids (line numbers of the shapes, from 1). One round
# of all shapes at 1 and 2 threads takes about two minutes on a quiet 2-core machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-build}"
rounds="${2:-1}"
thread_counts="${3:-1,2}"
only="${4:-}"
bench="$build/examples/benchmarks/bench_conv_sweep"
python=/usr/bin/python3  # Debian's interpreter: the one python3-torch installs into

if [[ ! -x "$bench" ]]; then
  echo "conv_sweep: $bench not found; build first: cmake --build $build --target bench_conv_sweep" >&2
  exit 2
fi
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "conv_sweep: PyTorch missing; install it: sudo apt-get install -y python3-torch" >&2
  exit 2
fi
only_flag=()
if [[ -n "$only" ]]; then only_flag=(--only "$only"); fi

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
IFS=, read -r -a threads_list <<< "$thread_counts"
for ((round = 1; round <= rounds; round++)); do
  for threads in "${threads_list[@]}"; do
    echo "round $round/$rounds, $threads thread(s)" >&2
    "$bench" --threads "$threads" "${only_flag[@]}" \
      | sed -n -e "s/^# peak single-core sgemm 1024^3: \([0-9.]*\) GFLOP.*/peak \1/p" \
               -e "/^#/d" -e "s/^/xgrad $threads /p" >> "$results"
    OPENBLAS_NUM_THREADS=1 "$python" "$here/conv_sweep_torch.py" --threads "$threads" "${only_flag[@]}" \
      | sed -n -e "/^#/d" -e "s/^/pytorch $threads /p" >> "$results"
  done
done
"$python" "$here/conv_sweep_table.py" "$results"
