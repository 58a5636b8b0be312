#pragma once
/// \file
/// optim::Adam (Kingma & Ba), bias-corrected, in TensorFlow/Keras' form.
#include <cstdint>

#include "xgrad/optim/optimizer.hpp"

namespace xgrad::optim {

/// At step t (1, 2, ...), per element:
///   m = beta1 m + (1 - beta1) g
///   v = beta2 v + (1 - beta2) g^2
///   p -= lr_t m / (sqrt(v) + eps),   lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)
/// This is the bias correction as TensorFlow/Keras apply it (the "epsilon hat" form of the
/// paper's section 2). PyTorch computes lr m_hat / (sqrt(v_hat) + eps) instead; the two
/// differ only in how eps is scaled.
/// NOTE: eps defaults to 1e-7, the TF/Keras default; PyTorch's default is 1e-8.
/// m and v start at zero; t counts per parameter (a parameter skipped for lack of a
/// gradient does not advance its own t).
class Adam : public Optimizer {
public:
  /// Throws std::invalid_argument when lr <= 0, a beta is outside [0, 1) or eps <= 0.
  Adam(std::vector<Tensor> params, float lr = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f,
       float eps = 1e-7f);
  void step() override;

  float beta1() const { return beta1_; }
  float beta2() const { return beta2_; }
  float eps() const { return eps_; }

private:
  float beta1_, beta2_, eps_;
  std::vector<xt::xarray<float>> m_, v_;
  std::vector<std::int64_t> t_;
};

}  // namespace xgrad::optim
