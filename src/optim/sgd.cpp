#include "xgrad/optim/sgd.hpp"

#include <cmath>

#include "check.hpp"
#include "config.hpp"
#include "kernels/parallel.hpp"
#include "optim/update_loops.hpp"
#include "xgrad/autograd/tape.hpp"

namespace xgrad::optim {

template <class T>
BasicSGD<T>::BasicSGD(std::vector<Tensor> params, const SGDOptions& options)
    : BasicOptimizer<T>("SGD", std::move(params)),
      momentum_(options.momentum()),
      weight_decay_(options.weight_decay()) {
  this->set_lr(options.lr());
  check::check_unit_interval(this->name_, "momentum", momentum_);
  check::check_non_negative(this->name_, "weight_decay", weight_decay_);
  if (momentum_ > 0.0f) velocity_.resize(this->params_.size());
}

template <class T>
const T* BasicSGD<T>::with_weight_decay(const T* g, const T* p, std::size_t n) {
  decayed_.resize(n);
  T* d = decayed_.data();
  const float wd = weight_decay_;
  detail::update_loops<T>().add_weight_decay(d, g, p, wd, n);
  return d;
}

template <class T>
void BasicSGD<T>::collect_state(std::vector<typename BasicOptimizer<T>::StateArray>& arrays,
                                std::vector<typename BasicOptimizer<T>::StateCounter>&) {
  for (std::size_t i = 0; i < velocity_.size(); ++i) arrays.push_back({i, "velocity", &velocity_[i]});
}

template <class T>
void BasicSGD<T>::step() {
  NoGradGuard no_grad;
  this->begin_step();
  const float lr = this->lr_, mom = momentum_;
  const auto& loops = detail::update_loops<T>();
  auto& params = this->params_;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!this->should_update(i)) continue;
    auto& value = params[i].value();
    const auto& grad = params[i].grad();
    T* p = value.data();
    const T* g = grad.data();
    const std::size_t n = value.size();
    if (weight_decay_ > 0.0f) g = with_weight_decay(g, p, n);
    if (mom == 0.0f) {
      kernels::parallel_for(n, config::kOptimizerGrain, [=, &loops](std::size_t b, std::size_t e) {
        loops.sgd(p + b, g + b, lr, e - b);
      });
      continue;
    }
    auto& vel = velocity_[i];
    if (vel.size() != n) vel = xt::zeros<T>(value.shape());
    T* v = vel.data();
    loops.sgd_momentum(p, v, g, mom, lr, n);
  }
}

template class BasicSGD<float>;
template class BasicSGD<double>;

}  // namespace xgrad::optim
