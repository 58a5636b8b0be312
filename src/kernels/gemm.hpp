#pragma once
// Private: C = alpha op(A) op(B) + beta C on row-major raw buffers, through OpenBLAS (split
// over xgrad's threads when large enough; see kernels/parallel.hpp).
#include <cstddef>

namespace xgrad::kernels {

/// op(A) is [m, k], op(B) is [k, n], C is [m, n]; lda/ldb/ldc are row strides of the stored
/// (untransposed) matrices.
template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc);

/// Whether small float32 products (gemm.cpp's kMaxDnnlGemmFlops) run on oneDNN's sgemm rather
/// than OpenBLAS, in a build with oneDNN. XGRAD_GEMM_DNNL=0 turns it off; process-wide, for
/// tests and benchmarks. Always false without oneDNN.
bool& gemm_uses_dnnl();

/// One product's arguments, as for gemm().
template <class T>
struct GemmCall {
  bool trans_a, trans_b;
  std::size_t m, n, k;
  T alpha;
  const T* a;
  std::size_t lda;
  const T* b;
  std::size_t ldb;
  T beta;
  T* c;
  std::size_t ldc;
};

/// gemm() with the arguments of `call`.
template <class T>
void gemm(const GemmCall<T>& call);

/// Two independent products (say, a layer's input and weight gradients). Small ones run side
/// by side, one per thread, unsplit; others one after the other, each split by gemm().
template <class T>
void gemm_pair(const GemmCall<T>& first, const GemmCall<T>& second);

}  // namespace xgrad::kernels
