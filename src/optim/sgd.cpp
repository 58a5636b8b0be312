#include "xgrad/optim/sgd.hpp"

#include <cmath>

#include "check.hpp"
#include "config.hpp"
#include "kernels/optimizer_table.hpp"
#include "kernels/parallel.hpp"
#include "xgrad/autograd/tape.hpp"

namespace xgrad::optim {

SGD::SGD(std::vector<Tensor> params, const SGDOptions& options)
    : Optimizer("SGD", std::move(params)),
      momentum_(options.momentum()),
      weight_decay_(options.weight_decay()) {
  set_lr(options.lr());
  check::check_unit_interval(name_, "momentum", momentum_);
  check::check_non_negative(name_, "weight_decay", weight_decay_);
  if (momentum_ > 0.0f) velocity_.resize(params_.size());
}

const float* SGD::with_weight_decay(const float* g, const float* p, std::size_t n) {
  decayed_.resize(n);
  float* d = decayed_.data();
  const float wd = weight_decay_;
  kernels::active<kernels::OptimizerTable>().add_weight_decay(d, g, p, wd, n);
  return d;
}

void SGD::collect_state(std::vector<StateArray>& arrays, std::vector<StateCounter>&) {
  for (std::size_t i = 0; i < velocity_.size(); ++i) arrays.push_back({i, "velocity", &velocity_[i]});
}

void SGD::step() {
  NoGradGuard no_grad;
  begin_step();
  const float lr = lr_, mom = momentum_;
  const kernels::OptimizerTable& loops = kernels::active<kernels::OptimizerTable>();
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!should_update(i)) continue;
    auto& value = params_[i].value();
    const auto& grad = params_[i].grad();
    float* p = value.data();
    const float* g = grad.data();
    const std::size_t n = value.size();
    if (weight_decay_ > 0.0f) g = with_weight_decay(g, p, n);
    if (mom == 0.0f) {
      kernels::parallel_for(n, config::kOptimizerGrain, [=, &loops](std::size_t b, std::size_t e) {
        loops.sgd(p + b, g + b, lr, e - b);
      });
      continue;
    }
    auto& vel = velocity_[i];
    if (vel.size() != n) vel = xt::zeros<float>(value.shape());
    float* v = vel.data();
    loops.sgd_momentum(p, v, g, mom, lr, n);
  }
}

}  // namespace xgrad::optim
