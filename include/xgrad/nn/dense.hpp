#pragma once
/// \file
/// nn::Dense: y = x kernel + bias (tf.keras.layers.Dense without activation).
#include <random>

#include "xgrad/nn/module.hpp"
#include "xgrad/options.hpp"

namespace xgrad::nn {

/// Dense's options: `DenseOptions(784, 100).use_bias(false)`.
struct DenseOptions {
  /// The two options without a default.
  DenseOptions(std::size_t in_features, std::size_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  /// Size of the input's last axis. Must be > 0.
  XGRAD_OPTION(std::size_t, in_features);
  /// Size of the output's last axis. Must be > 0.
  XGRAD_OPTION(std::size_t, out_features);
  /// Add the "bias" parameter. Default true.
  XGRAD_OPTION(bool, use_bias) = true;
};

/// Fully connected layer. Input [N, in], output [N, out].
/// Parameters (Keras names): "kernel" [in, out] (Glorot uniform), "bias" [out] (zeros,
/// only when use_bias). Use nn::Dense (float32) or nn::Dense64 (float64).
template <class T>
class BasicDense : public BasicModule<T> {
public:
  /// The tensor type of this precision.
  using Tensor = BasicTensor<T>;
  /// Draws the kernel from default_generator(). Throws std::invalid_argument on a zero size.
  explicit BasicDense(const DenseOptions& options);
  /// Draws the kernel from `rng`.
  BasicDense(const DenseOptions& options, std::mt19937_64& rng);
  /// Shorthand for Dense(DenseOptions(in, out).use_bias(use_bias)).
  BasicDense(std::size_t in_features, std::size_t out_features, bool use_bias = true)
      : BasicDense(DenseOptions(in_features, out_features).use_bias(use_bias)) {}
  /// The same, drawing the kernel from `rng`.
  BasicDense(std::size_t in_features, std::size_t out_features, bool use_bias,
             std::mt19937_64& rng)
      : BasicDense(DenseOptions(in_features, out_features).use_bias(use_bias), rng) {}

  Tensor forward(const Tensor& x) override;

  /// The options the layer was built with.
  const DenseOptions& options() const { return options_; }
  /// The "kernel" parameter, [in, out].
  const Tensor& kernel() const { return kernel_; }
  /// Undefined when use_bias is false.
  const Tensor& bias() const { return bias_; }
  ///@{
  /// options().in_features() and options().out_features().
  std::size_t in_features() const { return options_.in_features(); }
  std::size_t out_features() const { return options_.out_features(); }
  ///@}

private:
  DenseOptions options_;
  Tensor kernel_, bias_;
};

/// The float32 Dense layer.
using Dense = BasicDense<float>;
/// The float64 Dense layer.
using Dense64 = BasicDense<double>;
extern template class BasicDense<float>;
extern template class BasicDense<double>;

}  // namespace xgrad::nn
