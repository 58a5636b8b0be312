// optim::Adam against a hand computation of TensorFlow's update.
#include <cmath>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

TEST_CASE("Adam: three steps equal the hand computation (TF/Keras form)", "[optim][adam]") {
  Tensor p(xt::xarray<float>{0.5f, -1.0f, 2.0f}, true);
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7;
  optim::Adam opt({p}, float(lr));
  CHECK(opt.eps() == 1e-7f);  // TF/Keras default (PyTorch: 1e-8)
  CHECK(opt.beta1() == 0.9f);
  CHECK(opt.beta2() == 0.999f);
  std::vector<xt::xarray<float>> grads = {{1.0f, -0.5f, 0.0f}, {0.2f, 0.3f, -4.0f}, {-1.0f, 1.0f, 1.0f}};
  double pv[3] = {0.5, -1.0, 2.0}, m[3] = {}, v[3] = {};
  int t = 0;
  for (auto& g : grads) {
    opt.zero_grad();
    reduce_sum(mul(p, Tensor(g))).backward();
    opt.step();
    ++t;
    const double lr_t = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    for (int k = 0; k < 3; ++k) {
      m[k] = b1 * m[k] + (1 - b1) * g(k);
      v[k] = b2 * v[k] + (1 - b2) * g(k) * g(k);
      pv[k] -= lr_t * m[k] / (std::sqrt(v[k]) + eps);
    }
    for (int k = 0; k < 3; ++k) CHECK(p.value()(k) == Approx(pv[k]).margin(1e-6));
  }
  // First step moves each coordinate with a non-zero gradient by about lr.
  Tensor q(xt::xarray<float>{0.0f}, true);
  optim::Adam one({q}, 0.01f);
  reduce_sum(mul(q, Tensor(xt::xarray<float>{123.0f}))).backward();
  one.step();
  CHECK(q.value()(0) == Approx(-0.01f).margin(1e-6));
}

TEST_CASE("Adam: skips frozen parameters and parameters without gradient", "[optim][adam]") {
  Tensor a(xt::xarray<float>{1.0f}, true), b(xt::xarray<float>{1.0f}, true);
  optim::Adam opt({a, b}, 0.1f);
  reduce_sum(a * 2.0).backward();  // b gets no gradient
  opt.step();
  CHECK(a.value()(0) == Approx(0.9f).margin(1e-5));
  CHECK(b.value()(0) == 1.0f);
  opt.zero_grad();
  reduce_sum(a * 2.0 + b * 2.0).backward();
  a.set_requires_grad(false);  // frozen
  opt.step();
  CHECK(a.value()(0) == Approx(0.9f).margin(1e-5));
  // b's first own step is bias-corrected as t = 1.
  CHECK(b.value()(0) == Approx(0.9f).margin(1e-5));
}

TEST_CASE("Adam trains a Dense + BatchNorm model", "[optim][adam]") {
  nn::manual_seed(3);
  nn::Sequential model;
  model.add(nn::Dense(3, 4, false));
  model.add(nn::BatchNorm(nn::BatchNormOptions(4)));
  model.add(nn::Tanh());
  model.add(nn::Dense(4, 1));
  optim::Adam opt(model.parameters(), 0.05f);
  Tensor x(test::random_array<float>({16, 3}, 7));
  xt::xarray<float> target = xt::sum(x.value(), {1}, xt::keep_dims);
  auto loss_of = [&] {
    Tensor d = model(x) - Tensor(target);
    return reduce_mean(d * d);
  };
  float first = loss_of().item();
  for (int i = 0; i < 100; ++i) {
    opt.zero_grad();
    Tensor l = loss_of();
    l.backward();
    opt.step();
  }
  CHECK(loss_of().item() < 0.2f * first);
}
