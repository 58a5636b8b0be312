#include "xgrad/optim/adam.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/optimizer_table.hpp"
#include "kernels/parallel.hpp"
#include "xgrad/autograd/tape.hpp"

namespace xgrad::optim {

namespace {
// Parameters per thread below which a second thread costs more than it saves.
constexpr std::size_t kGrain = 16384;
}  // namespace

Adam::Adam(std::vector<Tensor> params, float lr, float beta1, float beta2, float eps)
    : Optimizer("Adam", std::move(params)), beta1_(beta1), beta2_(beta2), eps_(eps) {
  set_lr(lr);
  auto check_beta = [](float b, const char* which) {
    if (!(b >= 0.0f && b < 1.0f)) {
      throw std::invalid_argument(std::string("Adam: ") + which + " must be in [0, 1), got " +
                                  std::to_string(b));
    }
  };
  check_beta(beta1, "beta1");
  check_beta(beta2, "beta2");
  // eps = 0 would make an exactly-zero gradient 0 / 0 = NaN.
  if (!(eps > 0.0f) || !std::isfinite(eps)) {
    throw std::invalid_argument("Adam: eps must be finite and > 0, got " + std::to_string(eps));
  }
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

AdamW::AdamW(std::vector<Tensor> params, float lr, float weight_decay, float beta1, float beta2,
             float eps)
    : Adam(std::move(params), lr, beta1, beta2, eps) {
  name_ = "AdamW";
  if (!(weight_decay >= 0.0f) || !std::isfinite(weight_decay)) {
    throw std::invalid_argument("AdamW: weight_decay must be finite and >= 0, got " +
                                std::to_string(weight_decay));
  }
  weight_decay_ = weight_decay;
}

namespace {
// AdamW's decoupled decay, a pass of its own so Adam's update loop stays as it is.
void decay_in_place(xt::xarray<float>& value, float factor) {
  float* p = value.data();
  const std::size_t n = value.size();
  const kernels::OptimizerTable& loops = kernels::active<kernels::OptimizerTable>();
  kernels::parallel_for(n, kGrain,
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
    kernels::parallel_for(n, kGrain, [=, &loops](std::size_t b, std::size_t e) {
      loops.adam(p + b, m + b, v + b, g + b, b1, b2, lr_t, eps, e - b);
    });
  }
}

}  // namespace xgrad::optim
