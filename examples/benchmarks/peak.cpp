#include "peak.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xtensor.hpp>

#ifdef XGRAD_BENCH_ONEDNN
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#endif

// OpenBLAS's own thread control (the sgemm below must run on one core whatever the process
// set; xgrad sets one thread only at its first kernel, which may not have run yet).
extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);

namespace bench {
namespace {

constexpr std::size_t kSize = 1024;
constexpr double kFlops = 2.0 * kSize * kSize * kSize;

template <class Product>
double best_gflops(int reps, Product&& product) {
  product();  // warm-up: page faults, packing buffers, JIT (oneDNN)
  double best_s = 1e30;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    product();
    best_s = std::min(best_s, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return kFlops / best_s * 1e-9;
}

}  // namespace

bool have_onednn() {
#ifdef XGRAD_BENCH_ONEDNN
  return true;
#else
  return false;
#endif
}

std::string SingleCorePeak::describe() const {
  char line[160];
  if (onednn_gflops > 0)
    std::snprintf(line, sizeof line,
                  "# peak single-core sgemm 1024^3: %.1f GFLOP/s (OpenBLAS %.1f, oneDNN %.1f)",
                  best(), openblas_gflops, onednn_gflops);
  else
    std::snprintf(line, sizeof line,
                  "# peak single-core sgemm 1024^3: %.1f GFLOP/s (OpenBLAS %.1f, oneDNN not built in)",
                  best(), openblas_gflops);
  return line;
}

SingleCorePeak measure_single_core_peak(int reps) {
  xt::xtensor<float, 2> a = xt::ones<float>({kSize, kSize}) * 0.5f;
  xt::xtensor<float, 2> b = xt::ones<float>({kSize, kSize}) * 0.25f;
  xt::xtensor<float, 2> c = xt::zeros<float>({kSize, kSize});
  SingleCorePeak peak;
  const int openblas_threads = openblas_get_num_threads();
  openblas_set_num_threads(1);
  peak.openblas_gflops = best_gflops(reps, [&] { xt::blas::gemm(a, b, c); });
  openblas_set_num_threads(openblas_threads);
#ifdef XGRAD_BENCH_ONEDNN
  const int omp_threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto n = dnnl_dim_t(kSize);
  peak.onednn_gflops = best_gflops(reps, [&] {
    dnnl_sgemm('N', 'N', n, n, n, 1.f, a.data(), n, b.data(), n, 0.f, c.data(), n);
  });
  omp_set_num_threads(omp_threads);
#endif
  return peak;
}

}  // namespace bench
