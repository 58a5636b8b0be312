#pragma once
/// \file
/// tf.nn.batch_normalization.
#include "xgrad/tensor.hpp"

namespace xgrad {

/// (x - mean) / sqrt(variance + eps) * scale + offset, all broadcast against x.
/// `offset` and `scale` may be undefined Tensors (TensorFlow's None): then 0 and 1.
/// Gradients flow into x, mean, variance, offset and scale.
template <class T>
BasicTensor<T> batch_normalization(const BasicTensor<T>& x, const BasicTensor<T>& mean,
                                   const BasicTensor<T>& variance, const BasicTensor<T>& offset,
                                   const BasicTensor<T>& scale, double eps);

}  // namespace xgrad
