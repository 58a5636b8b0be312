#pragma once
/// \file
/// Reductions (tf.reduce_sum, tf.reduce_mean, tf.reduce_max, tf.reduce_min, tf.nn.moments,
/// tf.argmax).
///
/// `axes` lists the axes to reduce; negative values count from the end; an empty list reduces
/// every axis. Out-of-range or repeated axes throw std::invalid_argument naming the op.
#include <cstdint>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// Axes to reduce over; negative ones count from the end, empty means every axis.
using Axes = std::vector<int>;

/// Sum over `axes`.  VJP: g broadcast back over the reduced axes.
template <class T>
BasicTensor<T> reduce_sum(const BasicTensor<T>& x, const Axes& axes = {}, bool keepdims = false);
/// Mean over `axes`.  VJP: g / n broadcast back over the reduced axes.
template <class T>
BasicTensor<T> reduce_mean(const BasicTensor<T>& x, const Axes& axes = {}, bool keepdims = false);

/// Largest value over `axes` (-inf over an empty set; NaN if any is NaN, as TF).
/// VJP: g split evenly among the elements equal to the maximum (ties share it, as TF).
template <class T>
BasicTensor<T> reduce_max(const BasicTensor<T>& x, const Axes& axes = {}, bool keepdims = false);
/// Smallest value over `axes` (+inf over an empty set).  VJP: as reduce_max.
template <class T>
BasicTensor<T> reduce_min(const BasicTensor<T>& x, const Axes& axes = {}, bool keepdims = false);

/// The result of moments().
template <class T>
struct Moments {
  BasicTensor<T> mean;      ///< the mean over the axes
  BasicTensor<T> variance;  ///< the biased variance (divided by the count)
};

/// Mean and *biased* variance (divide by n, like tf.nn.moments) over `axes`. The mean is a
/// reduce_mean; the variance is a fused op whose VJP is g * 2 (x - mean) / n. Gradients flow
/// through both outputs.
template <class T>
Moments<T> moments(const BasicTensor<T>& x, const Axes& axes, bool keepdims = false);

/// Index of the largest value along `axis` (first one on ties). Not differentiable.
template <class T>
xt::xarray<std::int64_t> argmax(const BasicTensor<T>& x, int axis = -1);

}  // namespace xgrad
