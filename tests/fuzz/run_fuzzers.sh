#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time from the seed corpus and reports the
# executions. Fails on any crash, leak, timeout or out-of-memory (libFuzzer's exit status).
#
# usage: tests/fuzz/run_fuzzers.sh [SECONDS_PER_TARGET] [BUILD_DIR]
#   SECONDS_PER_TARGET  default 60
#   BUILD_DIR           a build folder configured with
#                       CC=clang CXX=clang++ cmake -S . -B build-fuzz -DXGRAD_FUZZ=ON \
#                         -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXGRAD_BUILD_TESTS=OFF -DXGRAD_BUILD_EXAMPLES=OFF
#                       and built with cmake --build BUILD_DIR (default build-fuzz)
# The seeds are BUILD_DIR/fuzz-corpus/<idx|checkpoint>/, written by the build (make_corpus,
# target fuzz_corpus; not committed). New inputs go to BUILD_DIR/fuzz-work/<target>/ (the seed
# corpus is read, not written); a crashing input is saved as
# BUILD_DIR/fuzz-artifacts/<target>-crash-<sha1>: add its bytes to tests/fuzz/make_corpus.cpp
# as a new seed so the suite replays it once fixed.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
build="${2:-build-fuzz}"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

declare -A corpus=([fuzz_idx]=idx [fuzz_checkpoint]=checkpoint)
summary=()
status=0
for target in fuzz_idx fuzz_checkpoint; do
  bin="$build/tests/fuzz/$target"
  [ -x "$bin" ] || { echo "run_fuzzers: $bin not built (see the usage above)" >&2; exit 2; }
  seeds="$build/fuzz-corpus/${corpus[$target]}"
  [ -d "$seeds" ] || {
    echo "run_fuzzers: $seeds missing: cmake --build $build writes it (target fuzz_corpus)" >&2
    exit 2
  }
  work="$build/fuzz-work/$target"
  artifacts="$build/fuzz-artifacts"
  mkdir -p "$work" "$artifacts"
  log="$build/fuzz-$target.log"
  echo "== $target: $seconds s from $seeds =="
  # Inputs up to 4 KB; -timeout: one input taking over 10 s is a hang; -rss_limit_mb: over
  # 2 GB is a blow-up.
  set +e
  "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$target-" "$work" "$seeds" \
    > "$log" 2>&1
  rc=$?
  set -e
  tail -n 25 "$log"
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log")
  if [ "$rc" -ne 0 ]; then
    status=1
    summary+=("$target: FAILED (exit $rc), ${runs:-no run count}; see $log and $artifacts")
  else
    summary+=("$target: ${runs:-no run count}, no crash, leak, timeout or OOM")
  fi
done
echo "== fuzz summary =="
printf '%s\n' "${summary[@]}"
exit "$status"
