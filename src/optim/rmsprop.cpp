#include "xgrad/optim/rmsprop.hpp"

#include <cmath>

#include "check.hpp"
#include "config.hpp"
#include "kernels/parallel.hpp"
#include "optim/update_loops.hpp"
#include "xgrad/autograd/tape.hpp"

namespace xgrad::optim {

template <class T>
BasicRMSprop<T>::BasicRMSprop(std::vector<Tensor> params, const RMSpropOptions& options)
    : BasicOptimizer<T>("RMSprop", std::move(params)), options_(options) {
  this->set_lr(options.lr());
  check::check_unit_interval(this->name_, "rho", options.rho());
  check::check_unit_interval(this->name_, "momentum", options.momentum());
  check::check_positive(this->name_, "eps", options.eps());
  ms_.resize(this->params_.size());
  mg_.resize(this->params_.size());
  mom_.resize(this->params_.size());
}

template <class T>
void BasicRMSprop<T>::collect_state(std::vector<typename BasicOptimizer<T>::StateArray>& arrays,
                                    std::vector<typename BasicOptimizer<T>::StateCounter>&) {
  for (std::size_t i = 0; i < this->params_.size(); ++i) {
    arrays.push_back({i, "ms", &ms_[i]});
    if (options_.centered()) arrays.push_back({i, "mg", &mg_[i]});
    if (options_.momentum() > 0.0f) arrays.push_back({i, "momentum", &mom_[i]});
  }
}

template <class T>
void BasicRMSprop<T>::step() {
  NoGradGuard no_grad;
  this->begin_step();
  const float lr = this->lr_, rho = options_.rho(), mu = options_.momentum(), eps = options_.eps();
  const bool centered = options_.centered();
  const auto& loops = detail::update_loops<T>();
  auto& params = this->params_;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!this->should_update(i)) continue;
    auto& value = params[i].value();
    const std::size_t n = value.size();
    auto ensure = [&](xt::xarray<T>& a) {
      if (a.size() != n) a = xt::zeros<T>(value.shape());
      return a.data();
    };
    T* ms = ensure(ms_[i]);
    T* mg = centered ? ensure(mg_[i]) : nullptr;
    T* mom = mu > 0.0f ? ensure(mom_[i]) : nullptr;
    T* p = value.data();
    const T* g = params[i].grad().data();
    kernels::parallel_for(n, config::kOptimizerGrain, [=, &loops](std::size_t b, std::size_t e) {
      loops.rmsprop(p + b, ms + b, mg ? mg + b : nullptr, mom ? mom + b : nullptr, g + b, rho, mu,
                    eps, lr, e - b);
    });
  }
}

template class BasicRMSprop<float>;
template class BasicRMSprop<double>;

}  // namespace xgrad::optim
