// SGD weight decay, AdamW, RMSprop and clip_by_global_norm against hand computations.
#include <cmath>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {
// Sets p.grad() to g by backpropagating sum(p * g).
void give_grad(const Tensor& p, const xt::xarray<float>& g) {
  reduce_sum(mul(p, Tensor(g))).backward();
}
const std::vector<xt::xarray<float>> kGrads = {{1.0f, -0.5f}, {0.2f, 0.3f}, {-1.0f, 2.0f}};
}  // namespace

TEST_CASE("SGD weight decay: g + wd p, with and without momentum", "[optim][sgd]") {
  for (float mom : {0.0f, 0.9f}) {
    Tensor p(xt::xarray<float>{1.0f, -2.0f}, true);
    optim::SGD opt({p}, 0.1f, mom, 0.01f);
    CHECK(opt.weight_decay() == 0.01f);
    double pv[2] = {1.0, -2.0}, v[2] = {0.0, 0.0};
    for (auto& g : kGrads) {
      opt.zero_grad();
      give_grad(p, g);
      opt.step();
      for (int k = 0; k < 2; ++k) {
        const double gk = g(k) + 0.01 * pv[k];
        v[k] = mom * v[k] + gk;
        pv[k] -= 0.1 * v[k];
      }
    }
    CHECK(p.value()(0) == Approx(pv[0]).margin(1e-6));
    CHECK(p.value()(1) == Approx(pv[1]).margin(1e-6));
  }
  // One step, zero gradient: p -= lr wd p exactly.
  Tensor q(xt::xarray<float>{2.0f}, true);
  optim::SGD opt({q}, 0.5f, 0.0f, 0.1f);
  give_grad(q, {0.0f});
  opt.step();
  CHECK(q.value()(0) == Approx(1.9f));
  CHECK_THROWS_AS(optim::SGD({q}, 0.1f, 0.0f, -1.0f), std::invalid_argument);
}

TEST_CASE("AdamW: decoupled decay then Adam's update (Keras form)", "[optim][adamw]") {
  Tensor p(xt::xarray<float>{0.5f, -1.0f}, true);
  const double lr = 0.01, wd = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-7;
  optim::AdamW opt({p}, float(lr), float(wd));
  CHECK(opt.name() == "AdamW");
  CHECK(optim::AdamW({p}).weight_decay() == 0.004f);  // Keras' default
  double pv[2] = {0.5, -1.0}, m[2] = {}, v[2] = {};
  int t = 0;
  for (auto& g : kGrads) {
    opt.zero_grad();
    give_grad(p, g);
    opt.step();
    ++t;
    const double lr_t = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    for (int k = 0; k < 2; ++k) {
      pv[k] -= lr * wd * pv[k];
      m[k] = b1 * m[k] + (1 - b1) * g(k);
      v[k] = b2 * v[k] + (1 - b2) * g(k) * g(k);
      pv[k] -= lr_t * m[k] / (std::sqrt(v[k]) + eps);
    }
  }
  CHECK(p.value()(0) == Approx(pv[0]).margin(1e-6));
  CHECK(p.value()(1) == Approx(pv[1]).margin(1e-6));
  // Plain Adam has no decay.
  CHECK(optim::Adam({p}).weight_decay() == 0.0f);
  CHECK_THROWS_AS(optim::AdamW({p}, 0.01f, -0.1f), std::invalid_argument);
}

