#pragma once
/// \file
/// Matrix product through BLAS (sgemm/dgemm), tf.linalg.matmul.
#include "xgrad/tensor.hpp"

namespace xgrad {

/// [M, K] x [K, N] -> [M, N], optionally using a or b transposed (without copying).
/// VJP: dA = g B^T, dB = A^T g (as GEMMs with transpose flags).
template <class T>
BasicTensor<T> matmul(const BasicTensor<T>& a, const BasicTensor<T>& b, bool transpose_a = false,
                      bool transpose_b = false);

}  // namespace xgrad
