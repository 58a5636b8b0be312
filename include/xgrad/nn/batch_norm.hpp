#pragma once
/// \file
/// nn::BatchNorm: tf.keras.layers.BatchNormalization semantics.
///
/// - Feature axis `axis` (default -1, the last); statistics are taken over every other axis
///   (the batch axis for [N, F], batch + H + W for NHWC).
/// - Parameters (Keras names, frozen by a test): "gamma" [F] (ones, only when scale) and
///   "beta" [F] (zeros, only when center). Buffers: "moving_mean" [F] (zeros) and
///   "moving_variance" [F] (ones).
/// - Training mode: y = batch_normalization(x, mean, var, beta, gamma, eps) with the batch
///   `moments` (biased variance, divide by n, like tf.nn.moments; NOT PyTorch's unbiased
///   running estimate, see pytorch/pytorch#3122), computed by `fused_batch_norm` when the
///   feature axis is last, else by the two ops. Then, under NoGradGuard and in place:
///     moving = moving * decay + batch * (1 - decay)
///   `decay` is Keras' `momentum` (default 0.99); PyTorch's momentum m = 1 - decay.
///   eps is added only when normalising, never stored in moving_variance.
/// - Eval mode: the moving statistics only; the buffers are untouched.
/// - A training batch with one value per channel is allowed: variance 0, output = beta.
/// - Freezing gamma/beta (set_trainable) does not freeze the moving statistics: only eval
///   mode does: `trainable` and `training` are different things (the Stack Overflow thread
///   "How could I use batch normalization in TensorFlow?" shows the difference in Keras).
///
/// It computes what the hand-written "BN from moments" does (equal to rounding; a test checks
/// values and gradients). A subclass may take the training statistics from a larger batch
/// (dist::SyncBatchNorm: every rank's); everything else stays as here.
#include <memory>
#include <string>

#include "xgrad/nn/module.hpp"
#include "xgrad/ops/normalization.hpp"
#include "xgrad/options.hpp"

namespace xgrad::nn {

/// BatchNorm's options: `BatchNormOptions(100).decay(0.999f).eps(1e-3f)`.
struct BatchNormOptions {
  /// The feature count has no default.
  explicit BatchNormOptions(std::size_t features) : features_(features) {}
  /// Channels: the size of the feature axis.
  XGRAD_OPTION(std::size_t, features);
  /// Feature axis; negative counts from the end. Default -1.
  XGRAD_OPTION(int, axis) = -1;
  /// Weight of the old moving average (Keras momentum). Default 0.99. Must be in [0, 1].
  XGRAD_OPTION(float, decay) = 0.99f;
  /// Added to the variance when normalising. Default 1e-3 (Keras). Must be finite and > 0.
  XGRAD_OPTION(float, eps) = 1e-3f;
  /// Learn "beta" (offset). Default true.
  XGRAD_OPTION(bool, center) = true;
  /// Learn "gamma" (scale). Default true.
  XGRAD_OPTION(bool, scale) = true;
};

/// Batch normalization as Keras' BatchNormalization layer (see the file's description).
/// nn::BatchNorm (float32) or nn::BatchNorm64 (float64).
template <class T>
class BasicBatchNorm : public BasicModule<T> {
public:
  /// The tensor type of this precision.
  using Tensor = BasicTensor<T>;
  /// Throws std::invalid_argument on zero features, a decay outside [0, 1] or a bad eps.
  explicit BasicBatchNorm(const BatchNormOptions& options);
  /// Shorthand for BatchNorm(BatchNormOptions(features)).
  explicit BasicBatchNorm(std::size_t features) : BasicBatchNorm(BatchNormOptions(features)) {}

  Tensor forward(const Tensor& x) override;

  /// The options the layer was built with.
  const BatchNormOptions& options() const { return options_; }
  /// Undefined when scale is off.
  const Tensor& gamma() const { return gamma_; }
  /// Undefined when center is off.
  const Tensor& beta() const { return beta_; }
  /// The "moving_mean" buffer [F].
  const Tensor& moving_mean() const { return moving_mean_; }
  /// The "moving_variance" buffer [F] (biased variances).
  const Tensor& moving_variance() const { return moving_variance_; }

protected:
  /// For a subclass that takes the training statistics over a larger batch (as
  /// dist::SyncBatchNorm, over MPI ranks): its module name, and the statistics source handed
  /// to fused_batch_norm. The feature axis must then be the last (options.axis() -1).
  BasicBatchNorm(const std::string& name, const BatchNormOptions& options,
                 std::shared_ptr<const BatchNormStatistics<T>> statistics);

private:
  BatchNormOptions options_;
  /// Null: this process's batch.
  std::shared_ptr<const BatchNormStatistics<T>> statistics_;
  Tensor gamma_, beta_, moving_mean_, moving_variance_;
};

using BatchNorm = BasicBatchNorm<float>;     ///< float32 BatchNorm
using BatchNorm64 = BasicBatchNorm<double>;  ///< float64 BatchNorm
extern template class BasicBatchNorm<float>;
extern template class BasicBatchNorm<double>;

}  // namespace xgrad::nn
