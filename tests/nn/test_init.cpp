// Initializers and set_weights.
#include <cmath>
#include <xgrad/nn/nn.hpp>
#include <xtensor/xmath.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {
double mean_of(const xt::xarray<float>& a) {
  double s = 0;
  for (float v : a) s += v;
  return s / double(a.size());
}
double std_of(const xt::xarray<float>& a) {
  double m = mean_of(a), s = 0;
  for (float v : a) s += (v - m) * (v - m);
  return std::sqrt(s / double(a.size()));
}
}  // namespace

TEST_CASE("init: Keras fans", "[nn][init]") {
  auto f = nn::compute_fans({784, 100});
  CHECK(f.fan_in == 784);
  CHECK(f.fan_out == 100);
  auto c = nn::compute_fans({3, 3, 8, 16});  // HWIO: receptive field included
  CHECK(c.fan_in == 72);
  CHECK(c.fan_out == 144);
  CHECK(nn::compute_fans({5}).fan_in == 5);
}

TEST_CASE("init: glorot_uniform limit and seeding", "[nn][init]") {
  auto a = nn::init::glorot_uniform({200, 100}, std::uint64_t(7));
  const double limit = std::sqrt(6.0 / 300.0);
  CHECK(xt::amax(xt::abs(a))() <= limit);
  CHECK(xt::amax(a)() > 0.95 * limit);
  CHECK(std_of(a) == Approx(limit / std::sqrt(3.0)).epsilon(0.03));
  auto b = nn::init::glorot_uniform({200, 100}, std::uint64_t(7));
  CHECK((a == b));
  std::mt19937_64 rng(7);
  CHECK((nn::init::glorot_uniform({200, 100}, rng) == a));
  CHECK_FALSE((nn::init::glorot_uniform({200, 100}, rng) == a));  // engine advanced
  auto conv = nn::init::glorot_uniform({3, 3, 8, 16}, std::uint64_t(1));
  CHECK(xt::amax(xt::abs(conv))() <= std::sqrt(6.0 / (72 + 144)));
}

TEST_CASE("init: normal, truncated_normal, he_normal", "[nn][init]") {
  auto n = nn::init::normal({100000}, 1.0, 2.0, std::uint64_t(3));
  CHECK(mean_of(n) == Approx(1.0).margin(0.03));
  CHECK(std_of(n) == Approx(2.0).epsilon(0.02));
  auto t = nn::init::truncated_normal({100000}, 0.05, std::uint64_t(3));
  CHECK(xt::amax(xt::abs(t))() <= 0.1 + 1e-7);  // redrawn beyond 2 std
  CHECK(std_of(t) == Approx(0.05 * 0.8796).epsilon(0.02));
  auto h = nn::init::he_normal({1000, 200}, std::uint64_t(3));
  CHECK(std_of(h) == Approx(std::sqrt(2.0 / 1000)).epsilon(0.02));
  CHECK((nn::init::zeros({2, 2}) == xt::xarray<float>{{0, 0}, {0, 0}}));
  CHECK((nn::init::ones({2}) == xt::xarray<float>{1, 1}));
  CHECK_THROWS_AS(nn::init::normal({2}, 0.0, -1.0, std::uint64_t(1)), std::invalid_argument);
}

TEST_CASE("init: manual_seed makes layers reproducible", "[nn][init]") {
  nn::manual_seed(42);
  nn::Dense a(4, 3);
  nn::manual_seed(42);
  nn::Dense b(4, 3);
  CHECK((a.kernel().value() == b.kernel().value()));
}

TEST_CASE("set_weights copies in place and checks the shape", "[nn][init]") {
  nn::Dense d(2, 3);
  Tensor alias = d.kernel();
  const float* before = d.kernel().value().data();
  xt::xarray<float> w = {{1, 2, 3}, {4, 5, 6}};
  nn::set_weights(d.kernel(), w, "kernel");
  CHECK((alias.value() == w));
  CHECK(d.kernel().value().data() == before);  // same storage, not rebound
  CHECK_THROWS_AS(nn::set_weights(d.kernel(), xt::xarray<float>{{1, 2}, {3, 4}}),
                  std::invalid_argument);
}
