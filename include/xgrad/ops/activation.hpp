#pragma once
/// \file
/// Activations (tf.sigmoid, tf.nn.relu, tf.tanh, tf.nn.softmax, tf.nn.log_softmax,
/// tf.nn.leaky_relu, tf.nn.elu, tf.nn.softplus, tf.nn.gelu).
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
/// x where x > 0, else alpha x (TensorFlow's default alpha 0.2).  VJP: g where x > 0, else alpha g.
template <class T> BasicTensor<T> leaky_relu(const BasicTensor<T>& x, double alpha = 0.2);
/// x where x > 0, else e^x - 1.  VJP: g where x > 0, else g (y + 1).
template <class T> BasicTensor<T> elu(const BasicTensor<T>& x);
/// log(1 + e^x), as max(x, 0) + log1p(e^-|x|) so nothing overflows.  VJP: g sigmoid(x).
template <class T> BasicTensor<T> softplus(const BasicTensor<T>& x);
/// x Phi(x) with Phi the standard normal CDF (exact, via erf), or with `approximate` the tanh
/// form 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as tf.nn.gelu(approximate=).
/// VJP: g times the derivative of the chosen form.
template <class T> BasicTensor<T> gelu(const BasicTensor<T>& x, bool approximate = false);

}  // namespace xgrad
