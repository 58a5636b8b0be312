#pragma once
// Reusing a batch's arrays from one batch to the next (shared by Batches and TensorBatches).
#include <algorithm>

#include <xtensor/xarray.hpp>

#include "autograd/tensor_impl.hpp"
#include "xgrad/tensor.hpp"

namespace xgrad::data::detail {

/// The array behind `t` if it can be overwritten (only we hold it, it is a plain leaf of the
/// right shape); otherwise `t` becomes a fresh tensor of that shape.
inline xt::xarray<float>& writable(Tensor& t, const Shape& shape) {
  const auto& impl = xgrad::detail::impl_of(t);
  bool reuse = impl && impl.use_count() == 1 && impl->value.use_count() == 1 && !impl->grad_fn &&
               !impl->requires_grad && !impl->has_grad;
  if (reuse) {
    const auto& s = impl->value->shape();
    reuse = s.size() == shape.size() && std::equal(s.begin(), s.end(), shape.begin());
  }
  if (!reuse) t = Tensor(xt::xarray<float>::from_shape(shape));
  return t.value();
}

/// `a` resized to [n] unless it already is (a plain array: no sharing to worry about).
template <class T>
T* writable_ids(xt::xarray<T>& a, std::size_t n) {
  if (a.size() != n || a.dimension() != 1) a = xt::xarray<T>::from_shape({n});
  return a.data();
}

}  // namespace xgrad::data::detail
