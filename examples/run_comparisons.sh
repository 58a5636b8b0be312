#!/usr/bin/env bash
# The main job: the seeds' batch-norm comparisons at full length (BN basics, Experiment 1,
# Experiment 2), writing tables, CSV, checkpoints and PNG plots to OUT_DIR (default: out/).
# Fetches MNIST first (data/fetch_mnist.sh); when it cannot be had, says so and uses
# Fashion-MNIST from Debian's dataset-fashion-mnist package instead.
# usage: examples/run_comparisons.sh [--quick] [BUILD_DIR] [OUT_DIR]   (extra options go to both
#        experiments through XGRAD_EXAMPLE_ARGS, e.g. XGRAD_EXAMPLE_ARGS="--seed 2")
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
quick=""
if [ "${1:-}" = "--quick" ]; then quick="--quick"; shift; fi
build=${1:-$repo/build}
out=${2:-$repo/out}
bin=$build/examples
for p in bn_basics/bn_basics mnist_bn_mlp/mnist_bn_mlp mnist_bn_conv/mnist_bn_conv; do
  [ -x "$bin/$p" ] || { echo "run_comparisons: $bin/$p is missing; build first (cmake --build $build)" >&2; exit 1; }
done
mkdir -p "$out"
cd "$repo"  # the programs look for data/mnist from here
if [ -z "${XGRAD_MNIST_DIR:-}" ] && ! data/fetch_mnist.sh; then
  echo "run_comparisons: MNIST is unavailable (see above); running on Fashion-MNIST instead." >&2
  data/fetch_fashion_mnist.sh
fi
start=$(date +%s)
echo "== BN basics (seed 001)"
"$bin/bn_basics/bn_basics" | tee "$out/bn_basics.txt"
echo
echo "== Experiment 1 (seed 000): MLP with and without batch norm"
# shellcheck disable=SC2086
"$bin/mnist_bn_mlp/mnist_bn_mlp" $quick --out-dir "$out" ${XGRAD_EXAMPLE_ARGS:-} | tee "$out/mlp_report.txt"
echo
echo "== Experiment 2 (seed 003): 19-layer conv net without BN, with the BN layer, with BN by hand"
# shellcheck disable=SC2086
"$bin/mnist_bn_conv/mnist_bn_conv" $quick --out-dir "$out" ${XGRAD_EXAMPLE_ARGS:-} | tee "$out/conv_report.txt"
echo
echo "main job done in $(( $(date +%s) - start )) s; results, CSV and plots in $out"
