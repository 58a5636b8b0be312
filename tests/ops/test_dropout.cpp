// dropout as tf.nn.dropout: inverted scaling, a seeded mask, the gradient through the mask.
#include <cmath>

#include "support/force_threads.hpp"
#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

constexpr std::size_t kN = 200000;

Tensor64 ones_input(std::size_t n) { return Tensor64::ones({n}, /*requires_grad=*/true); }

}  // namespace

TEST_CASE("dropout: kept fraction within statistical bounds, kept values scaled by 1/(1-rate)",
          "[ops][dropout]") {
  for (double rate : {0.1, 0.5, 0.9}) {
    INFO("rate " << rate);
    auto x = ones_input(kN);
    auto y = dropout(x, rate, 1234);
    const double scale = 1.0 / (1.0 - rate);
    std::size_t kept = 0;
    for (double v : y.value()) {
      if (v != 0.0) {
        ++kept;
        REQUIRE(v == scale);
      }
    }
    // Binomial(kN, 1 - rate): 5 standard deviations either side (fails by chance ~1e-6).
    const double p = 1.0 - rate;
    const double sd = std::sqrt(kN * p * (1 - p));
    CHECK(std::abs(double(kept) - kN * p) < 5 * sd);
    // The mean is preserved in expectation.
    CHECK(std::abs(xt::mean(y.value())() - 1.0) < 5 * sd * scale / kN);
  }
}

TEST_CASE("dropout: float32 scales by 1/(1-rate) too", "[ops][dropout]") {
  Tensor x = Tensor::full({1000}, 2.0f);
  auto y = dropout(x, 0.25, 9);
  std::size_t kept = 0;
  for (float v : y.value()) {
    if (v != 0.0f) {
      ++kept;
      REQUIRE(v == 2.0f / 0.75f);
    }
  }
  CHECK(kept > 600);
  CHECK(kept < 900);
}

TEST_CASE("dropout: same seed same mask, another seed another mask, any thread count",
          "[ops][dropout]") {
  auto x = test::random_tensor<double>({kN}, 3);
  auto a = dropout(x, 0.5, 77);
  auto b = dropout(x, 0.5, 77);
  auto c = dropout(x, 0.5, 78);
  CHECK((a.value() == b.value()));
  CHECK_FALSE((a.value() == c.value()));
  xt::xarray<double> serial;
  {
    test::ForceThreads one(1);
    serial = dropout(x, 0.5, 77).value();
  }
  xt::xarray<double> parallel;
  {
    test::ForceThreads two(2);
    parallel = dropout(x, 0.5, 77).value();
  }
  CHECK((serial == a.value()));
  CHECK((parallel == a.value()));
}

TEST_CASE("dropout: the gradient is the scaled mask, zero exactly where the output was dropped",
          "[ops][dropout]") {
  auto x = test::random_tensor<double>({50000}, 5, 0.5, 2.0);  // nonzero, so y == 0 means dropped
  auto y = dropout(x, 0.3, 11);
  auto upstream = test::random_array<double>({50000}, 6, 0.5, 2.0);
  y.backward(upstream);
  const auto& g = x.grad();
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (y.value()(i) == 0.0) {
      ++dropped;
      REQUIRE(g(i) == 0.0);
    } else {
      REQUIRE(g(i) == Approx(upstream(i) / 0.7).epsilon(1e-14));
    }
  }
  CHECK(dropped > 0);
  REQUIRE_GRADCHECK([](const std::vector<Tensor64>& in) { return dropout(in[0], 0.3, 11); },
                    std::vector<Tensor64>{test::random_tensor<double>({4, 6}, 8)});
}

TEST_CASE("dropout: rate 0 is the identity", "[ops][dropout]") {
  auto x = test::random_tensor<double>({3, 4}, 1);
  auto y = dropout(x, 0.0, 1);
  CHECK((y.value() == x.value()));
}
