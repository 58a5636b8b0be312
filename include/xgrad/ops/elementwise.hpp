#pragma once
/// \file
/// Elementwise arithmetic with NumPy broadcasting (tf.add, tf.subtract, tf.multiply,
/// tf.divide, tf.negative, tf.exp, tf.math.log, tf.sqrt, tf.pow, tf.square, tf.abs,
/// tf.maximum, tf.minimum, tf.clip_by_value, tf.where, tf.math.log1p).
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
/// x^y, broadcasting.  VJP: (g y x^(y-1), g x^y log x), the second taken as 0 where x <= 0
/// (TensorFlow's choice, so a zero or negative base gives no NaN gradient for the exponent).
template <class T> BasicTensor<T> pow(const BasicTensor<T>& x, const BasicTensor<T>& y);
/// x^2.  VJP: 2 g x.
template <class T> BasicTensor<T> square(const BasicTensor<T>& x);
/// |x|.  VJP: g sign(x), 0 at x = 0 (as TensorFlow).
template <class T> BasicTensor<T> abs(const BasicTensor<T>& x);
/// Elementwise max, broadcasting.  VJP: g to a where a >= b, else to b (a wins ties, as TF).
template <class T> BasicTensor<T> maximum(const BasicTensor<T>& a, const BasicTensor<T>& b);
/// Elementwise min, broadcasting.  VJP: g to a where a <= b, else to b (a wins ties, as TF).
template <class T> BasicTensor<T> minimum(const BasicTensor<T>& a, const BasicTensor<T>& b);
/// min(max(x, lo), hi); lo > hi throws.  VJP: g where lo <= x <= hi, else 0 (as TF: the
/// gradient passes at the bounds themselves).
template <class T> BasicTensor<T> clip_by_value(const BasicTensor<T>& x, double lo, double hi);
/// condition ? x : y elementwise, all three broadcast together (tf.where, TF 2).
/// VJP: g to x where condition, to y elsewhere, each summed to its input's shape.
/// Call it as `xgrad::where`: unqualified, the xt::xarray condition makes argument-dependent
/// lookup find xt::where too, which takes anything and wins.
template <class T>
BasicTensor<T> where(const xt::xarray<bool>& condition, const BasicTensor<T>& x,
                     const BasicTensor<T>& y);
/// log(1 + x), accurate for small x.  VJP: g / (1 + x).
template <class T> BasicTensor<T> log1p(const BasicTensor<T>& x);

///@{
/// `a + b`, `a - b`, `a * b`, `a / b` and `-x` are add, sub, mul, div and neg; a `double`
/// operand is a constant (no gradient flows into it).
template <class T> BasicTensor<T> operator+(const BasicTensor<T>& a, const BasicTensor<T>& b) { return add(a, b); }
template <class T> BasicTensor<T> operator-(const BasicTensor<T>& a, const BasicTensor<T>& b) { return sub(a, b); }
template <class T> BasicTensor<T> operator*(const BasicTensor<T>& a, const BasicTensor<T>& b) { return mul(a, b); }
template <class T> BasicTensor<T> operator/(const BasicTensor<T>& a, const BasicTensor<T>& b) { return div(a, b); }
template <class T> BasicTensor<T> operator-(const BasicTensor<T>& x) { return neg(x); }

template <class T> BasicTensor<T> operator+(const BasicTensor<T>& a, double s) { return add(a, BasicTensor<T>::scalar(T(s))); }
template <class T> BasicTensor<T> operator+(double s, const BasicTensor<T>& a) { return add(BasicTensor<T>::scalar(T(s)), a); }
template <class T> BasicTensor<T> operator-(const BasicTensor<T>& a, double s) { return sub(a, BasicTensor<T>::scalar(T(s))); }
template <class T> BasicTensor<T> operator-(double s, const BasicTensor<T>& a) { return sub(BasicTensor<T>::scalar(T(s)), a); }
template <class T> BasicTensor<T> operator*(const BasicTensor<T>& a, double s) { return mul(a, BasicTensor<T>::scalar(T(s))); }
template <class T> BasicTensor<T> operator*(double s, const BasicTensor<T>& a) { return mul(BasicTensor<T>::scalar(T(s)), a); }
template <class T> BasicTensor<T> operator/(const BasicTensor<T>& a, double s) { return div(a, BasicTensor<T>::scalar(T(s))); }
template <class T> BasicTensor<T> operator/(double s, const BasicTensor<T>& a) { return div(BasicTensor<T>::scalar(T(s)), a); }
///@}

}  // namespace xgrad
