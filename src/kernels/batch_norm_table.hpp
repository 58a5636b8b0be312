#pragma once
// Private: fused_batch_norm's loops over one flat block of rows, for one instruction set, as a
// table (one family of isa_dispatch.hpp; the loops: simd/batch_norm.cpp). The per-feature arrays
// (mu, a, b, ...) are repeated to the block's period (row_blocks.hpp), so every loop is a
// plain elementwise one that the compiler vectorises for the file's instruction set.
#include <cstddef>

#include "kernels/isa_dispatch.hpp"

namespace xgrad::kernels {

template <class T>
struct BatchNormTable {
  /// acc[t] += x[t]
  void (*accumulate)(const T* x, T* acc, std::size_t n);
  /// acc[t] += (x[t] - mu[t])^2
  void (*accumulate_sq_dev)(const T* x, const T* mu, T* acc, std::size_t n);
  /// y[t] = (x[t] - mu[t]) a[t] + b[t]
  void (*normalize)(const T* x, const T* mu, const T* a, const T* b, T* y, std::size_t n);
  /// acc_g[t] += g[t], acc_gx[t] += g[t] (x[t] - mu[t])
  void (*accumulate_grad)(const T* x, const T* g, const T* mu, T* acc_g, T* acc_gx,
                          std::size_t n);
  /// dx[t] = a[t] (g[t] - mg[t] - (x[t] - mu[t]) k[t])
  void (*input_grad)(const T* x, const T* g, const T* mu, const T* a, const T* mg, const T* k,
                     T* dx, std::size_t n);
};

}  // namespace xgrad::kernels
