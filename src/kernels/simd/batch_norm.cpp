// The loops of batch_norm_table.hpp, compiled once per instruction set (per_isa.hpp).
#include <cstddef>

#include "kernels/batch_norm_table.hpp"
#include "kernels/per_isa.hpp"

namespace xgrad::kernels {
namespace XGRAD_SIMD_NS {
namespace {

template <class T>
void accumulate(const T* __restrict x, T* __restrict acc, std::size_t n) {
  for (std::size_t t = 0; t < n; ++t) acc[t] += x[t];
}

template <class T>
void accumulate_sq_dev(const T* __restrict x, const T* __restrict mu, T* __restrict acc,
                       std::size_t n) {
  for (std::size_t t = 0; t < n; ++t) {
    const T d = x[t] - mu[t];
    acc[t] += d * d;
  }
}

template <class T>
void normalize(const T* __restrict x, const T* __restrict mu, const T* __restrict a,
               const T* __restrict b, T* __restrict y, std::size_t n) {
  for (std::size_t t = 0; t < n; ++t) y[t] = (x[t] - mu[t]) * a[t] + b[t];
}

template <class T>
void accumulate_grad(const T* __restrict x, const T* __restrict g, const T* __restrict mu,
                     T* __restrict acc_g, T* __restrict acc_gx, std::size_t n) {
  for (std::size_t t = 0; t < n; ++t) {
    acc_g[t] += g[t];
    acc_gx[t] += g[t] * (x[t] - mu[t]);
  }
}

template <class T>
void input_grad(const T* __restrict x, const T* __restrict g, const T* __restrict mu,
                const T* __restrict a, const T* __restrict mg, const T* __restrict k,
                T* __restrict dx, std::size_t n) {
  for (std::size_t t = 0; t < n; ++t) dx[t] = a[t] * (g[t] - mg[t] - (x[t] - mu[t]) * k[t]);
}

/// Constant-initialised: building it at start-up would run this file's instructions on any CPU.
template <class T>
constexpr BatchNormTable<T> kTable{&accumulate<T>, &accumulate_sq_dev<T>, &normalize<T>,
                                   &accumulate_grad<T>, &input_grad<T>};

}  // namespace
}  // namespace XGRAD_SIMD_NS

XGRAD_ISA_TABLES(BatchNormTable, XGRAD_SIMD_NS::kTable)

}  // namespace xgrad::kernels
