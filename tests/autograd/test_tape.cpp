// Autograd semantics: reuse, deep chains, accumulation, memory, NoGradGuard, freed graphs.
#include <cmath>

#include "autograd/tensor_impl.hpp"
#include "support/test_utils.hpp"

using namespace xgrad;
using Catch::Matchers::Contains;

TEST_CASE("a reused non-leaf gets the sum of both paths", "[autograd]") {
  Tensor64 a(xt::xarray<double>{1.0, -2.0, 3.0}, true);
  Tensor64 b = a + a;  // 2a
  Tensor64 c = b * b;  // 4a^2, dc/da = 8a
  c.backward(xt::ones<double>({3}));
  REQUIRE(test::all_close(a.grad(), xt::xarray<double>{8.0, -16.0, 24.0}));
}

TEST_CASE("b = a + a, c = b + b gives 4 without exponential blow-up", "[autograd]") {
  Tensor64 a = Tensor64::scalar(1.5, true);
  Tensor64 b = a + a;
  Tensor64 c = b + b;
  c.backward();
  REQUIRE(a.grad()() == 4.0);
  a.zero_grad();
  // 60 levels of x = x + x: a walk that followed every path would make 2^60 calls. The
  // gradient, 2^60, is exact in double.
  Tensor64 x = a;
  for (int i = 0; i < 60; ++i) x = x + x;
  x.backward();
  REQUIRE(a.grad()() == std::ldexp(1.0, 60));
}

TEST_CASE("a 10,000-op chain backpropagates and frees without stack overflow", "[autograd]") {
  Tensor64 a = Tensor64::scalar(1.0, true);
  Tensor64 x = a;
  for (int i = 0; i < 10000; ++i) x = x * 1.0001 + 0.0;
  x.backward();
  REQUIRE(a.grad()() == Approx(std::pow(1.0001, 10000)).epsilon(1e-9));
  // A dropped chain that never ran backward must free itself too.
  const std::size_t before = autograd::live_node_count();
  {
    Tensor64 y = a;
    for (int i = 0; i < 10000; ++i) y = y + 1.0;
    REQUIRE(autograd::live_node_count() == before + 10000);
  }
  REQUIRE(autograd::live_node_count() == before);
}

TEST_CASE("leaf gradients accumulate across backward calls until zero_grad", "[autograd]") {
  Tensor64 w(xt::xarray<double>{2.0, 3.0}, true);
  Tensor64 x(xt::xarray<double>{5.0, 7.0});
  for (int i = 0; i < 2; ++i) reduce_sum(w * x).backward();
  REQUIRE(test::all_close(w.grad(), xt::xarray<double>{10.0, 14.0}));
  w.zero_grad();
  REQUIRE_FALSE(w.has_grad());
  reduce_sum(w * x).backward();
  REQUIRE(test::all_close(w.grad(), xt::xarray<double>{5.0, 7.0}));
}

TEST_CASE("interior gradients do not leak between backward calls", "[autograd]") {
  Tensor64 w = Tensor64::scalar(3.0, true);
  auto step = [&] {
    Tensor64 h = w * w;  // interior
    Tensor64 loss = h * 2.0;
    loss.backward();
    double g = w.grad()();
    w.zero_grad();
    return g;
  };
  REQUIRE(step() == 12.0);
  REQUIRE(step() == 12.0);
}

TEST_CASE("a second backward through a freed graph throws a clear error", "[autograd]") {
  Tensor64 w = Tensor64::scalar(2.0, true);
  Tensor64 h = w * w;
  Tensor64 loss = h + 1.0;
  loss.backward();
  REQUIRE_THROWS_WITH(loss.backward(), Contains("already been freed") && Contains("forward"));
  // Reaching a freed node from a new root also throws, instead of silently giving zeros.
  Tensor64 other = h * 3.0;
  REQUIRE_THROWS_WITH(other.backward(), Contains("already been freed"));
}

