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

/// RMSprop, with the update and the options described at RMSpropOptions.
class RMSprop : public Optimizer {
public:
  /// Throws std::invalid_argument when lr <= 0, rho or momentum is outside [0, 1) or
  /// eps <= 0.
  RMSprop(std::vector<Tensor> params, const RMSpropOptions& options);
  /// Shorthand for RMSprop(params, RMSpropOptions().lr(lr)).
  explicit RMSprop(std::vector<Tensor> params, float lr = 0.001f)
      : RMSprop(std::move(params), RMSpropOptions().lr(lr)) {}
  void step() override;
  /// The options in use.
  const RMSpropOptions& options() const { return options_; }

protected:
  void collect_state(std::vector<StateArray>& arrays, std::vector<StateCounter>& counters) override;

private:
  RMSpropOptions options_;
  std::vector<xt::xarray<float>> ms_, mg_, mom_;
};

}  // namespace xgrad::optim
