#pragma once
/// \file
/// Numerically stable losses (tf.nn.softmax_cross_entropy_with_logits,
/// tf.nn.sigmoid_cross_entropy_with_logits).
#include "xgrad/tensor.hpp"

namespace xgrad {

/// -sum(labels * log_softmax(logits)) over the last axis: [..., C] -> [...].
/// labels and logits must have the same shape.  VJP: logits: g (softmax - labels);
/// labels: -g log_softmax(logits).
template <class T>
BasicTensor<T> softmax_cross_entropy_with_logits(const BasicTensor<T>& labels,
                                                 const BasicTensor<T>& logits);

/// Elementwise max(x, 0) - x z + log(1 + e^-|x|), x = logits, z = labels (same shape).
/// VJP: logits: g (sigmoid(x) - z); labels: -g x.
template <class T>
BasicTensor<T> sigmoid_cross_entropy_with_logits(const BasicTensor<T>& labels,
                                                 const BasicTensor<T>& logits);

}  // namespace xgrad
