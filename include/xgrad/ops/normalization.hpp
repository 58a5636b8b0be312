#pragma once
/// \file
/// tf.nn.batch_normalization.
#include "xgrad/tensor.hpp"

namespace xgrad {

/// (x - mean) / sqrt(variance + eps) * scale + offset, all broadcast against x.
/// `offset` and `scale` may be undefined Tensors (TensorFlow's None): then 0 and 1.
/// Gradients flow into x, mean, variance, offset and scale.
/// eps must be finite and > 0, as for fused_batch_norm and the layers (std::invalid_argument
/// otherwise). TensorFlow accepts any eps here, but with eps 0 a feature whose variance is 0
/// (one value per feature, or a constant feature) gives 0 / 0 = NaN, and one parameter should
/// follow one rule in every op that takes it.
template <class T>
BasicTensor<T> batch_normalization(const BasicTensor<T>& x, const BasicTensor<T>& mean,
                                   const BasicTensor<T>& variance, const BasicTensor<T>& offset,
                                   const BasicTensor<T>& scale, double eps);

}  // namespace xgrad

namespace xgrad {

/// The result of fused_batch_norm: the output and the batch statistics it used.
template <class T>
struct FusedBatchNorm {
  BasicTensor<T> y;         ///< the normalised, scaled and offset x
  BasicTensor<T> mean;      ///< [F], no gradient
  BasicTensor<T> variance;  ///< [F], biased (divided by the count), no gradient
};

/// Batch normalization in training mode with batch statistics, fused (tf.nn.fused_batch_norm
/// with is_training=True, channels last): x = [..., F] is normalised per feature over every
/// other axis, y = (x - mean) / sqrt(variance + eps) * scale + offset. The same value as
/// moments(x, all axes but the last) followed by batch_normalization, computed in two passes
/// over x forward and two backward (the composite takes about twice as many) and split over
/// xgrad's threads. scale and offset are [F] or undefined (1 and 0). Gradients flow into x,
/// scale and offset; mean and variance are returned for running statistics, without gradient.
/// eps must be finite and > 0 (as for batch_normalization).
template <class T>
FusedBatchNorm<T> fused_batch_norm(const BasicTensor<T>& x, const BasicTensor<T>& scale,
                                   const BasicTensor<T>& offset, double eps);

}  // namespace xgrad
