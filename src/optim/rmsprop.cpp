#include "xgrad/optim/rmsprop.hpp"

#include <cmath>

#include "check.hpp"
#include "config.hpp"
#include "kernels/optimizer_table.hpp"
#include "kernels/parallel.hpp"
#include "xgrad/autograd/tape.hpp"

namespace xgrad::optim {

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropOptions& options)
    : Optimizer("RMSprop", std::move(params)), options_(options) {
  set_lr(options.lr());
  check::check_unit_interval(name_, "rho", options.rho());
  check::check_unit_interval(name_, "momentum", options.momentum());
  check::check_positive(name_, "eps", options.eps());
  ms_.resize(params_.size());
  mg_.resize(params_.size());
  mom_.resize(params_.size());
}

void RMSprop::collect_state(std::vector<StateArray>& arrays, std::vector<StateCounter>&) {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    arrays.push_back({i, "ms", &ms_[i]});
    if (options_.centered()) arrays.push_back({i, "mg", &mg_[i]});
    if (options_.momentum() > 0.0f) arrays.push_back({i, "momentum", &mom_[i]});
  }
}

void RMSprop::step() {
  NoGradGuard no_grad;
  begin_step();
  const float lr = lr_, rho = options_.rho(), mu = options_.momentum(), eps = options_.eps();
  const bool centered = options_.centered();
  const kernels::OptimizerTable& loops = kernels::active<kernels::OptimizerTable>();
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!should_update(i)) continue;
    auto& value = params_[i].value();
    const std::size_t n = value.size();
    auto ensure = [&](xt::xarray<float>& a) {
      if (a.size() != n) a = xt::zeros<float>(value.shape());
      return a.data();
    };
    float* ms = ensure(ms_[i]);
    float* mg = centered ? ensure(mg_[i]) : nullptr;
    float* mom = mu > 0.0f ? ensure(mom_[i]) : nullptr;
    float* p = value.data();
    const float* g = params_[i].grad().data();
    kernels::parallel_for(n, config::kOptimizerGrain, [=, &loops](std::size_t b, std::size_t e) {
      loops.rmsprop(p + b, ms + b, mg ? mg + b : nullptr, mom ? mom + b : nullptr, g + b, rho, mu,
                    eps, lr, e - b);
    });
  }
}

}  // namespace xgrad::optim
