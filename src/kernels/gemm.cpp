// The only file that includes <cblas.h>: it clashes with xtensor-blas's bundled declarations.
#include "kernels/gemm.hpp"

#include <cblas.h>
#include <cstdlib>

namespace xgrad::kernels {

namespace {
CBLAS_TRANSPOSE flag(bool t) { return t ? CblasTrans : CblasNoTrans; }

// Applies the thread policy when the library loads (see xgrad/threads.hpp). It lives here, in
// the file every matmul and conv links, so that a static link cannot drop it.
// NOTE: the default is 1 thread. The comparison workloads' GEMMs are small; OpenBLAS's pool
// gains little on them, and when the other core is busy its threads stall each step (measured:
// a 2,000-step MLP run took 34 s with 2 threads next to a compiler, 3.2 s with 1).
const bool env_threads_applied = [] {
  if (const char* v = std::getenv("XGRAD_NUM_THREADS")) {
    int n = std::atoi(v);
    if (n >= 1) openblas_set_num_threads(n);
  } else if (!std::getenv("OPENBLAS_NUM_THREADS") && !std::getenv("OMP_NUM_THREADS")) {
    openblas_set_num_threads(1);
  }
  return true;
}();
}  // namespace

template <>
void gemm<float>(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha,
                 const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta,
                 float* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, flag(ta), flag(tb), int(m), int(n), int(k), alpha, a, int(lda), b,
              int(ldb), beta, c, int(ldc));
}

template <>
void gemm<double>(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, double alpha,
                  const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta,
                  double* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  cblas_dgemm(CblasRowMajor, flag(ta), flag(tb), int(m), int(n), int(k), alpha, a, int(lda), b,
              int(ldb), beta, c, int(ldc));
}

void set_blas_threads(int n) { openblas_set_num_threads(n); }
int blas_threads() { return openblas_get_num_threads(); }

}  // namespace xgrad::kernels
