#!/usr/bin/env bash
# The main job: the batch-norm comparisons at full length, over several seeds (BN basics,
# Experiment 1, Experiment 2), writing tables, CSV, checkpoints and PNG plots to OUT_DIR
# (default: out/). Each experiment runs its seeds side by side, one process per seed, prints
# the median and min-max over the seeds, and checks its source text's conclusions over every
# seed; the job exits non-zero, naming the conclusion, when one fails.
# Fetches MNIST first (data/fetch_mnist.sh); when it cannot be had, says so and uses
# Fashion-MNIST from Debian's dataset-fashion-mnist package instead.
# usage: examples/run_comparisons.sh [--quick] [--seeds LIST] [BUILD_DIR] [OUT_DIR]
#        (default seeds 1,2,3; extra options go to both experiments through
#        XGRAD_EXAMPLE_ARGS, e.g. XGRAD_EXAMPLE_ARGS="--jobs 2")
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
quick=""
seeds=1,2,3
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick="--quick"; shift ;;
    --seeds) seeds=${2:?--seeds needs a list, e.g. 1,2,3}; shift 2 ;;
    --seeds=*) seeds=${1#--seeds=}; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
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
failed=()
echo "== BN basics (Stack Overflow: How could I use batch normalization in TensorFlow?)"
"$bin/bn_basics/bn_basics" | tee "$out/bn_basics.txt"
echo
echo "== Experiment 1 (R2RT, Implementing Batch Normalization in Tensorflow): MLP with and without batch norm"
# shellcheck disable=SC2086
"$bin/mnist_bn_mlp/mnist_bn_mlp" $quick --seeds "$seeds" --out-dir "$out/mlp" ${XGRAD_EXAMPLE_ARGS:-} \
  | tee "$out/mlp_report.txt" || failed+=("Experiment 1")
echo
echo "== Experiment 2 (Udacity's batch-normalization notebook): 19-layer conv net without BN, with the BN layer, with BN by hand"
# shellcheck disable=SC2086
"$bin/mnist_bn_conv/mnist_bn_conv" $quick --seeds "$seeds" --out-dir "$out/conv" ${XGRAD_EXAMPLE_ARGS:-} \
  | tee "$out/conv_report.txt" || failed+=("Experiment 2")
echo
echo "main job done in $(( $(date +%s) - start )) s; reports, CSV and plots in $out (per seed: $out/{mlp,conv}/seed_*)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "run_comparisons: a conclusion failed in: ${failed[*]} (see the verdict lines above)" >&2
  exit 1
fi
