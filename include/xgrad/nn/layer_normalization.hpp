#pragma once
/// \file
/// nn::LayerNormalization: tf.keras.layers.LayerNormalization over the last axis.
#include "xgrad/nn/module.hpp"
#include "xgrad/options.hpp"

namespace xgrad::nn {

/// Per sample (each position of every axis but the last), over the last axis:
///   y = (x - mean) / sqrt(variance + eps) * gamma + beta
/// with the biased variance (divide by the feature count), as Keras. gamma or beta may be
/// undefined (1 and 0). Built from `moments` and `batch_normalization`, so gradients flow
/// through the statistics. float32 and float64.
template <class T>
BasicTensor<T> layer_normalization(const BasicTensor<T>& x, const BasicTensor<T>& gamma,
                                   const BasicTensor<T>& beta, double eps);

/// LayerNormalization's options: `LayerNormalizationOptions(64).eps(1e-5f)`.
struct LayerNormalizationOptions {
  /// The feature count has no default.
  explicit LayerNormalizationOptions(std::size_t features) : features_(features) {}
  /// Size of the last axis.
  XGRAD_OPTION(std::size_t, features);
  /// Added to the variance. Default 1e-3 (Keras). Must be finite and > 0.
  XGRAD_OPTION(float, eps) = 1e-3f;
  /// Learn "beta" (offset, zeros). Default true.
  XGRAD_OPTION(bool, center) = true;
  /// Learn "gamma" (scale, ones). Default true.
  XGRAD_OPTION(bool, scale) = true;
};

/// Parameters (Keras names): "gamma" [features] and "beta" [features]. No buffers; the same
/// computation in training and eval mode. nn::LayerNormalization (float32) or
/// nn::LayerNormalization64 (float64).
template <class T>
class BasicLayerNormalization : public BasicModule<T> {
public:
  /// The tensor type of this precision.
  using Tensor = BasicTensor<T>;
  /// Throws std::invalid_argument on zero features or a bad eps.
  explicit BasicLayerNormalization(const LayerNormalizationOptions& options);
  /// Shorthand for LayerNormalization(LayerNormalizationOptions(features)).
  explicit BasicLayerNormalization(std::size_t features)
      : BasicLayerNormalization(LayerNormalizationOptions(features)) {}

  /// Throws std::invalid_argument naming the layer unless x's last axis has `features`.
  Tensor forward(const Tensor& x) override;

  /// The options the layer was built with.
  const LayerNormalizationOptions& options() const { return options_; }
  /// Undefined when scale is off.
  const Tensor& gamma() const { return gamma_; }
  /// Undefined when center is off.
  const Tensor& beta() const { return beta_; }

private:
  LayerNormalizationOptions options_;
  Tensor gamma_, beta_;
};

using LayerNormalization = BasicLayerNormalization<float>;     ///< float32 LayerNormalization
using LayerNormalization64 = BasicLayerNormalization<double>;  ///< float64 LayerNormalization
extern template class BasicLayerNormalization<float>;
extern template class BasicLayerNormalization<double>;

}  // namespace xgrad::nn
