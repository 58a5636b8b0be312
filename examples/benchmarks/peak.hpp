#pragma once
// The machine's single-core peak, measured in the benchmark's own run: the best GFLOP/s of a
// single-threaded float sgemm 1024x1024x1024 from OpenBLAS (through xtensor-blas) and, when the
// benchmarks were built with oneDNN, oneDNN's dnnl_sgemm. Every benchmark prints its figures
// as a fraction of it, so runs on different machines (or a busier day) can be read alike.
#include <string>

namespace bench {

struct SingleCorePeak {
  double openblas_gflops = 0;
  double onednn_gflops = 0;  ///< 0 when the benchmarks were built without oneDNN
  double best() const { return openblas_gflops > onednn_gflops ? openblas_gflops : onednn_gflops; }
  /// "# peak single-core sgemm 1024^3: <best> GFLOP/s (OpenBLAS <x>, oneDNN <y>)": one line
  /// the comparison scripts collect (it starts with '#', so column parsers skip it).
  std::string describe() const;
};

/// Times `reps` products of each library on one thread (after one warm-up) and keeps the best.
/// Leaves OpenBLAS's and OpenMP's thread counts as it found them.
SingleCorePeak measure_single_core_peak(int reps = 8);

/// Whether these benchmarks were built with oneDNN (its sgemm and convolution primitives).
bool have_onednn();

}  // namespace bench
