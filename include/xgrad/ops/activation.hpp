#pragma once
/// \file
/// Activations (tf.sigmoid, tf.nn.relu, tf.tanh, tf.nn.softmax, tf.nn.log_softmax).
#include "xgrad/tensor.hpp"

namespace xgrad {

/// 1 / (1 + e^-x), computed without overflow for large |x|.  VJP: g y (1 - y).
template <class T> BasicTensor<T> sigmoid(const BasicTensor<T>& x);
/// max(x, 0).  VJP: g where x > 0, else 0 (TensorFlow's subgradient 0 at x = 0).
template <class T> BasicTensor<T> relu(const BasicTensor<T>& x);
/// tanh(x).  VJP: g (1 - y^2).
template <class T> BasicTensor<T> tanh(const BasicTensor<T>& x);
/// Softmax over the last axis, max-shifted for stability.  VJP: y (g - sum(g y)).
template <class T> BasicTensor<T> softmax(const BasicTensor<T>& x);
/// log(softmax(x)) over the last axis, as x - max - log(sum(exp(x - max))).
/// VJP: g - softmax(x) sum(g).
template <class T> BasicTensor<T> log_softmax(const BasicTensor<T>& x);

}  // namespace xgrad
