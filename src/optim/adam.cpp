#include "xgrad/optim/adam.hpp"

#include <cmath>

#include "check.hpp"
#include "config.hpp"
#include "kernels/parallel.hpp"
#include "optim/update_loops.hpp"
#include "xgrad/autograd/tape.hpp"

namespace xgrad::optim {

template <class T>
BasicAdam<T>::BasicAdam(std::vector<Tensor> params, const AdamOptions& options)
    : BasicAdam("Adam", std::move(params), options) {}

template <class T>
BasicAdam<T>::BasicAdam(std::string name, std::vector<Tensor> params, const AdamOptions& options)
    : BasicOptimizer<T>(std::move(name), std::move(params)),
      beta1_(options.beta1()),
      beta2_(options.beta2()),
      eps_(options.eps()) {
  this->set_lr(options.lr());
  check::check_unit_interval(this->name_, "beta1", beta1_);
  check::check_unit_interval(this->name_, "beta2", beta2_);
  // eps = 0 would make an exactly-zero gradient 0 / 0 = NaN.
  check::check_positive(this->name_, "eps", eps_);
  m_.resize(this->params_.size());
  v_.resize(this->params_.size());
  t_.assign(this->params_.size(), 0);
}

template <class T>
void BasicAdam<T>::collect_state(std::vector<typename BasicOptimizer<T>::StateArray>& arrays,
                                 std::vector<typename BasicOptimizer<T>::StateCounter>& counters) {
  for (std::size_t i = 0; i < this->params_.size(); ++i) {
    arrays.push_back({i, "m", &m_[i]});
    arrays.push_back({i, "v", &v_[i]});
    counters.push_back({i, "t", &t_[i]});
  }
}

template <class T>
BasicAdamW<T>::BasicAdamW(std::vector<Tensor> params, const AdamWOptions& options)
    : BasicAdam<T>("AdamW", std::move(params),
           AdamOptions().lr(options.lr()).beta1(options.beta1()).beta2(options.beta2()).eps(
               options.eps())) {
  check::check_non_negative(this->name_, "weight_decay", options.weight_decay());
  this->weight_decay_ = options.weight_decay();
}

namespace {
// AdamW's decoupled decay, a pass of its own so Adam's update loop stays as it is.
template <class T>
void decay_in_place(xt::xarray<T>& value, float factor) {
  T* p = value.data();
  const std::size_t n = value.size();
  const auto& loops = detail::update_loops<T>();
  kernels::parallel_for(n, config::kOptimizerGrain,
                        [=, &loops](std::size_t b, std::size_t e) { loops.decay(p + b, factor, e - b); });
}
}  // namespace

template <class T>
void BasicAdam<T>::step() {
  NoGradGuard no_grad;
  this->begin_step();
  const float b1 = beta1_, b2 = beta2_, eps = eps_;
  const float lr = this->lr_;
  auto& params = this->params_;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!this->should_update(i)) continue;
    if (weight_decay_ > 0.0f) decay_in_place(params[i].value(), lr * weight_decay_);
    auto& value = params[i].value();
    const T* g = params[i].grad().data();
    const std::size_t n = value.size();
    if (m_[i].size() != n) {
      m_[i] = xt::zeros<T>(value.shape());
      v_[i] = xt::zeros<T>(value.shape());
    }
    const std::int64_t t = ++t_[i];
    // NOTE: the bias corrections are computed in double, then folded into one step size.
    const double c1 = 1.0 - std::pow(double(b1), double(t));
    const double c2 = 1.0 - std::pow(double(b2), double(t));
    const T lr_t = T(double(lr) * std::sqrt(c2) / c1);
    T* p = value.data();
    T* m = m_[i].data();
    T* v = v_[i].data();
    const auto& loops = detail::update_loops<T>();
    kernels::parallel_for(n, config::kOptimizerGrain, [=, &loops](std::size_t b, std::size_t e) {
      loops.adam(p + b, m + b, v + b, g + b, b1, b2, lr_t, eps, e - b);
    });
  }
}

template class BasicAdam<float>;
template class BasicAdam<double>;
template class BasicAdamW<float>;
template class BasicAdamW<double>;

}  // namespace xgrad::optim
