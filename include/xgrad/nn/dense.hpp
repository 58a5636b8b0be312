#pragma once
/// \file
/// nn::Dense: y = x kernel + bias (tf.keras.layers.Dense without activation).
#include <random>

#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// Fully connected layer. Input [N, in], output [N, out].
/// Parameters (Keras names): "kernel" [in, out] (Glorot uniform), "bias" [out] (zeros,
/// only when use_bias).
class Dense : public Module {
public:
  /// Draws the kernel from default_generator().
  Dense(std::size_t in_features, std::size_t out_features, bool use_bias = true);
  /// Draws the kernel from `rng`.
  Dense(std::size_t in_features, std::size_t out_features, bool use_bias, std::mt19937_64& rng);

  Tensor forward(const Tensor& x) override;

  const Tensor& kernel() const { return kernel_; }
  /// Undefined when use_bias is false.
  const Tensor& bias() const { return bias_; }
  std::size_t in_features() const { return in_; }
  std::size_t out_features() const { return out_; }

private:
  std::size_t in_, out_;
  Tensor kernel_, bias_;
};

}  // namespace xgrad::nn
