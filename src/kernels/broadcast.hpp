#pragma once
// Private: NumPy broadcasting for binary ops and its inverse for gradients.
#include <xtensor/xarray.hpp>

#include "xgrad/shape.hpp"

namespace xgrad::kernels {

/// The broadcast shape of a and b; throws std::invalid_argument naming `op` and both shapes.
Shape broadcast_shape(const char* op, const Shape& a, const Shape& b);

/// Sums `g` over the axes along which an input of `shape` was broadcast, giving `shape`.
template <class T>
xt::xarray<T> sum_to_shape(const xt::xarray<T>& g, const Shape& shape);

/// out = f(a, b) elementwise with broadcasting. Fast paths: equal shapes, scalar operand, and
/// an operand broadcast along leading axes (a [F] bias over [N, F]); else a generic loop.
template <class T, class F>
xt::xarray<T> broadcast_binary(const char* op, const xt::xarray<T>& a, const xt::xarray<T>& b,
                               F f);

}  // namespace xgrad::kernels

#include "kernels/broadcast_impl.hpp"
