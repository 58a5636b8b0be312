#include "xgrad/optim/optimizer.hpp"

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

namespace xgrad::optim {

Optimizer::Optimizer(std::string name, std::vector<Tensor> params)
    : name_(std::move(name)), params_(std::move(params)) {
  if (params_.empty()) {
    throw std::invalid_argument(name_ + ": empty parameter list (did you pass "
                                "model.parameters() of a model with every parameter frozen?)");
  }
  std::map<const void*, std::size_t> seen;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].defined()) {
      throw std::invalid_argument(name_ + ": parameter " + std::to_string(i) +
                                  " is an undefined tensor");
    }
    if (!params_[i].is_leaf()) {
      throw std::invalid_argument(name_ + ": parameter " + std::to_string(i) + " (shape " +
                                  to_string(params_[i].shape()) + ") is not a leaf tensor but "
                                  "the output of '" + params_[i].op_name() + "'");
    }
    auto [it, fresh] = seen.emplace(params_[i].impl().get(), i);
    if (!fresh) {
      throw std::invalid_argument(name_ + ": parameter " + std::to_string(i) + " (shape " +
                                  to_string(params_[i].shape()) + ") is the same tensor as "
                                  "parameter " + std::to_string(it->second) +
                                  "; it would be updated twice per step");
    }
  }
}

void Optimizer::zero_grad() {
  for (auto& p : params_) p.zero_grad();
}

void Optimizer::set_lr(float lr) {
  if (!(lr > 0.0f) || !std::isfinite(lr)) {
    throw std::invalid_argument(name_ + ": learning rate must be finite and > 0, got " +
                                std::to_string(lr));
  }
  lr_ = lr;
}

bool Optimizer::should_update(std::size_t i) const {
  const Tensor& p = params_[i];
  return p.requires_grad() && p.has_grad();
}

}  // namespace xgrad::optim
