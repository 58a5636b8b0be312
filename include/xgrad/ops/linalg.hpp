#pragma once
/// \file
/// Matrix product through BLAS (sgemm/dgemm), tf.linalg.matmul, and the dense layer's
/// x W + b (tf.compat.v1.nn.xw_plus_b).
#include "xgrad/tensor.hpp"

namespace xgrad {

/// [M, K] x [K, N] -> [M, N], optionally using a or b transposed (without copying).
/// VJP: dA = g B^T, dB = A^T g (as GEMMs with transpose flags).
template <class T>
BasicTensor<T> matmul(const BasicTensor<T>& a, const BasicTensor<T>& b, bool transpose_a = false,
                      bool transpose_b = false);

/// x [M, K] times w [K, N] plus b [N] on every row, in one op: the product accumulates onto the
/// rows of b (no second [M, N] array, one node instead of two). What nn::Dense runs.
/// Throws std::invalid_argument naming the op and the three shapes when they do not fit.
/// VJP: dx = g w^T, dw = x^T g, db = sum of g's rows.
template <class T>
BasicTensor<T> xw_plus_b(const BasicTensor<T>& x, const BasicTensor<T>& w, const BasicTensor<T>& b);

}  // namespace xgrad
