#pragma once
// Private: SIMD transcendental loops over raw contiguous pointers. Without -ffast-math the
// compiler cannot vectorise std::exp / std::tanh, so the exp-heavy ops (sigmoid, tanh,
// softmax, losses) go through these. Each call runs the widest instruction set's version
// (simd/vmath.cpp, isa_dispatch.hpp). float and double. No autograd here.
#include <cstddef>

namespace xgrad::kernels {

/// out[i] = 1 / (1 + e^-x[i]), computed from e^-|x| so nothing overflows.
template <class T>
void sigmoid(const T* x, T* out, std::size_t n);
/// out[i] = tanh(x[i]).
template <class T>
void tanh(const T* x, T* out, std::size_t n);
/// out[i] = e^x[i].
template <class T>
void exp(const T* x, T* out, std::size_t n);
/// out[i] = log(x[i]).
template <class T>
void log(const T* x, T* out, std::size_t n);
/// out[i] = e^(x[i] - shift); returns the sum of the out[i].
template <class T>
T exp_shift_sum(const T* x, T shift, T* out, std::size_t n);
/// Sum of e^(x[i] - shift), nothing stored.
template <class T>
T exp_shift_sum(const T* x, T shift, std::size_t n);
/// Largest element (n >= 1). NaNs are not propagated by the SIMD body.
template <class T>
T max(const T* x, std::size_t n);
/// Sum of x[0..n) with vector accumulators (no serial add chain).
template <class T>
T sum(const T* x, std::size_t n);
/// Sum of (x[i] - mu)^2.
template <class T>
T sum_sq_dev(const T* x, T mu, std::size_t n);

}  // namespace xgrad::kernels
