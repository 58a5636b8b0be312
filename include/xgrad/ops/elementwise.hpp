#pragma once
/// \file
/// Elementwise arithmetic with NumPy broadcasting (tf.add, tf.subtract, tf.multiply,
/// tf.divide, tf.negative, tf.exp, tf.math.log, tf.sqrt).
///
/// Binary ops broadcast like NumPy: shapes are aligned on the right and each pair of dimensions
/// must be equal or one of them 1. The VJP of a broadcast input is the upstream gradient summed
/// back to the input's shape (kernels::sum_to_shape). Incompatible shapes throw
/// std::invalid_argument naming the op and both shapes.
#include "xgrad/tensor.hpp"

namespace xgrad {

/// a + b.  VJP: (g, g), each summed to its input's shape.
template <class T> BasicTensor<T> add(const BasicTensor<T>& a, const BasicTensor<T>& b);
/// a - b.  VJP: (g, -g).
template <class T> BasicTensor<T> sub(const BasicTensor<T>& a, const BasicTensor<T>& b);
/// a * b.  VJP: (g b, g a).
template <class T> BasicTensor<T> mul(const BasicTensor<T>& a, const BasicTensor<T>& b);
/// a / b.  VJP: (g / b, -g a / b^2).
template <class T> BasicTensor<T> div(const BasicTensor<T>& a, const BasicTensor<T>& b);
/// -x.  VJP: -g.
template <class T> BasicTensor<T> neg(const BasicTensor<T>& x);
/// e^x.  VJP: g e^x (uses the saved output).
template <class T> BasicTensor<T> exp(const BasicTensor<T>& x);
/// Natural log (x > 0; log 0 = -inf as in TensorFlow).  VJP: g / x.
template <class T> BasicTensor<T> log(const BasicTensor<T>& x);
/// Square root.  VJP: g / (2 sqrt(x)) (uses the saved output).
template <class T> BasicTensor<T> sqrt(const BasicTensor<T>& x);

template <class T> BasicTensor<T> operator+(const BasicTensor<T>& a, const BasicTensor<T>& b) { return add(a, b); }
template <class T> BasicTensor<T> operator-(const BasicTensor<T>& a, const BasicTensor<T>& b) { return sub(a, b); }
template <class T> BasicTensor<T> operator*(const BasicTensor<T>& a, const BasicTensor<T>& b) { return mul(a, b); }
template <class T> BasicTensor<T> operator/(const BasicTensor<T>& a, const BasicTensor<T>& b) { return div(a, b); }
template <class T> BasicTensor<T> operator-(const BasicTensor<T>& x) { return neg(x); }

// Scalar operands are constants (no gradient flows into them).
template <class T> BasicTensor<T> operator+(const BasicTensor<T>& a, double s) { return add(a, BasicTensor<T>::scalar(T(s))); }
template <class T> BasicTensor<T> operator+(double s, const BasicTensor<T>& a) { return add(BasicTensor<T>::scalar(T(s)), a); }
template <class T> BasicTensor<T> operator-(const BasicTensor<T>& a, double s) { return sub(a, BasicTensor<T>::scalar(T(s))); }
template <class T> BasicTensor<T> operator-(double s, const BasicTensor<T>& a) { return sub(BasicTensor<T>::scalar(T(s)), a); }
template <class T> BasicTensor<T> operator*(const BasicTensor<T>& a, double s) { return mul(a, BasicTensor<T>::scalar(T(s))); }
template <class T> BasicTensor<T> operator*(double s, const BasicTensor<T>& a) { return mul(BasicTensor<T>::scalar(T(s)), a); }
template <class T> BasicTensor<T> operator/(const BasicTensor<T>& a, double s) { return div(a, BasicTensor<T>::scalar(T(s))); }
template <class T> BasicTensor<T> operator/(double s, const BasicTensor<T>& a) { return div(BasicTensor<T>::scalar(T(s)), a); }

}  // namespace xgrad
