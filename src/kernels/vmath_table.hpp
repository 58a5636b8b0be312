#pragma once
// Private: the SIMD transcendental loops of vmath.hpp for one instruction set, as a table (one
// family of isa_dispatch.hpp; the loops: simd/vmath.cpp).
#include <cstddef>

#include "kernels/isa_dispatch.hpp"

namespace xgrad::kernels {

template <class T>
struct VMathTable {
  /// out[i] = 1 / (1 + e^-x[i]), computed from e^-|x| so nothing overflows.
  void (*sigmoid)(const T* x, T* out, std::size_t n);
  /// out[i] = tanh(x[i]).
  void (*tanh)(const T* x, T* out, std::size_t n);
  /// out[i] = e^x[i].
  void (*exp)(const T* x, T* out, std::size_t n);
  /// out[i] = log(x[i]).
  void (*log)(const T* x, T* out, std::size_t n);
  /// out[i] = e^(x[i] - shift); returns the sum of the out[i].
  T (*exp_shift_sum_store)(const T* x, T shift, T* out, std::size_t n);
  /// Sum of e^(x[i] - shift), nothing stored.
  T (*exp_shift_sum)(const T* x, T shift, std::size_t n);
  /// Largest element (n >= 1). NaNs are not propagated by the SIMD body.
  T (*max)(const T* x, std::size_t n);
  /// Sum of x[0..n) with vector accumulators (no serial add chain).
  T (*sum)(const T* x, std::size_t n);
  /// Sum of (x[i] - mu)^2.
  T (*sum_sq_dev)(const T* x, T mu, std::size_t n);
};

}  // namespace xgrad::kernels
