// nn::Conv2D: names, HWIO shapes, forward equals conv2d + bias, Keras fans.
#include <cmath>
#include <xgrad/nn/conv2d.hpp>
#include <xgrad/nn/nn.hpp>
#include <xtensor/xmath.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

TEST_CASE("Conv2D: Keras names, HWIO kernel, Glorot limit with receptive field", "[nn][conv]") {
  nn::Conv2D c(3, 8, 3, 2, Padding::Same);
  auto np = c.named_parameters();
  REQUIRE(np.size() == 2);
  CHECK(np[0].first == "kernel");
  CHECK(np[0].second.shape() == Shape{3, 3, 3, 8});
  CHECK(np[1].first == "bias");
  CHECK(np[1].second.shape() == Shape{8});
  CHECK(xt::amax(xt::abs(c.kernel().value()))() <= std::sqrt(6.0 / (27 + 72)));
  nn::Conv2D nb(3, 8, 3, 1, Padding::Valid, false);
  CHECK(nb.named_parameters().size() == 1);
  CHECK_THROWS_AS(nn::Conv2D(3, 8, 0), std::invalid_argument);
}

TEST_CASE("Conv2D: forward equals conv2d + bias, SAME and VALID sizes", "[nn][conv]") {
  std::mt19937_64 rng(1);
  nn::Conv2D c(2, 4, 3, 2, Padding::Same, true, rng);
  nn::set_weights(c.bias(), {0.5f, -0.5f, 1.0f, 2.0f});
  Tensor x(test::random_array<float>({2, 5, 5, 2}, 3));
  Tensor y = c(x);
  CHECK(y.shape() == Shape{2, 3, 3, 4});
  Tensor want = conv2d(x, c.kernel(), {2, 2}, Padding::Same) + c.bias();
  CHECK(test::all_close(y.value(), want.value(), 1e-6));
  nn::Conv2D v(2, 4, 3, 1, Padding::Valid, true, rng);
  CHECK(v(x).shape() == Shape{2, 3, 3, 4});
  CHECK_THROWS_AS(c(Tensor::ones({2, 5, 5, 3})), std::invalid_argument);
  CHECK_THROWS_AS(c(Tensor::ones({5, 5, 2})), std::invalid_argument);
}

TEST_CASE("Conv2D + BatchNorm (NHWC) + Flatten + Dense trains one step", "[nn][conv]") {
  nn::manual_seed(4);
  nn::Sequential m;
  m.add(nn::Conv2D(1, 4, 3, 1, Padding::Same, false));
  m.add(nn::BatchNorm(nn::BatchNormOptions(4)));
  m.add(nn::ReLU());
  m.add(nn::Flatten());
  m.add(nn::Dense(4 * 4 * 4, 2));
  Tensor x(test::random_array<float>({3, 4, 4, 1}, 5));
  optim::SGD opt(m.parameters(), 0.1f);
  Tensor out = m(x);
  CHECK(out.shape() == Shape{3, 2});
  reduce_sum(out * Tensor(test::random_array<float>({3, 2}, 6))).backward();
  auto before = m.parameter("0.kernel").value();
  opt.step();
  CHECK_FALSE((m.parameter("0.kernel").value() == before));
  CHECK(m.buffer("1.moving_mean").value()(0) != 0.0f);
}
