#include "xgrad/optim/rmsprop.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/optimizer_table.hpp"
#include "kernels/parallel.hpp"
#include "xgrad/autograd/tape.hpp"

namespace xgrad::optim {

namespace {
// As in Adam: below this many elements per thread a second thread does not pay.
constexpr std::size_t kGrain = 16384;

void check_unit(const char* what, float v) {
  if (!(v >= 0.0f && v < 1.0f)) {  // NaN fails too
    throw std::invalid_argument(std::string("RMSprop: ") + what + " must be in [0, 1), got " +
                                std::to_string(v));
  }
}
}  // namespace

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropOptions& options)
    : Optimizer("RMSprop", std::move(params)), options_(options) {
  set_lr(options.lr);
  check_unit("rho", options.rho);
  check_unit("momentum", options.momentum);
  if (!(options.eps > 0.0f) || !std::isfinite(options.eps)) {
    throw std::invalid_argument("RMSprop: eps must be finite and > 0, got " +
                                std::to_string(options.eps));
  }
  ms_.resize(params_.size());
  mg_.resize(params_.size());
  mom_.resize(params_.size());
}

void RMSprop::collect_state(std::vector<StateArray>& arrays, std::vector<StateCounter>&) {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    arrays.push_back({i, "ms", &ms_[i]});
    if (options_.centered) arrays.push_back({i, "mg", &mg_[i]});
    if (options_.momentum > 0.0f) arrays.push_back({i, "momentum", &mom_[i]});
  }
}

void RMSprop::step() {
  NoGradGuard no_grad;
  begin_step();
  const float lr = lr_, rho = options_.rho, mu = options_.momentum, eps = options_.eps;
  const bool centered = options_.centered;
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
    kernels::parallel_for(n, kGrain, [=, &loops](std::size_t b, std::size_t e) {
      loops.rmsprop(p + b, ms + b, mg ? mg + b : nullptr, mom ? mom + b : nullptr, g + b, rho, mu,
                    eps, lr, e - b);
    });
  }
}

}  // namespace xgrad::optim
