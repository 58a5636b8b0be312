// nn::LayerNormalization: Keras defaults, a hand computation, float64 gradcheck, errors.
#include <cmath>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

TEST_CASE("LayerNormalization: Keras names and defaults", "[nn][layer_norm]") {
  nn::LayerNormalization ln(4);
  CHECK(ln.options().eps() == 1e-3f);
  REQUIRE(ln.named_parameters().size() == 2);
  CHECK(ln.named_parameters()[0].first == "gamma");
  CHECK(ln.named_parameters()[1].first == "beta");
  CHECK((ln.gamma().value() == xt::ones<float>({4})));
  CHECK((ln.beta().value() == xt::zeros<float>({4})));
  CHECK(ln.named_buffers().empty());
  nn::LayerNormalizationOptions o(4);
  o.center(false);
  CHECK(nn::LayerNormalization(o).named_parameters().size() == 1);
}

TEST_CASE("LayerNormalization: each row over the last axis, by hand", "[nn][layer_norm]") {
  nn::LayerNormalization ln(4);
  ln.gamma().value() = xt::xarray<float>{1.0f, 2.0f, 1.0f, 0.5f};
  ln.beta().value() = xt::xarray<float>{0.0f, 0.0f, 1.0f, 0.0f};
  // Row {1, 2, 3, 4}: mean 2.5, biased variance 1.25. Row {2, 2, 2, 2}: variance 0.
  Tensor x(xt::xarray<float>{{1, 2, 3, 4}, {2, 2, 2, 2}});
  Tensor y = ln(x);
  const double sd = std::sqrt(1.25 + 1e-3);
  CHECK(y.value()(0, 0) == Approx(-1.5 / sd));
  CHECK(y.value()(0, 1) == Approx(2 * -0.5 / sd));
  CHECK(y.value()(0, 2) == Approx(0.5 / sd + 1));
  CHECK(y.value()(0, 3) == Approx(0.5 * 1.5 / sd));
  CHECK(y.value()(1, 2) == Approx(1.0f));  // beta only
  // The same in eval mode (no moving statistics), and over a rank-3 input per position.
  ln.eval();
  CHECK((ln(x).value() == y.value()));
  Tensor x3(xt::xarray<float>{{{1, 2, 3, 4}}, {{2, 2, 2, 2}}});
  CHECK(test::all_close(ln(x3).value(), xt::reshape_view(y.value(), {2, 1, 4}), 1e-6));
}

TEST_CASE("LayerNormalization: float64 gradcheck of the layer's computation", "[nn][layer_norm]") {
  auto x = test::random_tensor<double>({3, 5}, 1);
  auto gamma = test::random_tensor<double>({5}, 2, 0.5, 1.5);
  auto beta = test::random_tensor<double>({5}, 3);
  REQUIRE_GRADCHECK(
      [](const std::vector<Tensor64>& in) {
        return nn::layer_normalization(in[0], in[1], in[2], 1e-3);
      },
      (std::vector<Tensor64>{x, gamma, beta}));
  auto x4 = test::random_tensor<double>({2, 2, 2, 3}, 4);
  REQUIRE_GRADCHECK(
      [](const std::vector<Tensor64>& in) {
        return nn::layer_normalization(in[0], Tensor64(), Tensor64(), 1e-3);
      },
      (std::vector<Tensor64>{x4}));
  // float32 agrees with float64.
  nn::LayerNormalization ln(5);
  Tensor x32(xt::cast<float>(x.value()));
  auto y64 = nn::layer_normalization(x, Tensor64(), Tensor64(), 1e-3);
  CHECK(test::all_close(ln(x32).value(), y64.value(), 1e-5));
}

TEST_CASE("LayerNormalization: errors name the layer and the shape", "[nn][layer_norm]") {
  auto seq = std::make_shared<nn::Sequential>();
  seq->add(nn::LayerNormalization(4));
  try {
    (*seq)(Tensor::ones({2, 3}));
    FAIL("a mismatched feature count did not throw");
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    CHECK(msg.find("LayerNormalization '0'") != std::string::npos);
    CHECK(msg.find("[2, 3]") != std::string::npos);
  }
  CHECK_THROWS_AS(nn::LayerNormalization(0), std::invalid_argument);
  nn::LayerNormalizationOptions o(3);
  o.eps(0.0f);
  CHECK_THROWS_AS(nn::LayerNormalization{o}, std::invalid_argument);
  CHECK_THROWS_AS(nn::layer_normalization(Tensor64::scalar(1.0), Tensor64(), Tensor64(), 1e-3),
                  std::invalid_argument);
}
