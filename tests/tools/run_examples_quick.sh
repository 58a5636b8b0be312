#!/usr/bin/env bash
# Runs every example program in its --quick mode, whole (data loading, training, evaluation,
# checkpoint round trip), and fails when one exits non-zero. Pointed at a sanitizer build
# (XGRAD_SANITIZE=ON with the examples), AddressSanitizer stops at the first bad access and
# LeakSanitizer fails a program that leaks anything at exit. .ci/run does exactly that.
#
# usage: tests/tools/run_examples_quick.sh BUILD_DIR [DATA_DIR]
#   DATA_DIR  the four MNIST idx files; default: data/mnist (filled by data/fetch_mnist.sh
#             when possible), else full-size stand-in files from make_fake_mnist.
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${1:?usage: $0 BUILD_DIR [DATA_DIR]}"
data="${2:-}"
out="$build/quick-runs"
mkdir -p "$out"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

if [ -z "$data" ]; then
  if data/fetch_mnist.sh > "$out/fetch.log" 2>&1; then
    data=data/mnist
  else
    echo "MNIST unavailable (see $out/fetch.log): using generated stand-in files"
    "$build/tests/make_fake_mnist" "$out/fake_mnist"
    data="$out/fake_mnist"
  fi
fi
data="$(cd "$data" && pwd)"
echo "data: $data"

# The sanitizer's quarantine keeps freed memory resident, so under ASan the resident set is
# no measure of leaks (LeakSanitizer is); long_run's RSS limit is lifted there.
growth=1
# (grep without -q: with pipefail, an nm stopped by SIGPIPE would make the test false.)
if nm "$build/examples/long_run/long_run" 2>/dev/null | grep __asan_init > /dev/null; then
  growth=4096
fi

run() {
  local name="$1"
  shift
  local start=$SECONDS
  if ! "$@" > "$out/$name.log" 2>&1; then
    tail -n 40 "$out/$name.log"
    echo "FAILED: $name ($*); full output in $out/$name.log"
    exit 1
  fi
  echo "ok: $name ($((SECONDS - start)) s)"
}

ex="$build/examples"
run bn_basics "$ex/bn_basics/bn_basics"
run mnist_bn_mlp "$ex/mnist_bn_mlp/mnist_bn_mlp" --quick --no-plots --data-dir "$data" \
  --out-dir "$out/mlp"
run mnist_bn_conv "$ex/mnist_bn_conv/mnist_bn_conv" --quick --no-plots --data-dir "$data" \
  --out-dir "$out/conv"
run long_run "$ex/long_run/long_run" --quick --data-dir "$data" --out-dir "$out/long_run" \
  --max-growth-mb "$growth"
mkdir -p "$out/train_mlp"
run train_mlp bash -c "cd '$out/train_mlp' && '$(cd "$ex/train_mlp" && pwd)/train_mlp' '$data' 2000"
echo "every example's quick mode ran cleanly"