TEST_CASE("nothing is recorded under NoGradGuard, and the guard nests", "[autograd]") {
  Tensor64 w(xt::xarray<double>{1.0, 2.0}, true);
  const std::size_t before = autograd::live_node_count();
  {
    NoGradGuard outer;
    {
      NoGradGuard inner;
    }
    REQUIRE_FALSE(autograd::is_grad_enabled());
    Tensor64 y = exp(w * w + 1.0);
    REQUIRE_FALSE(y.requires_grad());
    REQUIRE(y.is_leaf());
    REQUIRE(autograd::live_node_count() == before);
    REQUIRE_THROWS_WITH(y.backward(xt::ones<double>({2})), Contains("does not require grad"));
  }
  REQUIRE(autograd::is_grad_enabled());
}

TEST_CASE("memory and node count stay flat over 1,000 training-like steps", "[autograd]") {
  Tensor w = Tensor(test::random_array<float>({8, 4}, 1), true);
  Tensor x = Tensor(test::random_array<float>({16, 8}, 2));
  auto train_step = [&] {
    Tensor loss = reduce_mean(sigmoid(matmul(x, w)) * 2.0f);
    loss.backward();
    {
      NoGradGuard no_grad;
      w.value() -= 0.1f * w.grad();
    }
    w.zero_grad();
    return loss.item();
  };
  auto eval_step = [&] {
    NoGradGuard no_grad;
    return reduce_mean(sigmoid(matmul(x, w))).item();
  };
  train_step();
  const std::size_t nodes = autograd::live_node_count();
  std::size_t max_tape = 0;
  for (int i = 0; i < 1000; ++i) {
    train_step();
    eval_step();
    REQUIRE(autograd::live_node_count() == nodes);
    max_tape = std::max(max_tape, autograd::tape_size());
  }
  REQUIRE(max_tape <= 64);
  // Forward passes dropped without backward (an eval loop that forgot the guard) free too.
  for (int i = 0; i < 1000; ++i) (void)reduce_mean(sigmoid(matmul(x, w))).item();
  REQUIRE(autograd::live_node_count() == nodes);
  REQUIRE(autograd::tape_size() <= 256);
}

TEST_CASE("detach cuts the graph and shares the value", "[autograd]") {
  Tensor64 w = Tensor64::scalar(2.0, true);
  Tensor64 h = w * w;
  Tensor64 d = h.detach();
  REQUIRE(d.is_leaf());
  REQUIRE_FALSE(d.requires_grad());
  REQUIRE(&d.value() == &h.value());
  Tensor64 loss = d * w;  // gradient flows only through the second factor
  loss.backward();
  REQUIRE(w.grad()() == 4.0);
}

TEST_CASE("backward checks its upstream gradient and its root", "[autograd]") {
  Tensor64 w(xt::xarray<double>{1.0, 2.0}, true);
  Tensor64 y = w * 2.0;
  REQUIRE_THROWS_WITH(y.backward(), Contains("[2]"));
  REQUIRE_THROWS_WITH(y.backward(xt::ones<double>({3})), Contains("[3]") && Contains("[2]"));
  REQUIRE_THROWS_WITH(Tensor64().shape(), Contains("undefined"));
  REQUIRE_THROWS_WITH(y.set_requires_grad(false), Contains("not a leaf"));
}

TEST_CASE("anomaly detection names the first op producing a non-finite value", "[autograd]") {
  autograd::set_anomaly_detection(true);
  Tensor64 x(xt::xarray<double>{1.0, 0.0}, true);
  REQUIRE_THROWS_WITH(log(x * 1.0), Contains("'log'") && Contains("forward"));
  Tensor64 y = sqrt(x);  // finite forward, infinite gradient at 0
  REQUIRE_THROWS_WITH(reduce_sum(y).backward(), Contains("'sqrt'") && Contains("backward"));
  autograd::set_anomaly_detection(false);
  REQUIRE_NOTHROW(log(x * 1.0));
}

namespace {
// Turns anomaly detection on for a scope (and off again even when a REQUIRE fails).
struct AnomalyDetection {
  AnomalyDetection() { autograd::set_anomaly_detection(true); }
  ~AnomalyDetection() { autograd::set_anomaly_detection(false); }
};
}  // namespace

