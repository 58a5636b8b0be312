#include "critic.hpp"

#include <cmath>

using namespace xgrad;

namespace wgan {

Tensor64 Critic::operator()(const Tensor64& x) const {
  Tensor64 h1 = tanh(xw_plus_b(x, params[0], params[1]));
  Tensor64 h2 = leaky_relu(xw_plus_b(h1, params[2], params[3]), 0.2);
  return xw_plus_b(h2, params[4], params[5]);
}

Critic make_critic(std::size_t in, std::size_t hidden, std::mt19937_64& rng) {
  auto glorot = [&](std::size_t fan_in, std::size_t fan_out) {
    std::uniform_real_distribution<double> u(-std::sqrt(6.0 / double(fan_in + fan_out)),
                                             std::sqrt(6.0 / double(fan_in + fan_out)));
    xt::xarray<double> w = xt::xarray<double>::from_shape({fan_in, fan_out});
    for (auto& v : w) v = u(rng);
    return Tensor64(std::move(w), true);
  };
  auto bias = [&](std::size_t n) {
    std::uniform_real_distribution<double> u(-0.1, 0.1);
    xt::xarray<double> b = xt::xarray<double>::from_shape({n});
    for (auto& v : b) v = u(rng);
    return Tensor64(std::move(b), true);
  };
  return {{glorot(in, hidden), bias(hidden), glorot(hidden, hidden), bias(hidden), glorot(hidden, 1),
           bias(1)}};
}

CriticLoss critic_loss(const Critic& critic, const Tensor64& real, const Tensor64& fake,
                       const Tensor64& eps, double lambda) {
  Tensor64 wasserstein = reduce_mean(critic(fake)) - reduce_mean(critic(real));
  if (lambda == 0) return {wasserstein, Tensor64()};
  Tensor64 x_hat = (eps * real + (1.0 - eps) * fake).detach().set_requires_grad(true);
  Tensor64 d_hat = critic(x_hat);
  Tensor64 g = autograd::grad({reduce_sum(d_hat)}, {x_hat}, {},
                              autograd::GradOptions().create_graph(true))[0];
  Tensor64 norm = sqrt(reduce_sum(g * g, {1}));
  Tensor64 penalty = reduce_mean(square(norm - 1.0));
  return {wasserstein + penalty * lambda, penalty};
}

}  // namespace wgan
