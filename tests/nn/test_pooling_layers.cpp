// nn::MaxPool2D, nn::AvgPool2D, nn::GlobalAveragePooling2D: the pooling ops as layers.
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {
// [1, 4, 4, 1] holding 0..15 row by row.
Tensor ramp() {
  xt::xarray<float> a = xt::arange<float>(16.0f);
  a.reshape({1, 4, 4, 1});
  return Tensor(a, true);
}
}  // namespace

TEST_CASE("MaxPool2D / AvgPool2D: Keras defaults (stride = window, Valid), hand values",
          "[nn][pooling]") {
  nn::MaxPool2D max_pool;  // 2x2, stride 2
  CHECK(max_pool.pool_size() == std::array<std::size_t, 2>{2, 2});
  CHECK(max_pool.strides() == std::array<std::size_t, 2>{2, 2});
  CHECK(max_pool.padding() == Padding::Valid);
  Tensor x = ramp();
  Tensor y = max_pool(x);
  REQUIRE(y.shape() == Shape{1, 2, 2, 1});
  // Windows {0,1,4,5} {2,3,6,7} {8,9,12,13} {10,11,14,15}.
  CHECK(y.value()(0, 0, 0, 0) == 5.0f);
  CHECK(y.value()(0, 0, 1, 0) == 7.0f);
  CHECK(y.value()(0, 1, 0, 0) == 13.0f);
  CHECK(y.value()(0, 1, 1, 0) == 15.0f);
  reduce_sum(y).backward();
  CHECK(x.grad()(0, 1, 1, 0) == 1.0f);  // 5 is at (1, 1)
  CHECK(x.grad()(0, 0, 0, 0) == 0.0f);

  nn::AvgPool2D avg_pool(2);
  Tensor a = avg_pool(ramp());
  CHECK(a.value()(0, 0, 0, 0) == Approx(2.5f));   // (0 + 1 + 4 + 5) / 4
  CHECK(a.value()(0, 1, 1, 0) == Approx(12.5f));  // (10 + 11 + 14 + 15) / 4

  // 3x3 window, stride 1, Same: the corner averages its 4 real neighbours only (TF).
  nn::AvgPool2D same(3, 1, Padding::Same);
  Tensor s = same(ramp());
  REQUIRE(s.shape() == Shape{1, 4, 4, 1});
  CHECK(s.value()(0, 0, 0, 0) == Approx(2.5f));
  nn::MaxPool2D overlapping(nn::Pool2DOptions().pool_size(3).strides(1).padding(Padding::Valid));
  CHECK(overlapping(ramp()).shape() == Shape{1, 2, 2, 1});
}

TEST_CASE("GlobalAveragePooling2D: [N, H, W, C] -> [N, C], the mean over H and W",
          "[nn][pooling]") {
  nn::GlobalAveragePooling2D gap;
  xt::xarray<float> v = xt::arange<float>(2 * 2 * 3 * 2);
  v.reshape({2, 2, 3, 2});
  Tensor x(v, true);
  Tensor y = gap(x);
  REQUIRE(y.shape() == Shape{2, 2});
  // Sample 0, channel 0: even numbers 0..10, mean 5; channel 1: 1..11 odd, mean 6.
  CHECK(y.value()(0, 0) == Approx(5.0f));
  CHECK(y.value()(0, 1) == Approx(6.0f));
  CHECK(y.value()(1, 0) == Approx(17.0f));
  reduce_sum(y).backward();
  CHECK(x.grad()(1, 1, 2, 1) == Approx(1.0f / 6.0f));
}

TEST_CASE("pooling layers: clear errors naming the layer and the shape", "[nn][pooling]") {
  auto seq = std::make_shared<nn::Sequential>();
  seq->add(nn::MaxPool2D());
  try {
    (*seq)(Tensor::ones({4, 4}));
    FAIL("a rank-2 input did not throw");
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    CHECK(msg.find("MaxPool2D '0'") != std::string::npos);
    CHECK(msg.find("[4, 4]") != std::string::npos);
  }
  CHECK_THROWS_AS(nn::GlobalAveragePooling2D()(Tensor::ones({1, 2, 2})), std::invalid_argument);
  CHECK_THROWS_AS(nn::AvgPool2D()(Tensor::ones({2})), std::invalid_argument);
  CHECK_THROWS_AS(nn::MaxPool2D(0), std::invalid_argument);
  CHECK(nn::MaxPool2D().count_parameters().total() == 0);
}