TEST_CASE("anomaly detection stops at the first op, not at the ones after it", "[autograd]") {
  Tensor64 x(xt::xarray<double>{0.5, 2.0}, true);
  {
    // Off (the default): the NaN from log(-0.5) flows silently through exp and the sum.
    Tensor64 loss = reduce_sum(exp(log(x - 1.0)) * 2.0);
    CHECK(std::isnan(loss.item()));
  }
  AnomalyDetection on;
  // On: the forward of 'log' throws, so 'exp', 'mul' and 'reduce_sum' never run.
  REQUIRE_THROWS_WITH(reduce_sum(exp(log(x - 1.0)) * 2.0),
                      Contains("forward of op 'log'") && Contains("NaN (element 0") &&
                          Contains("[2]"));
  // Overflow to Inf is caught as well, in the op that overflows.
  REQUIRE_THROWS_WITH(exp(x * 1000.0), Contains("forward of op 'exp'") && Contains("+Inf (element 1"));
}

TEST_CASE("anomaly detection in a training step: forward and backward", "[autograd]") {
  nn::Sequential model;
  model.add(nn::Dense(3, 2));
  model.add(nn::Sigmoid());
  AnomalyDetection on;
  // A NaN pixel: the first op to produce a non-finite value is the Dense layer's xw_plus_b.
  xt::xarray<float> bad{{1.0f, std::nanf(""), 0.0f}, {0.0f, 1.0f, 2.0f}};
  REQUIRE_THROWS_WITH(model(Tensor(bad)), Contains("forward of op 'xw_plus_b'") &&
                                              Contains("shape [2, 2]"));
  // Finite forward, infinite gradient: sqrt at 0 is named by the backward pass. The ops
  // after it in the forward (mul, reduce_sum) have finite gradients and are not blamed.
  Tensor w(xt::xarray<float>{0.0f, 4.0f}, true);
  Tensor loss = reduce_sum(sqrt(w) * 3.0f);
  REQUIRE(std::isfinite(loss.item()));
  REQUIRE_THROWS_WITH(loss.backward(), Contains("backward of op 'sqrt'") && Contains("+Inf") &&
                                           Contains("shape [2]"));
}

TEST_CASE("gradient placeholders hold no elements and allocate nothing", "[autograd]") {
  // A default-constructed xt::xarray is a 0-D array of one allocated element; the placeholders
  // for gradients not yet computed (leaf grads, node grads, op gradient slots) must not be.
  const auto empty = detail::no_array<float>();
  CHECK(empty.size() == 0);
  CHECK(empty.data() == nullptr);
  const auto copy = empty;
  CHECK(copy.data() == nullptr);
  // zero_grad puts a placeholder back; grad() refuses until the next backward.
  Tensor w(xt::xarray<float>{1.f, 2.f}, true);
  reduce_sum(w * w).backward();
  REQUIRE(w.has_grad());
  w.zero_grad();
  CHECK_FALSE(w.has_grad());
  CHECK_THROWS_AS(w.grad(), std::logic_error);
  reduce_sum(w * w).backward();
  CHECK(test::all_close(w.grad(), xt::xarray<float>{2.f, 4.f}));
}

TEST_CASE("mutable_grad: a leaf's gradient to write into, which backward then adds to", "[autograd]") {
  Tensor w(xt::xarray<float>{1.0f, 2.0f}, /*requires_grad=*/true);
  REQUIRE_FALSE(w.has_grad());
  xt::xarray<float>& g = w.mutable_grad();
  REQUIRE(w.has_grad());
  REQUIRE(g.shape() == w.value().shape());
  g = xt::xarray<float>{10.0f, 20.0f};
  REQUIRE(w.grad()(1) == 20.0f);
  reduce_sum(w * 3.0).backward();  // adds 3 to each element
  REQUIRE(w.grad()(0) == 13.0f);
  REQUIRE(w.grad()(1) == 23.0f);
  REQUIRE(&w.mutable_grad() == &w.grad());  // the same array once it exists
}
