#pragma once
// Private: NHWC pooling kernels on raw buffers. Geometry as for conv (o unused).
#include <cstddef>
#include <cstdint>

#include "kernels/conv.hpp"

namespace xgrad::kernels {

/// out[n, oy, ox, c] = max over the real (unpadded) window; argmax receives the flat input
/// index of the first maximum (for the backward pass).
template <class T>
void max_pool_forward(const ConvGeometry& g, const T* in, T* out, std::int64_t* argmax);
/// grad_in (zeroed here) [argmax[i]] += grad_out[i].
template <class T>
void max_pool_backward(const ConvGeometry& g, const T* grad_out, const std::int64_t* argmax,
                       T* grad_in);

/// out = mean over the real (unpadded) elements of each window (TensorFlow's SAME rule).
template <class T>
void avg_pool_forward(const ConvGeometry& g, const T* in, T* out);
/// grad_in (zeroed here) += grad_out / count over each window.
template <class T>
void avg_pool_backward(const ConvGeometry& g, const T* grad_out, T* grad_in);

}  // namespace xgrad::kernels
