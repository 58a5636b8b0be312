// nn::Dropout under a parent's train()/eval(), and the new activation modules.
#include <cmath>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {
std::shared_ptr<nn::Sequential> parent_with_dropout(float rate, std::uint64_t seed) {
  auto m = std::make_shared<nn::Sequential>();
  m->add(nn::Dense(4, 4));
  m->add(nn::BatchNorm(4));
  m->add(nn::Dropout(rate, seed));
  return m;
}
}  // namespace

TEST_CASE("Dropout: identity in eval mode (bitwise), set through the parent", "[nn][dropout]") {
  auto m = parent_with_dropout(0.5f, 7);
  auto drop = m->at<nn::Dropout>(2);
  m->eval();
  CHECK_FALSE(drop->is_training());
  Tensor x(test::random_array<float>({8, 4}, 3), true);
  Tensor y = (*drop)(x);
  CHECK(y.is_same(x));  // the input itself
  CHECK(drop->calls() == 0);    // eval calls draw no mask
  // And the whole parent: eval-mode BN and dropout, two runs bit-identical.
  CHECK((m->forward(x).value() == m->forward(x).value()));
}

TEST_CASE("Dropout: training mode under the parent drops about rate, scales by 1/(1-rate)",
          "[nn][dropout]") {
  auto m = parent_with_dropout(0.3f, 11);
  m->eval();
  m->train();  // back to training through the parent
  auto drop = m->at<nn::Dropout>(2);
  REQUIRE(drop->is_training());
  const std::size_t n = 200000;
  Tensor x(test::random_array<float>({n}, 5, 0.5, 1.5), true);
  Tensor y = (*drop)(x);
  std::size_t kept = 0;
  const float scale = 1.0f / (1.0f - 0.3f);
  for (std::size_t i = 0; i < n; ++i) {
    const float v = y.value()(i);
    if (v != 0.0f) {
      ++kept;
      REQUIRE(v == x.value()(i) * scale);
    }
  }
  // Binomial(n, 0.7): standard deviation sqrt(n 0.7 0.3) = 205; accept 5 of them.
  CHECK(std::abs(double(kept) - 0.7 * n) < 5 * std::sqrt(n * 0.7 * 0.3));
  // The gradient is zero exactly where the output was dropped, the scale elsewhere.
  reduce_sum(y).backward();
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE(x.grad()(i) == (y.value()(i) == 0.0f ? 0.0f : scale));
  }
}

TEST_CASE("Dropout: a new mask each call, the same seed gives the same masks", "[nn][dropout]") {
  nn::Dropout a(0.5f, 42), b(0.5f, 42), c(0.5f, 43);
  Tensor x = Tensor::ones({1000});
  auto y1 = a(x).value();
  auto y2 = a(x).value();
  CHECK(a.calls() == 2);
  CHECK_FALSE((y1 == y2));  // a new mask on the second call
  CHECK((b(x).value() == y1));
  CHECK((b(x).value() == y2));
  CHECK_FALSE((c(x).value() == y1));
  // set_calls replays the sequence (for resuming a run).
  a.set_calls(1);
  CHECK((a(x).value() == y2));
  // rate 0: identity even in training.
  nn::Dropout none(0.0f);
  CHECK(none(x).is_same(x));
  CHECK_THROWS_AS(nn::Dropout(1.0f), std::invalid_argument);
  CHECK_THROWS_AS(nn::Dropout(-0.1f), std::invalid_argument);
  CHECK_THROWS_AS(nn::Dropout(std::nanf("")), std::invalid_argument);
}

TEST_CASE("activation modules: LeakyReLU, ELU, Softplus, GELU by hand", "[nn][activations]") {
  Tensor x(xt::xarray<float>{-2.0f, 0.0f, 1.5f});
  nn::LeakyReLU leaky;
  CHECK(leaky.alpha() == 0.3);  // Keras' layer default
  auto l = leaky(x).value();
  CHECK(l(0) == Approx(-0.6f));
  CHECK(l(2) == 1.5f);
  CHECK(nn::LeakyReLU(0.1)(x).value()(0) == Approx(-0.2f));
  CHECK_THROWS_AS(nn::LeakyReLU(std::nan("")), std::invalid_argument);
  auto e = nn::ELU()(x).value();
  CHECK(e(0) == Approx(std::exp(-2.0) - 1));
  CHECK(e(2) == 1.5f);
  auto s = nn::Softplus()(x).value();
  CHECK(s(1) == Approx(std::log(2.0)));
  CHECK(s(2) == Approx(std::log1p(std::exp(1.5))));
  auto g = nn::GELU()(x).value();
  CHECK(g(2) == Approx(0.5 * 1.5 * (1 + std::erf(1.5 / std::sqrt(2.0)))));
  nn::GELU tanh_form(true);
  CHECK(tanh_form.approximate());
  const double c = std::sqrt(2 / 3.14159265358979);
  CHECK(tanh_form(x).value()(0) ==
        Approx(0.5 * -2.0 * (1 + std::tanh(c * (-2.0 + 0.044715 * -8.0)))));
  CHECK(nn::GELU().name() == "GELU");
}
