#pragma once
/// \file
/// nn::Conv2D: tf.keras.layers.Conv2D (NHWC input, HWIO kernel), without activation.
#include <array>
#include <random>

#include "xgrad/nn/module.hpp"
#include "xgrad/ops/conv.hpp"

namespace xgrad::nn {

/// y = conv2d(x, kernel, {stride, stride}, padding) + bias.
/// Input [N, H, W, in_channels], output [N, OH, OW, out_channels] (TensorFlow's SAME/VALID
/// output sizes, see xgrad::conv2d).
/// Parameters (Keras names): "kernel" [k, k, in, out] (HWIO; Glorot uniform with the
/// receptive field in the fans, as Keras), "bias" [out] (zeros, only when use_bias).
/// NOTE: padding defaults to Valid, Keras' default.
class Conv2D : public Module {
public:
  /// Draws the kernel from default_generator().
  Conv2D(std::size_t in_channels, std::size_t out_channels, std::size_t kernel_size,
         std::size_t stride = 1, Padding padding = Padding::Valid, bool use_bias = true);
  /// Draws the kernel from `rng`.
  Conv2D(std::size_t in_channels, std::size_t out_channels, std::size_t kernel_size,
         std::size_t stride, Padding padding, bool use_bias, std::mt19937_64& rng);

  Tensor forward(const Tensor& x) override;

  const Tensor& kernel() const { return kernel_; }
  /// Undefined when use_bias is false.
  const Tensor& bias() const { return bias_; }
  std::size_t in_channels() const { return in_; }
  std::size_t out_channels() const { return out_; }
  std::size_t kernel_size() const { return k_; }
  std::size_t stride() const { return stride_; }
  Padding padding() const { return padding_; }

private:
  std::size_t in_, out_, k_, stride_;
  Padding padding_;
  Tensor kernel_, bias_;
};

}  // namespace xgrad::nn
