// The SIMD transcendental loops of vmath.hpp, compiled once per instruction set
// (per_isa.hpp): xsimd batches of the translation unit's widest set.
#include <cmath>
#include <cstddef>
#include <xsimd/xsimd.hpp>

#include "kernels/vmath_table.hpp"
#include "kernels/per_isa.hpp"

namespace xgrad::kernels {
namespace XGRAD_SIMD_NS {

namespace {

/// out[i] = 1 / (1 + e^-x[i]), computed from e^-|x| so nothing overflows.
template <class T>
void sigmoid(const T* x, T* out, std::size_t n) {
  using B = xsimd::batch<T>;
  constexpr std::size_t W = B::size;
  std::size_t i = 0;
  const B one(T(1)), zero(T(0));
  for (; i + W <= n; i += W) {
    const B v = B::load_unaligned(x + i);
    const B e = xsimd::exp(-xsimd::abs(v));
    const B r = one / (one + e);
    xsimd::select(v >= zero, r, e * r).store_unaligned(out + i);
  }
  for (; i < n; ++i) {
    const T e = std::exp(-std::abs(x[i]));
    const T r = T(1) / (T(1) + e);
    out[i] = x[i] >= T(0) ? r : e * r;
  }
}

/// out[i] = f(x[i]): f takes SIMD batches, and scalars for the tail (xsimd's math functions
/// take both; on scalars they are std::'s).
template <class T, class F>
void map(const T* x, T* out, std::size_t n, F f) {
  using B = xsimd::batch<T>;
  constexpr std::size_t W = B::size;
  std::size_t i = 0;
  for (; i + W <= n; i += W) f(B::load_unaligned(x + i)).store_unaligned(out + i);
  for (; i < n; ++i) out[i] = f(x[i]);
}

/// out[i] = tanh(x[i]).
template <class T>
void tanh(const T* x, T* out, std::size_t n) {
  map(x, out, n, [](auto v) { return xsimd::tanh(v); });
}

/// out[i] = e^(x[i] - shift); returns the sum of the out[i].
template <class T>
T exp_shift_sum(const T* x, T shift, T* out, std::size_t n) {
  using B = xsimd::batch<T>;
  constexpr std::size_t W = B::size;
  std::size_t i = 0;
  B acc(T(0));
  const B s(shift);
  for (; i + W <= n; i += W) {
    const B e = xsimd::exp(B::load_unaligned(x + i) - s);
    e.store_unaligned(out + i);
    acc += e;
  }
  T sum = xsimd::hadd(acc);
  for (; i < n; ++i) {
    out[i] = std::exp(x[i] - shift);
    sum += out[i];
  }
  return sum;
}

/// Sum of e^(x[i] - shift), nothing stored.
template <class T>
T exp_shift_sum(const T* x, T shift, std::size_t n) {
  using B = xsimd::batch<T>;
  constexpr std::size_t W = B::size;
  std::size_t i = 0;
  B acc(T(0));
  const B s(shift);
  for (; i + W <= n; i += W) acc += xsimd::exp(B::load_unaligned(x + i) - s);
  T sum = xsimd::hadd(acc);
  for (; i < n; ++i) sum += std::exp(x[i] - shift);
  return sum;
}

/// out[i] = e^x[i].
template <class T>
void exp(const T* x, T* out, std::size_t n) {
  map(x, out, n, [](auto v) { return xsimd::exp(v); });
}

/// out[i] = log(x[i]).
template <class T>
void log(const T* x, T* out, std::size_t n) {
  map(x, out, n, [](auto v) { return xsimd::log(v); });
}

/// Largest element (n >= 1). NaNs are not propagated by the SIMD body.
template <class T>
T max(const T* x, std::size_t n) {
  using B = xsimd::batch<T>;
  constexpr std::size_t W = B::size;
  T m = x[0];
  std::size_t i = 0;
  if (n >= W) {
    B acc = B::load_unaligned(x);
    for (i = W; i + W <= n; i += W) acc = xsimd::max(acc, B::load_unaligned(x + i));
    alignas(64) T lanes[W];
    acc.store_aligned(lanes);
    m = lanes[0];
    for (std::size_t k = 1; k < W; ++k) m = lanes[k] > m ? lanes[k] : m;
  }
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

/// Sum of x[0..n) with vector accumulators (no serial add chain).
template <class T>
T sum(const T* x, std::size_t n) {
  using B = xsimd::batch<T>;
  constexpr std::size_t W = B::size;
  std::size_t i = 0;
  B a0(T(0)), a1(T(0));
  for (; i + 2 * W <= n; i += 2 * W) {
    a0 += B::load_unaligned(x + i);
    a1 += B::load_unaligned(x + i + W);
  }
  for (; i + W <= n; i += W) a0 += B::load_unaligned(x + i);
  T s = xsimd::hadd(a0 + a1);
  for (; i < n; ++i) s += x[i];
  return s;
}

/// Sum of (x[i] - mu)^2.
template <class T>
T sum_sq_dev(const T* x, T mu, std::size_t n) {
  using B = xsimd::batch<T>;
  constexpr std::size_t W = B::size;
  std::size_t i = 0;
  B acc(T(0));
  const B m(mu);
  for (; i + W <= n; i += W) {
    const B d = B::load_unaligned(x + i) - m;
    acc = xsimd::fma(d, d, acc);
  }
  T s = xsimd::hadd(acc);
  for (; i < n; ++i) s += (x[i] - mu) * (x[i] - mu);
  return s;
}

template <class T>
T exp_shift_sum_store(const T* x, T shift, T* out, std::size_t n) {
  return exp_shift_sum<T>(x, shift, out, n);
}
template <class T>
T exp_shift_sum_only(const T* x, T shift, std::size_t n) {
  return exp_shift_sum<T>(x, shift, n);
}

/// Constant-initialised: building it at start-up would run this file's instructions on any CPU.
template <class T>
constexpr VMathTable<T> kTable{&sigmoid<T>,
                               &tanh<T>,
                               &exp<T>,
                               &log<T>,
                               &exp_shift_sum_store<T>,
                               &exp_shift_sum_only<T>,
                               &max<T>,
                               &sum<T>,
                               &sum_sq_dev<T>};

}  // namespace
}  // namespace XGRAD_SIMD_NS

XGRAD_ISA_TABLES(VMathTable, XGRAD_SIMD_NS::kTable)

}  // namespace xgrad::kernels
