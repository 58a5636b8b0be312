#include "xgrad/optim/adam.hpp"

#include <cmath>

#include "check.hpp"
#include "config.hpp"
#include "kernels/optimizer_table.hpp"
#include "kernels/parallel.hpp"
#include "xgrad/autograd/tape.hpp"

namespace xgrad::optim {

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options)
    : Adam("Adam", std::move(params), options) {}

Adam::Adam(std::string name, std::vector<Tensor> params, const AdamOptions& options)
    : Optimizer(std::move(name), std::move(params)),
      beta1_(options.beta1()),
      beta2_(options.beta2()),
      eps_(options.eps()) {
  set_lr(options.lr());
  check::check_unit_interval(name_, "beta1", beta1_);
  check::check_unit_interval(name_, "beta2", beta2_);
  // eps = 0 would make an exactly-zero gradient 0 / 0 = NaN.
  check::check_positive(name_, "eps", eps_);
  m_.resize(params_.size());
  v_.resize(params_.size());
  t_.assign(params_.size(), 0);
}

void Adam::collect_state(std::vector<StateArray>& arrays, std::vector<StateCounter>& counters) {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    arrays.push_back({i, "m", &m_[i]});
    arrays.push_back({i, "v", &v_[i]});
    counters.push_back({i, "t", &t_[i]});
  }
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& options)
    : Adam("AdamW", std::move(params),
           AdamOptions().lr(options.lr()).beta1(options.beta1()).beta2(options.beta2()).eps(
               options.eps())) {
  check::check_non_negative(name_, "weight_decay", options.weight_decay());
  weight_decay_ = options.weight_decay();
}

namespace {
// AdamW's decoupled decay, a pass of its own so Adam's update loop stays as it is.
void decay_in_place(xt::xarray<float>& value, float factor) {
  float* p = value.data();
  const std::size_t n = value.size();
  const kernels::OptimizerTable& loops = kernels::active<kernels::OptimizerTable>();
  kernels::parallel_for(n, config::kOptimizerGrain,
                        [=, &loops](std::size_t b, std::size_t e) { loops.decay(p + b, factor, e - b); });
}
}  // namespace

void Adam::step() {
  NoGradGuard no_grad;
  begin_step();
  const float b1 = beta1_, b2 = beta2_, eps = eps_;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!should_update(i)) continue;
    if (weight_decay_ > 0.0f) decay_in_place(params_[i].value(), lr_ * weight_decay_);
    auto& value = params_[i].value();
    const float* g = params_[i].grad().data();
    const std::size_t n = value.size();
    if (m_[i].size() != n) {
      m_[i] = xt::zeros<float>(value.shape());
      v_[i] = xt::zeros<float>(value.shape());
    }
    const std::int64_t t = ++t_[i];
    // NOTE: the bias corrections are computed in double, then folded into one step size.
    const double c1 = 1.0 - std::pow(double(b1), double(t));
    const double c2 = 1.0 - std::pow(double(b2), double(t));
    const float lr_t = float(double(lr_) * std::sqrt(c2) / c1);
    float* p = value.data();
    float* m = m_[i].data();
    float* v = v_[i].data();
    const kernels::OptimizerTable& loops = kernels::active<kernels::OptimizerTable>();
    kernels::parallel_for(n, config::kOptimizerGrain, [=, &loops](std::size_t b, std::size_t e) {
      loops.adam(p + b, m + b, v + b, g + b, b1, b2, lr_t, eps, e - b);
    });
  }
}

}  // namespace xgrad::optim
