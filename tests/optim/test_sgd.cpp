// optim::SGD and the Optimizer base.
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {
// Sets p.grad() to g by backpropagating sum(p * g).
void give_grad(const Tensor& p, const xt::xarray<float>& g) {
  reduce_sum(mul(p, Tensor(g))).backward();
}
}  // namespace

TEST_CASE("SGD without momentum: p -= lr g", "[optim][sgd]") {
  Tensor p(xt::xarray<float>{1.0f, -2.0f, 3.0f}, true);
  optim::SGD opt({p}, 0.1f);
  give_grad(p, {0.5f, 1.0f, -2.0f});
  opt.step();
  CHECK(p.value()(0) == Approx(0.95f));
  CHECK(p.value()(1) == Approx(-2.1f));
  CHECK(p.value()(2) == Approx(3.2f));
  opt.zero_grad();
  CHECK_FALSE(p.has_grad());
  opt.step();  // no gradient: skipped
  CHECK(p.value()(0) == Approx(0.95f));
}

TEST_CASE("SGD with momentum equals the hand computation", "[optim][sgd]") {
  Tensor p(xt::xarray<float>{1.0f, 2.0f}, true);
  optim::SGD opt({p}, 0.1f, 0.9f);
  std::vector<xt::xarray<float>> grads = {{1.0f, -1.0f}, {0.5f, 2.0f}, {-1.0f, 0.0f}};
  double pv[2] = {1.0, 2.0}, v[2] = {0.0, 0.0};
  for (auto& g : grads) {
    opt.zero_grad();
    give_grad(p, g);
    opt.step();
    for (int k = 0; k < 2; ++k) {
      v[k] = 0.9 * v[k] + g(k);
      pv[k] -= 0.1 * v[k];
    }
  }
  CHECK(p.value()(0) == Approx(pv[0]).margin(1e-6));
  CHECK(p.value()(1) == Approx(pv[1]).margin(1e-6));
}

TEST_CASE("SGD updates in place and skips frozen parameters", "[optim][sgd]") {
  nn::Dense d(2, 2);
  optim::SGD opt(d.parameters(), 0.5f);
  const float* storage = d.kernel().value().data();
  auto bias_before = d.bias().value();
  Tensor x(xt::xarray<float>{{1, 2}});
  reduce_sum(d(x)).backward();
  d.set_trainable("bias", false);  // frozen after the optimizer was built
  opt.step();
  CHECK(d.kernel().value().data() == storage);
  CHECK((d.bias().value() == bias_before));
  CHECK(d.bias().has_grad());  // it had a gradient, but is frozen
}

TEST_CASE("SGD: step does not record on the tape and ignores the module mode", "[optim][sgd]") {
  nn::Dense d(2, 1);
  d.eval();
  optim::SGD opt(d.parameters(), 0.1f);
  reduce_sum(d(Tensor(xt::xarray<float>{{1, 1}}))).backward();
  auto before = d.kernel().value();
  opt.step();
  CHECK_FALSE((d.kernel().value() == before));
  CHECK(d.kernel().is_leaf());
}

TEST_CASE("Optimizers refuse bad hyper-parameters", "[optim]") {
  Tensor p(xt::xarray<float>{1.0f}, true);
  CHECK_THROWS_AS(optim::SGD({}, 0.1f), std::invalid_argument);
  CHECK_THROWS_AS(optim::SGD({p}, 0.0f), std::invalid_argument);
  CHECK_THROWS_AS(optim::SGD({p}, -1.0f), std::invalid_argument);
  CHECK_THROWS_AS(optim::SGD({p}, 0.1f, -0.1f), std::invalid_argument);
  CHECK_THROWS_AS(optim::SGD({p}, 0.1f, 1.0f), std::invalid_argument);
  CHECK_THROWS_AS(optim::SGD({Tensor()}, 0.1f), std::invalid_argument);
  CHECK_THROWS_AS(optim::Adam({}, 0.1f), std::invalid_argument);
  CHECK_THROWS_AS(optim::Adam({p}, 0.0f), std::invalid_argument);
  CHECK_THROWS_AS(optim::Adam({p}, 0.1f, 1.0f), std::invalid_argument);
  CHECK_THROWS_AS(optim::Adam({p}, 0.1f, -0.1f), std::invalid_argument);
  CHECK_THROWS_AS(optim::Adam({p}, 0.1f, 0.9f, 1.0f), std::invalid_argument);
  CHECK_THROWS_AS(optim::Adam({p}, 0.1f, 0.9f, 0.999f, -1.0f), std::invalid_argument);
  optim::SGD ok({p}, 0.1f);
  CHECK_THROWS_AS(ok.set_lr(0.0f), std::invalid_argument);
  ok.set_lr(0.2f);
  CHECK(ok.lr() == 0.2f);
}
