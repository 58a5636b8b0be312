#pragma once
/// \file
/// nn::Conv2D: tf.keras.layers.Conv2D (NHWC input, HWIO kernel), without activation.
#include <array>
#include <random>

#include "xgrad/nn/module.hpp"
#include "xgrad/ops/conv.hpp"
#include "xgrad/options.hpp"

namespace xgrad::nn {

/// Conv2D's options: `Conv2DOptions(3, 16, 5).stride(2).padding(Padding::Same)`.
struct Conv2DOptions {
  /// The three options without a default.
  Conv2DOptions(std::size_t in_channels, std::size_t out_channels, std::size_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  /// Channels of the input (its last axis). Must be > 0.
  XGRAD_OPTION(std::size_t, in_channels);
  /// Channels of the output (filters). Must be > 0.
  XGRAD_OPTION(std::size_t, out_channels);
  /// Side of the square kernel. Must be > 0.
  XGRAD_OPTION(std::size_t, kernel_size);
  /// The same step along H and W. Default 1; must be > 0.
  XGRAD_OPTION(std::size_t, stride) = 1;
  /// Default Padding::Valid, Keras' default.
  XGRAD_OPTION(Padding, padding) = Padding::Valid;
  /// Add the "bias" parameter. Default true.
  XGRAD_OPTION(bool, use_bias) = true;
};

/// y = conv2d(x, kernel, {stride, stride}, padding) + bias.
/// Input [N, H, W, in_channels], output [N, OH, OW, out_channels] (TensorFlow's SAME/VALID
/// output sizes, see xgrad::conv2d).
/// Parameters (Keras names): "kernel" [k, k, in, out] (HWIO; Glorot uniform with the
/// receptive field in the fans, as Keras), "bias" [out] (zeros, only when use_bias).
/// nn::Conv2D (float32) or nn::Conv2D64 (float64).
template <class T>
class BasicConv2D : public BasicModule<T> {
public:
  /// The tensor type of this precision.
  using Tensor = BasicTensor<T>;
  /// Draws the kernel from default_generator(). Throws std::invalid_argument on a zero
  /// channel count, kernel size or stride.
  explicit BasicConv2D(const Conv2DOptions& options);
  /// Draws the kernel from `rng`.
  BasicConv2D(const Conv2DOptions& options, std::mt19937_64& rng);
  /// Shorthand for Conv2D(Conv2DOptions(in, out, k).stride(s).padding(p).use_bias(b)).
  BasicConv2D(std::size_t in_channels, std::size_t out_channels, std::size_t kernel_size,
              std::size_t stride = 1, Padding padding = Padding::Valid, bool use_bias = true)
      : BasicConv2D(Conv2DOptions(in_channels, out_channels, kernel_size)
                   .stride(stride)
                   .padding(padding)
                   .use_bias(use_bias)) {}
  /// The same, drawing the kernel from `rng`.
  BasicConv2D(std::size_t in_channels, std::size_t out_channels, std::size_t kernel_size,
              std::size_t stride, Padding padding, bool use_bias, std::mt19937_64& rng)
      : BasicConv2D(Conv2DOptions(in_channels, out_channels, kernel_size)
                   .stride(stride)
                   .padding(padding)
                   .use_bias(use_bias),
               rng) {}

  Tensor forward(const Tensor& x) override;

  /// The options the layer was built with.
  const Conv2DOptions& options() const { return options_; }
  /// The "kernel" parameter, [k, k, in, out].
  const Tensor& kernel() const { return kernel_; }
  /// Undefined when use_bias is false.
  const Tensor& bias() const { return bias_; }
  ///@{
  /// options().in_channels(), and so on.
  std::size_t in_channels() const { return options_.in_channels(); }
  std::size_t out_channels() const { return options_.out_channels(); }
  std::size_t kernel_size() const { return options_.kernel_size(); }
  std::size_t stride() const { return options_.stride(); }
  Padding padding() const { return options_.padding(); }
  ///@}

private:
  Conv2DOptions options_;
  Tensor kernel_, bias_;
};

using Conv2D = BasicConv2D<float>;     ///< float32 Conv2D
using Conv2D64 = BasicConv2D<double>;  ///< float64 Conv2D
extern template class BasicConv2D<float>;
extern template class BasicConv2D<double>;

}  // namespace xgrad::nn
