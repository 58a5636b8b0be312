#pragma once
/// \file
/// Losses (tf.nn.softmax_cross_entropy_with_logits, tf.nn.sigmoid_cross_entropy_with_logits,
/// tf.nn.sparse_softmax_cross_entropy_with_logits, tf.keras.losses.mean_squared_error,
/// tf.nn.l2_loss, tf.keras.losses.huber).
#include <cstdint>

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

/// -log_softmax(logits)[label] over the last axis: [..., C] -> [...], with integer class ids
/// `labels` of shape [...] in [0, C) (out of range throws, as TF on CPU).
/// VJP: logits: g (softmax - one_hot(labels)); labels are not differentiable.
template <class T>
BasicTensor<T> sparse_softmax_cross_entropy_with_logits(const xt::xarray<std::int64_t>& labels,
                                                        const BasicTensor<T>& logits);

/// mean((y_pred - y_true)^2) over the last axis: [..., D] -> [...], as the Keras function
/// tf.keras.losses.mean_squared_error (reduce_mean the result for a scalar). Same shapes.
/// VJP: y_pred: 2 g (y_pred - y_true) / D; y_true: the negative.
template <class T>
BasicTensor<T> mean_squared_error(const BasicTensor<T>& y_true, const BasicTensor<T>& y_pred);

/// sum(x^2) / 2 over every element, a scalar (tf.nn.l2_loss).  VJP: g x.
template <class T> BasicTensor<T> l2_loss(const BasicTensor<T>& x);

/// Huber loss of e = y_pred - y_true: 0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta),
/// averaged over the last axis: [..., D] -> [...], as the Keras function tf.keras.losses.huber
/// (no weights; reduce_mean the result for tf.keras.losses.Huber's default scalar). Same
/// shapes; delta > 0.  VJP: y_pred: g clip(e, -delta, delta) / D; y_true: the negative.
template <class T>
BasicTensor<T> huber_loss(const BasicTensor<T>& y_true, const BasicTensor<T>& y_pred,
                          double delta = 1.0);

}  // namespace xgrad
