#pragma once
/// \file
/// 2-D pooling over NHWC tensors (tf.nn.max_pool2d, tf.nn.avg_pool2d).
///
/// `ksize` = {kh, kw}, `strides` = {sh, sw}; `Padding` follows TensorFlow's rules as in
/// conv2d (SAME: out = ceil(in / s), the extra padded row/column at the bottom/right; VALID:
/// out = (in - k) / s + 1). Padded positions never take part: max pooling ignores them and
/// average pooling divides by the number of real (non-padded) elements in each window, like
/// TensorFlow.
#include <array>
#include <cstddef>

#include "xgrad/ops/conv.hpp"
#include "xgrad/tensor.hpp"

namespace xgrad {

/// tf.nn.max_pool2d. VJP: g is routed to the (first) maximum of each window.
template <class T>
BasicTensor<T> max_pool2d(const BasicTensor<T>& input, std::array<std::size_t, 2> ksize,
                          std::array<std::size_t, 2> strides, Padding padding);

/// tf.nn.avg_pool2d. VJP: g / count spread evenly over the real elements of each window.
template <class T>
BasicTensor<T> avg_pool2d(const BasicTensor<T>& input, std::array<std::size_t, 2> ksize,
                          std::array<std::size_t, 2> strides, Padding padding);

}  // namespace xgrad
