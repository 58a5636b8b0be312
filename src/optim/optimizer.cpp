#include "xgrad/optim/optimizer.hpp"

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

#include "autograd/tensor_impl.hpp"
#include "check.hpp"

namespace xgrad::optim {

Optimizer::Optimizer(std::string name, std::vector<Tensor> params)
    : name_(std::move(name)), params_(std::move(params)) {
  if (params_.empty()) {
    check::fail(name_, "empty parameter list (did you pass model.parameters() of a model with "
                       "every parameter frozen?)");
  }
  std::map<const void*, std::size_t> seen;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].defined()) {
      check::fail(name_, "parameter " + std::to_string(i) + " is an undefined tensor");
    }
    if (!params_[i].is_leaf()) {
      check::fail(name_, "parameter " + std::to_string(i) + " (shape " +
                             check::format_shape(params_[i].shape()) +
                             ") is not a leaf tensor but the output of '" + params_[i].op_name() +
                             "'");
    }
    auto [it, fresh] = seen.emplace(xgrad::detail::impl_of(params_[i]).get(), i);
    if (!fresh) {
      check::fail(name_, "parameter " + std::to_string(i) + " (shape " +
                             check::format_shape(params_[i].shape()) +
                             ") is the same tensor as parameter " + std::to_string(it->second) +
                             "; it would be updated twice per step");
    }
  }
}

void Optimizer::zero_grad() {
  for (auto& p : params_) p.zero_grad();
}

float Optimizer::lr() const {
  return schedule_ ? float((*schedule_)(iterations_)) : lr_;
}

void Optimizer::set_lr(float lr) {
  if (schedule_) {
    throw std::logic_error(name_ + ": set_lr while a learning-rate schedule is set; call "
                           "set_schedule(nullptr) first");
  }
  check::check_positive(name_, "lr", lr);
  lr_ = lr;
}

void Optimizer::restore_lr(float lr) {
  if (!schedule_ && lr > 0.0f && std::isfinite(lr)) lr_ = lr;
}

void Optimizer::set_schedule(std::shared_ptr<const LearningRateSchedule> schedule) {
  if (!schedule && schedule_) lr_ = lr();  // keep going at the rate the schedule reached
  schedule_ = std::move(schedule);
}

void Optimizer::begin_step() {
  if (schedule_) {
    const double lr = (*schedule_)(iterations_);
    if (!(lr >= 0.0) || !std::isfinite(lr)) {
      throw std::runtime_error(name_ + ": the learning-rate schedule gave " + std::to_string(lr) +
                               " at step " + std::to_string(iterations_));
    }
    lr_ = float(lr);
  }
  ++iterations_;
}

bool Optimizer::should_update(std::size_t i) const {
  const Tensor& p = params_[i];
  return p.requires_grad() && p.has_grad();
}

void Optimizer::collect_state(std::vector<StateArray>&, std::vector<StateCounter>&) {}

std::vector<Optimizer::StateArray> Optimizer::state_arrays() {
  std::vector<StateArray> arrays;
  std::vector<StateCounter> counters;
  collect_state(arrays, counters);
  return arrays;
}

std::vector<Optimizer::StateCounter> Optimizer::state_counters() {
  std::vector<StateArray> arrays;
  std::vector<StateCounter> counters{{kNoParam, "iterations", &iterations_}};
  collect_state(arrays, counters);
  return counters;
}

namespace {

template <class Each>
float clip_global(std::size_t n, Each&& each, float max_norm) {
  check::check_positive("clip_by_global_norm", "max_norm", max_norm);
  // Summed in double: float loses the small gradients' share when there are millions.
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (auto* g = each(i)) {
      for (float v : *g) sum += double(v) * double(v);
    }
  }
  const double norm = std::sqrt(sum);
  if (std::isfinite(norm) && norm > double(max_norm)) {
    const float scale = float(double(max_norm) / norm);
    for (std::size_t i = 0; i < n; ++i) {
      if (auto* g = each(i)) *g *= scale;
    }
  }
  return float(norm);
}

}  // namespace

float clip_by_global_norm(const std::vector<Tensor>& params, float max_norm) {
  return clip_global(
      params.size(),
      [&](std::size_t i) -> xt::xarray<float>* {
        const Tensor& p = params[i];
        if (!p.defined() || !p.has_grad()) return nullptr;
        return &xgrad::detail::impl_of(p)->grad;
      },
      max_norm);
}

float clip_by_global_norm(std::vector<xt::xarray<float>>& gradients, float max_norm) {
  return clip_global(
      gradients.size(), [&](std::size_t i) { return &gradients[i]; }, max_norm);
}

}  // namespace xgrad::optim
