#include "xgrad/optim/optimizer.hpp"

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

#include "autograd/tensor_impl.hpp"
#include "check.hpp"

namespace xgrad::optim {

template <class T>
BasicOptimizer<T>::BasicOptimizer(std::string name, std::vector<Tensor> params)
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

template <class T>
void BasicOptimizer<T>::zero_grad() {
  for (auto& p : params_) p.zero_grad();
}

template <class T>
float BasicOptimizer<T>::lr() const {
  return schedule_ ? float((*schedule_)(iterations_)) : lr_;
}

template <class T>
void BasicOptimizer<T>::set_lr(float lr) {
  if (schedule_) {
    throw std::logic_error(name_ + ": set_lr while a learning-rate schedule is set; call "
                           "set_schedule(nullptr) first");
  }
  check::check_positive(name_, "lr", lr);
  lr_ = lr;
}

template <class T>
void BasicOptimizer<T>::restore_lr(float lr) {
  if (!schedule_ && lr > 0.0f && std::isfinite(lr)) lr_ = lr;
}

template <class T>
void BasicOptimizer<T>::set_schedule(std::shared_ptr<const LearningRateSchedule> schedule) {
  if (!schedule && schedule_) lr_ = lr();  // keep going at the rate the schedule reached
  schedule_ = std::move(schedule);
}

template <class T>
void BasicOptimizer<T>::begin_step() {
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

template <class T>
bool BasicOptimizer<T>::should_update(std::size_t i) const {
  const BasicTensor<T>& p = params_[i];
  return p.requires_grad() && p.has_grad();
}

template <class T>
void BasicOptimizer<T>::collect_state(std::vector<StateArray>&, std::vector<StateCounter>&) {}

template <class T>
std::vector<typename BasicOptimizer<T>::StateArray> BasicOptimizer<T>::state_arrays() {
  std::vector<StateArray> arrays;
  std::vector<StateCounter> counters;
  collect_state(arrays, counters);
  return arrays;
}

template <class T>
std::vector<typename BasicOptimizer<T>::StateCounter> BasicOptimizer<T>::state_counters() {
  std::vector<StateArray> arrays;
  std::vector<StateCounter> counters{{kNoParam, "iterations", &iterations_}};
  collect_state(arrays, counters);
  return counters;
}

namespace {

template <class T, class Each>
T clip_global(std::size_t n, Each&& each, T max_norm) {
  check::check_positive("clip_by_global_norm", "max_norm", max_norm);
  // Summed in double: float loses the small gradients' share when there are millions.
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (auto* g = each(i)) {
      for (T v : *g) sum += double(v) * double(v);
    }
  }
  const double norm = std::sqrt(sum);
  if (std::isfinite(norm) && norm > double(max_norm)) {
    const T scale = T(double(max_norm) / norm);
    for (std::size_t i = 0; i < n; ++i) {
      if (auto* g = each(i)) *g *= scale;
    }
  }
  return T(norm);
}

template <class T>
T clip_tensors(const std::vector<BasicTensor<T>>& params, T max_norm) {
  return clip_global(
      params.size(),
      [&](std::size_t i) -> xt::xarray<T>* {
        const BasicTensor<T>& p = params[i];
        if (!p.defined() || !p.has_grad()) return nullptr;
        return &xgrad::detail::impl_of(p)->grad;
      },
      max_norm);
}

template <class T>
T clip_arrays(std::vector<xt::xarray<T>>& gradients, T max_norm) {
  return clip_global(
      gradients.size(), [&](std::size_t i) { return &gradients[i]; }, max_norm);
}

}  // namespace

float clip_by_global_norm(const std::vector<Tensor>& params, float max_norm) {
  return clip_tensors(params, max_norm);
}
float clip_by_global_norm(std::vector<xt::xarray<float>>& gradients, float max_norm) {
  return clip_arrays(gradients, max_norm);
}
double clip_by_global_norm(const std::vector<Tensor64>& params, double max_norm) {
  return clip_tensors(params, max_norm);
}
double clip_by_global_norm(std::vector<xt::xarray<double>>& gradients, double max_norm) {
  return clip_arrays(gradients, max_norm);
}

template class BasicOptimizer<float>;
template class BasicOptimizer<double>;

}  // namespace xgrad::optim
