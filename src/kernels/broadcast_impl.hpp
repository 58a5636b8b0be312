#pragma once
// Template bodies for broadcast.hpp.
#include <xtensor/xbroadcast.hpp>

#include "kernels/row_blocks.hpp"

namespace xgrad::kernels {

namespace detail {

// Size of a suffix product; true when `small` equals the trailing dims of `big` (after
// dropping leading 1s), i.e. `small` repeats contiguously every `inner` elements.
inline bool is_trailing_block(const Shape& big, const Shape& small, std::size_t& inner) {
  std::size_t lead = 0;
  while (lead < small.size() && small[lead] == 1) ++lead;
  std::size_t rest = small.size() - lead;
  if (rest > big.size()) return false;
  inner = 1;
  for (std::size_t i = 0; i < rest; ++i) {
    if (small[lead + i] != big[big.size() - rest + i]) return false;
    inner *= small[lead + i];
  }
  return true;
}

}  // namespace detail

template <class T, class F>
xt::xarray<T> broadcast_binary(const char* op, const xt::xarray<T>& a, const xt::xarray<T>& b,
                               F f) {
  Shape sa = to_shape(a.shape()), sb = to_shape(b.shape());
  Shape so = broadcast_shape(op, sa, sb);
  xt::xarray<T> out = xt::xarray<T>::from_shape(so);
  T* o = out.data();
  const T* pa = a.data();
  const T* pb = b.data();
  const std::size_t n = out.size();
  if (n == 0) return out;
  std::size_t inner = 0;
  if (a.size() == n && b.size() == n) {
    for (std::size_t i = 0; i < n; ++i) o[i] = f(pa[i], pb[i]);
  } else if (b.size() == 1) {
    const T s = pb[0];
    if (a.size() == n) {
      for (std::size_t i = 0; i < n; ++i) o[i] = f(pa[i], s);
    } else {
      for (std::size_t i = 0; i < n; ++i) o[i] = f(pa[0], s);
    }
  } else if (a.size() == 1) {
    const T s = pa[0];
    for (std::size_t i = 0; i < n; ++i) o[i] = f(s, pb[i]);
  } else if (a.size() == n && detail::is_trailing_block(so, sb, inner)) {
    // A bias-like b, repeated every `inner` values (row_blocks.hpp).
    const std::vector<T> b_rep = repeat_to_period(pb, inner);
    parallel_blocks(n / inner, inner, [&](std::size_t e, std::size_t len) {
      const T *__restrict x = pa + e, *__restrict y = b_rep.data();
      T* __restrict z = o + e;
      for (std::size_t t = 0; t < len; ++t) z[t] = f(x[t], y[t]);
    });
  } else if (b.size() == n && detail::is_trailing_block(so, sa, inner)) {
    const std::vector<T> a_rep = repeat_to_period(pa, inner);
    parallel_blocks(n / inner, inner, [&](std::size_t e, std::size_t len) {
      const T *__restrict x = a_rep.data(), *__restrict y = pb + e;
      T* __restrict z = o + e;
      for (std::size_t t = 0; t < len; ++t) z[t] = f(x[t], y[t]);
    });
  } else {
    auto ba = xt::broadcast(a, so);
    auto bb = xt::broadcast(b, so);
    auto ia = ba.begin();
    auto ib = bb.begin();
    for (std::size_t i = 0; i < n; ++i, ++ia, ++ib) o[i] = f(*ia, *ib);
  }
  return out;
}

}  // namespace xgrad::kernels
