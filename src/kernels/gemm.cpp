// The only file that includes <cblas.h>: it clashes with xtensor-blas's bundled declarations.
#include "config.hpp"
#include "kernels/gemm.hpp"

#include <cblas.h>

#include <algorithm>
#include <cstdlib>

#include "kernels/parallel.hpp"
#include "kernels/workspace.hpp"
#if defined(XGRAD_WITH_DNNL)
#include "kernels/dnnl_gemm.hpp"
#endif
#include "kernels/runtime.hpp"

namespace xgrad::kernels {

namespace {

CBLAS_TRANSPOSE flag(bool t) { return t ? CblasTrans : CblasNoTrans; }

constexpr double kMinFlopsPerThread = config::kMinGemmFlopsPerThread;
constexpr double kMinAddsPerThread = config::kMinGemmAddsPerThread;
constexpr double kMaxPairFlops = config::kMaxPairGemmFlops;
// Row and depth blocks start on multiples of this: a weight matrix's rows then fall in the
// same thread's block whether it is split by depth (forward) or by rows (its gradient).
constexpr std::size_t kRowAlign = 8;

bool dnnl_gemm_from_env() {
#if defined(XGRAD_WITH_DNNL)
  const char* v = config::env_gemm_dnnl();
  return !v || std::atoi(v) != 0;
#else
  return false;
#endif
}

}  // namespace

bool& gemm_uses_dnnl() {
  static bool use = dnnl_gemm_from_env();
  return use;
}

namespace {

#if defined(XGRAD_WITH_DNNL)
// Products (per thread's share) up to this many flops run on oneDNN's sgemm. Measured on a
// 2-core AMD EPYC (Zen 3, AVX2), one thread, CPU time, GFLOP/s OpenBLAS 0.3.21 -> oneDNN 2.6.3,
// two runs: 60x100x100 (B^T) 66 -> 78-82, 784x100x60 (A^T) 61-63 -> 67-78, 60x100x784 71-73
// -> 70-85; larger ones are even or lose: 10000x100x784 57-64 -> 60-62, 128x1024x1024 62-63
// -> 55-60, 256x1024x1024 (B^T) 67-78 -> 57-58.
constexpr double kMaxDnnlGemmFlops = 1e7;
#endif

void blas(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha,
          const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
          std::size_t ldc) {
#if defined(XGRAD_WITH_DNNL)
  // (k == 0: oneDNN rejects it; OpenBLAS scales C by beta.)
  if (gemm_uses_dnnl() && k > 0 && 2.0 * double(m) * double(n) * double(k) <= kMaxDnnlGemmFlops) {
    return dnnl_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
#endif
  cblas_sgemm(CblasRowMajor, flag(ta), flag(tb), int(m), int(n), int(k), alpha, a, int(lda), b,
              int(ldb), beta, c, int(ldc));
}

void blas(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, double alpha,
          const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta,
          double* c, std::size_t ldc) {
  cblas_dgemm(CblasRowMajor, flag(ta), flag(tb), int(m), int(n), int(k), alpha, a, int(lda), b,
              int(ldb), beta, c, int(ldc));
}

template <class T>
void blas(const GemmCall<T>& g) {
  blas(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, g.c, g.ldc);
}

}  // namespace

template <class T>
void gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
          std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
  ensure_runtime_configured();
  if (m == 0 || n == 0) return;
  const int parts = threads_for(2.0 * double(m) * double(n) * double(k), kMinFlopsPerThread);
  if (parts == 1) return blas(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  // Split the longest dimension. Each thread then reads the smallest share of A and B, and
  // the share it reads is the one it wrote or will write in the neighbouring steps of a
  // training step (784-row weights: forward splits their rows by depth, the weight gradient
  // and the optimizer by rows), so the data stays in that core's cache. The blocks depend
  // only on the sizes and the thread count, so results repeat for a given count.
  if (k > m && k > n && k >= kRowAlign * std::size_t(parts)) {
    // Depth: part p computes A[:, kp] B[kp, :], part 0 into C (with beta), the others into
    // their own buffers; then the partial products are added to C's rows in part order.
    // (k >= kRowAlign * parts: no part is empty.)
    // The partials are in the calling thread's workspace: it reads them after the job, when
    // a worker may already be running another user thread's job.
    const WorkspaceLease buffer(WorkspaceSlot::GemmPartials, std::size_t(parts - 1) * m * n * sizeof(T));
    T* const partials = buffer.as<T>();
    const auto partial_of = [&](int part) { return partials + std::size_t(part - 1) * m * n; };
    run_parts(parts, [&](int part, int count) {
      const Range r = split_range(k, part, count, kRowAlign);
      const T* a_part = ta ? a + r.begin * lda : a + r.begin;
      const T* b_part = tb ? b + r.begin : b + r.begin * ldb;
      if (part == 0) {
        return blas(ta, tb, m, n, r.end - r.begin, alpha, a_part, lda, b_part, ldb, beta, c, ldc);
      }
      blas(ta, tb, m, n, r.end - r.begin, alpha, a_part, lda, b_part, ldb, T(0), partial_of(part), n);
    });
    // A small C (the 60 x 100 of an MLP layer) is summed here: a second parallel region would
    // cost more than the adds.
    const int sum_parts = threads_for(double(m * n) * double(parts - 1), kMinAddsPerThread);
    run_parts(sum_parts, [&](int part, int count) {
      const Range rows = split_range(m, part, count);
      for (int p = 1; p < parts; ++p) {
        for (std::size_t i = rows.begin; i < rows.end; ++i) {
          T* __restrict dst = c + i * ldc;
          const T* __restrict src = partial_of(p) + i * n;
          for (std::size_t j = 0; j < n; ++j) dst[j] += src[j];
        }
      }
    });
    return;
  }
  const bool split_rows = m >= n;
  run_parts(parts, [&](int part, int count) {
    if (split_rows) {
      const Range r = split_range(m, part, count, kRowAlign);
      if (r.begin == r.end) return;
      const T* a_part = ta ? a + r.begin : a + r.begin * lda;
      blas(ta, tb, r.end - r.begin, n, k, alpha, a_part, lda, b, ldb, beta, c + r.begin * ldc,
           ldc);
    } else {
      const Range r = split_range(n, part, count, 16);
      if (r.begin == r.end) return;
      const T* b_part = tb ? b + r.begin * ldb : b + r.begin;
      blas(ta, tb, m, r.end - r.begin, k, alpha, a, lda, b_part, ldb, beta, c + r.begin, ldc);
    }
  });
}

template <class T>
void gemm(const GemmCall<T>& g) {
  gemm(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, g.c, g.ldc);
}

template <class T>
void gemm_pair(const GemmCall<T>& first, const GemmCall<T>& second) {
  const auto flops = [](const GemmCall<T>& g) { return 2.0 * double(g.m) * double(g.n) * double(g.k); };
  ensure_runtime_configured();
  const double smaller = std::min(flops(first), flops(second));
  const bool side_by_side = std::max(flops(first), flops(second)) <= kMaxPairFlops &&
                            threads_for(2 * smaller, kMinFlopsPerThread) >= 2;
  if (!side_by_side) {
    gemm(first);
    gemm(second);
    return;
  }
  run_parts(2, [&](int part, int) {
    const GemmCall<T>& g = part == 0 ? first : second;
    if (g.m != 0 && g.n != 0) blas(g);  // unsplit: this thread's whole product
  });
}

template void gemm<float>(bool, bool, std::size_t, std::size_t, std::size_t, float, const float*,
                          std::size_t, const float*, std::size_t, float, float*, std::size_t);
template void gemm<double>(bool, bool, std::size_t, std::size_t, std::size_t, double,
                           const double*, std::size_t, const double*, std::size_t, double,
                           double*, std::size_t);

template void gemm<float>(const GemmCall<float>&);
template void gemm<double>(const GemmCall<double>&);
template void gemm_pair<float>(const GemmCall<float>&, const GemmCall<float>&);
template void gemm_pair<double>(const GemmCall<double>&, const GemmCall<double>&);

}  // namespace xgrad::kernels
