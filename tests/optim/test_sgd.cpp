// optim::SGD and the Optimizer base.
#include <cmath>
#include <string>

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

TEST_CASE("Optimizers refuse bad hyper-parameters, naming the optimizer and the value",
          "[optim][errors]") {
  using Catch::Matchers::Contains;
  Tensor p(xt::xarray<float>{1.0f}, true);
  const float nan = std::nanf(""), inf = HUGE_VALF;
  auto refused = [](auto make, const std::string& who, const std::string& what) {
    try {
      make();
    } catch (const std::invalid_argument& e) {
      INFO(e.what());
      CHECK_THAT(e.what(), Contains(who + ": ") && Contains(what));
      return;
    }
    FAIL("no std::invalid_argument for " << who << " " << what);
  };
  // No parameters, or parameters that cannot be updated.
  refused([&] { optim::SGD({}, 0.1f); }, "SGD", "empty parameter list");
  refused([&] { optim::Adam({}); }, "Adam", "empty parameter list");
  refused([&] { optim::SGD({p, Tensor()}, 0.1f); }, "SGD", "parameter 1 is an undefined");
  refused([&] { optim::SGD({p * 2.0f}, 0.1f); }, "SGD", "not a leaf");
  refused([&] { optim::Adam({p, p}); }, "Adam", "parameter 1 (shape [1]) is the same tensor as parameter 0");
  // Learning rates.
  for (float lr : {0.0f, -1.0f, nan, inf}) {
    refused([&] { optim::SGD({p}, lr); }, "SGD", "lr must be finite and > 0");
    refused([&] { optim::Adam({p}, lr); }, "Adam", "lr must be finite and > 0");
  }
  // Momentum and betas in [0, 1); eps > 0.
  for (float m : {-0.1f, 1.0f, nan}) {
    refused([&] { optim::SGD({p}, 0.1f, m); }, "SGD", "momentum must be in [0, 1)");
    refused([&] { optim::Adam({p}, 0.1f, m); }, "Adam", "beta1 must be in [0, 1)");
    refused([&] { optim::Adam({p}, 0.1f, 0.9f, m); }, "Adam", "beta2 must be in [0, 1)");
  }
  for (float eps : {0.0f, -1.0f, nan, inf}) {
    refused([&] { optim::Adam({p}, 0.1f, 0.9f, 0.999f, eps); }, "Adam", "eps");
  }
  optim::SGD ok({p}, 0.1f);
  refused([&] { ok.set_lr(0.0f); }, "SGD", "lr must be finite and > 0");
  ok.set_lr(0.2f);
  CHECK(ok.lr() == 0.2f);
  CHECK_NOTHROW(optim::SGD({p}, 0.1f, 0.0f));  // the edges that are allowed
  CHECK_NOTHROW(optim::Adam({p}, 0.1f, 0.0f, 0.0f, 1e-30f));
}
