#pragma once
/// \file
/// optim::RMSprop in tf.keras.optimizers.RMSprop's form, with its defaults.
#include "xgrad/optim/optimizer.hpp"
#include "xgrad/options.hpp"

namespace xgrad::optim {

/// Per element, with rho, momentum and eps:
///   ms = rho ms + (1 - rho) g^2
///   centered: mg = rho mg + (1 - rho) g;   denom = ms - mg^2 + eps,  else denom = ms + eps
///   inc = lr g / sqrt(denom)
///   momentum > 0: mom = momentum mom + inc; p -= mom,   else p -= inc
/// ms, mg and mom start at zero.
/// NOTE: eps sits inside the square root, as in TensorFlow; PyTorch's RMSprop adds it to
/// sqrt(ms) and defaults to rho (alpha) 0.99, eps 1e-8, lr 0.01.
struct RMSpropOptions {
  /// Learning rate. Default 0.001. Must be finite and > 0.
  XGRAD_OPTION(float, lr) = 0.001f;
  /// Decay of the mean square. Default 0.9. Must be in [0, 1).
  XGRAD_OPTION(float, rho) = 0.9f;
  /// Default 0 (none). Must be in [0, 1).
  XGRAD_OPTION(float, momentum) = 0.0f;
  /// Default 1e-7 (TF). Must be finite and > 0.
  XGRAD_OPTION(float, eps) = 1e-7f;
  /// Divide by the centred second moment (an estimate of the variance). Default false.
  XGRAD_OPTION(bool, centered) = false;
};

/// RMSprop, with the update and the options described at RMSpropOptions. optim::RMSprop
/// (float32) or optim::RMSprop64 (float64).
template <class T>
class BasicRMSprop : public BasicOptimizer<T> {
public:
  /// The parameters' tensor type.
  using Tensor = BasicTensor<T>;
  /// Throws std::invalid_argument when lr <= 0, rho or momentum is outside [0, 1) or
  /// eps <= 0.
  BasicRMSprop(std::vector<Tensor> params, const RMSpropOptions& options);
  /// Shorthand for RMSprop(params, RMSpropOptions().lr(lr)).
  explicit BasicRMSprop(std::vector<Tensor> params, float lr = 0.001f)
      : BasicRMSprop(std::move(params), RMSpropOptions().lr(lr)) {}
  void step() override;
  /// The options in use.
  const RMSpropOptions& options() const { return options_; }

protected:
  /// Lists its state for checkpoints: "ms", "mg" and "momentum".
  void collect_state(std::vector<typename BasicOptimizer<T>::StateArray>& arrays,
                     std::vector<typename BasicOptimizer<T>::StateCounter>& counters) override;

private:
  RMSpropOptions options_;
  std::vector<xt::xarray<T>> ms_, mg_, mom_;
};

using RMSprop = BasicRMSprop<float>;     ///< float32 RMSprop
using RMSprop64 = BasicRMSprop<double>;  ///< float64 RMSprop
extern template class BasicRMSprop<float>;
extern template class BasicRMSprop<double>;

}  // namespace xgrad::optim
