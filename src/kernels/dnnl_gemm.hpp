#pragma once
// Private: float32 matrix products on oneDNN's sgemm (built with XGRAD_WITH_DNNL only), for the
// small products where it measured faster than OpenBLAS (gemm.cpp decides).
#include <cstddef>

namespace xgrad::kernels {

/// C = alpha op(A) op(B) + beta C, row-major, as cblas_sgemm; single-threaded (called from one
/// of xgrad's threads, like OpenBLAS).
void dnnl_gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
               float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb,
               float beta, float* c, std::size_t ldc);

}  // namespace xgrad::kernels
