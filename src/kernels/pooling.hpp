#pragma once
// Private: NHWC pooling kernels on raw buffers. Geometry as for conv (o unused).
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernels/conv.hpp"

namespace xgrad::kernels {

/// Where in its window an output's maximum came from: an integer as wide as T, so the
/// kernels compare values and select positions in the same vector lanes.
template <class T>
using PoolPosition = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;

/// out[n, oy, ox, c] = max over the real (unpadded) window; argmax receives the position of
/// the first maximum within the clipped window, row-major (for the backward pass; -1 for an
/// empty window). The loops run over the contiguous channels innermost: GCC vectorises the
/// float kernels in the baseline build (double, the gradcheck type, stays scalar there).
template <class T>
void max_pool_forward(const ConvGeometry& g, const T* in, T* out, PoolPosition<T>* argmax);
/// grad_in (zeroed here) += grad_out at each window's argmax position.
template <class T>
void max_pool_backward(const ConvGeometry& g, const T* grad_out, const PoolPosition<T>* argmax,
                       T* grad_in);

/// The flat input offset (into [n, h, w, c]) of each output's maximum, from max_pool_forward's
/// positions: -1 for an empty window. For the differentiable gradient of max pooling.
template <class T>
void max_pool_argmax_offsets(const ConvGeometry& g, const PoolPosition<T>* argmax,
                             std::int64_t* offsets);

/// out = mean over the real (unpadded) elements of each window (TensorFlow's SAME rule).
template <class T>
void avg_pool_forward(const ConvGeometry& g, const T* in, T* out);
/// grad_in (zeroed here) += grad_out / count over each window.
template <class T>
void avg_pool_backward(const ConvGeometry& g, const T* grad_out, T* grad_in);

}  // namespace xgrad::kernels
