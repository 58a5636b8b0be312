#pragma once
/// \file
/// tf.nn.batch_normalization.
#include <cstddef>
#include <memory>
#include <type_traits>

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

/// Where fused_batch_norm's per-feature statistics come from. This class: the rows of x, this
/// process's batch. A subclass combines them with other processes' (dist::SyncBatchNorm over
/// MPI); every process then calls both functions the same number of times, in the same order.
template <class T>
class BatchNormStatistics {
public:
  virtual ~BatchNormStatistics() = default;
  /// Forward, given this process's `rows` rows of x and, per feature c < f, sum[c], its
  /// local_mean[c] = sum[c] / rows (0 without rows) and m2[c] = the sum of
  /// (x - local_mean[c])^2: writes the batch's mean and biased variance, and returns the
  /// batch's row count (0: nothing to normalise by; mean and variance are then left alone).
  virtual std::size_t moments(std::size_t rows, std::size_t f, const T* sum, const T* local_mean,
                              const T* m2, T* mean, T* variance) const;
  /// Backward, given the batch's row count, and per feature c < f this process's sums[c] =
  /// the sum of g and sums[f + c] = the sum of g (x - mean), and inv[c] = 1 / sqrt(variance +
  /// eps): writes mean_g[c] = the batch's mean of g and k[c] = inv[c]^2 times the batch's mean
  /// of g (x - mean).
  virtual void gradient_means(std::size_t batch_rows, std::size_t f, const T* sums, const T* inv,
                              T* mean_g, T* k) const;
};

/// Batch normalization in training mode with batch statistics, fused (tf.nn.fused_batch_norm
/// with is_training=True, channels last): x = [..., F] is normalised per feature over every
/// other axis, y = (x - mean) / sqrt(variance + eps) * scale + offset. The same value as
/// moments(x, all axes but the last) followed by batch_normalization, computed in two passes
/// over x forward and two backward (the composite takes about twice as many) and split over
/// xgrad's threads. scale and offset are [F] or undefined (1 and 0). Gradients flow into x,
/// scale and offset; mean and variance are returned for running statistics, without gradient.
/// eps must be finite and > 0 (as for batch_normalization).
/// `statistics` (null: this process's batch) takes the statistics over a larger batch; the
/// scale and offset gradients stay this process's share. (T comes from x alone, so a pointer
/// to a subclass converts.) The gradients are differentiable again (autograd::grad with
/// create_graph: the statistics recomputed from x) with this process's statistics only; with a
/// subclass, differentiating them again throws std::logic_error naming the op.
template <class T>
FusedBatchNorm<T> fused_batch_norm(const BasicTensor<T>& x, const BasicTensor<T>& scale,
                                   const BasicTensor<T>& offset, double eps,
                                   std::shared_ptr<const BatchNormStatistics<
                                       typename std::enable_if<true, T>::type>> statistics = nullptr);

}  // namespace xgrad
