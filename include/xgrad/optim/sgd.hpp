#pragma once
/// \file
/// optim::SGD with optional momentum.
#include "xgrad/optim/optimizer.hpp"

namespace xgrad::optim {

/// Without momentum: p -= lr * g.
/// With momentum m (PyTorch form): v = m * v + g; p -= lr * v (v starts at 0).
/// NOTE: Keras writes v' = m v' - lr g; p += v'. For a constant lr the two are the same
/// update (v' = -lr v).
class SGD : public Optimizer {
public:
  /// Throws std::invalid_argument when lr <= 0 or momentum is outside [0, 1).
  SGD(std::vector<Tensor> params, float lr, float momentum = 0.0f);
  void step() override;
  float momentum() const { return momentum_; }

private:
  float momentum_;
  std::vector<xt::xarray<float>> velocity_;
};

}  // namespace xgrad::optim
