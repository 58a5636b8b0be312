#include "xgrad/optim/optimizer.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace xgrad::optim {

Optimizer::Optimizer(std::vector<Tensor> params) : params_(std::move(params)) {
  if (params_.empty()) {
    throw std::invalid_argument("optimizer: empty parameter list (did you pass "
                                "model.parameters() of a model with every parameter frozen?)");
  }
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].defined() || !params_[i].is_leaf()) {
      throw std::invalid_argument("optimizer: parameter " + std::to_string(i) +
                                  " is undefined or not a leaf tensor");
    }
  }
}

void Optimizer::zero_grad() {
  for (auto& p : params_) p.zero_grad();
}

void Optimizer::set_lr(float lr) {
  if (!(lr > 0.0f) || !std::isfinite(lr)) {
    throw std::invalid_argument("optimizer: learning rate must be finite and > 0, got " +
                                std::to_string(lr));
  }
  lr_ = lr;
}

bool Optimizer::should_update(std::size_t i) const {
  const Tensor& p = params_[i];
  return p.requires_grad() && p.has_grad();
}

}  // namespace xgrad::optim