TEST_CASE("RMSprop: TF defaults and the update, plain, momentum, centered", "[optim][rmsprop]") {
  Tensor p0(xt::xarray<float>{0.0f}, true);
  optim::RMSprop defaults({p0});
  CHECK(defaults.lr() == 0.001f);
  CHECK(defaults.options().rho() == 0.9f);
  CHECK(defaults.options().momentum() == 0.0f);
  CHECK(defaults.options().eps() == 1e-7f);
  CHECK_FALSE(defaults.options().centered());

  for (int variant = 0; variant < 3; ++variant) {
    const auto o = optim::RMSpropOptions()
                       .lr(0.01f)
                       .momentum(variant == 1 ? 0.5f : 0.0f)
                       .centered(variant == 2);
    Tensor p(xt::xarray<float>{1.0f, -2.0f}, true);
    optim::RMSprop opt({p}, o);
    double pv[2] = {1.0, -2.0}, ms[2] = {}, mg[2] = {}, mom[2] = {};
    for (auto& g : kGrads) {
      opt.zero_grad();
      give_grad(p, g);
      opt.step();
      for (int k = 0; k < 2; ++k) {
        ms[k] = 0.9 * ms[k] + 0.1 * g(k) * g(k);
        double denom = ms[k] + 1e-7;
        if (o.centered()) {
          mg[k] = 0.9 * mg[k] + 0.1 * g(k);
          denom = ms[k] - mg[k] * mg[k] + 1e-7;
        }
        const double inc = 0.01 * g(k) / std::sqrt(denom);
        if (o.momentum() > 0) {
          mom[k] = o.momentum() * mom[k] + inc;
          pv[k] -= mom[k];
        } else {
          pv[k] -= inc;
        }
      }
    }
    INFO("variant " << variant);
    CHECK(p.value()(0) == Approx(pv[0]).margin(1e-5));
    CHECK(p.value()(1) == Approx(pv[1]).margin(1e-5));
  }
  // First plain step: lr g / sqrt(0.1 g^2 + eps) ~ lr / sqrt(0.1) = 0.0316 for any large g.
  Tensor q(xt::xarray<float>{0.0f}, true);
  optim::RMSprop one({q}, 0.01f);
  give_grad(q, {50.0f});
  one.step();
  CHECK(q.value()(0) == Approx(-0.01 / std::sqrt(0.1)).margin(1e-6));
  CHECK_THROWS_AS(optim::RMSprop({q}, optim::RMSpropOptions().rho(1.0f)), std::invalid_argument);
  CHECK_THROWS_AS(optim::RMSprop({q}, optim::RMSpropOptions().eps(0.0f)), std::invalid_argument);
}

TEST_CASE("clip_by_global_norm: TF's rule on parameters' gradients and on arrays",
          "[optim][clip]") {
  Tensor a(xt::xarray<float>{3.0f, 0.0f}, true), b(xt::xarray<float>{0.0f}, true);
  Tensor unused(xt::xarray<float>{1.0f}, true);  // no gradient: ignored
  give_grad(a, {3.0f, 0.0f});
  give_grad(b, {4.0f});
  // norm = sqrt(9 + 16) = 5 > 1: every gradient times 1/5.
  const float norm = optim::clip_by_global_norm({a, b, unused}, 1.0f);
  CHECK(norm == Approx(5.0f));
  CHECK(a.grad()(0) == Approx(0.6f));
  CHECK(a.grad()(1) == 0.0f);
  CHECK(b.grad()(0) == Approx(0.8f));
  CHECK_FALSE(unused.has_grad());
  // Below the limit: unchanged, the norm still returned.
  CHECK(optim::clip_by_global_norm({a, b}, 10.0f) == Approx(1.0f));
  CHECK(b.grad()(0) == Approx(0.8f));

  std::vector<xt::xarray<float>> gs = {{1.0f, 1.0f}, {1.0f, 1.0f}};
  CHECK(optim::clip_by_global_norm(gs, 1.0f) == Approx(2.0f));
  CHECK(gs[0](0) == Approx(0.5f));
  CHECK(gs[1](1) == Approx(0.5f));
  std::vector<xt::xarray<float>> inf = {{std::numeric_limits<float>::infinity(), 1.0f}};
  CHECK(std::isinf(optim::clip_by_global_norm(inf, 1.0f)));
  CHECK(inf[0](1) == 1.0f);  // left as it was
  CHECK_THROWS_AS(optim::clip_by_global_norm(gs, 0.0f), std::invalid_argument);
}
