// nn::BatchNorm: Keras semantics (the Stack Overflow thread "How could I use batch normalization in TensorFlow?"), decay convention, biased variance, in-place
// buffers, trainable vs training.
#include <cmath>
#include <cstring>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

xt::xarray<float> copy_of(const Tensor& t) { return t.value(); }

bool bit_identical(const xt::xarray<float>& a, const xt::xarray<float>& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Per-channel mean and biased variance of a [rows, C] view of x (channels last), in double.
void hand_moments(const xt::xarray<float>& x, std::size_t c, std::vector<double>& mean,
                  std::vector<double>& var) {
  const std::size_t rows = x.size() / c;
  mean.assign(c, 0.0);
  var.assign(c, 0.0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < c; ++k) mean[k] += x.data()[r * c + k];
  for (auto& m : mean) m /= double(rows);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < c; ++k) {
      double d = x.data()[r * c + k] - mean[k];
      var[k] += d * d;
    }
  for (auto& v : var) v /= double(rows);  // biased, like tf.nn.moments
}

}  // namespace

TEST_CASE("BatchNorm: registered names and initial values are frozen", "[nn][bn]") {
  nn::BatchNorm bn(nn::BatchNormOptions(3));
  auto np = bn.named_parameters();
  auto nb = bn.named_buffers();
  REQUIRE(np.size() == 2);
  CHECK(np[0].first == "gamma");
  CHECK(np[1].first == "beta");
  REQUIRE(nb.size() == 2);
  CHECK(nb[0].first == "moving_mean");
  CHECK(nb[1].first == "moving_variance");
  CHECK((bn.gamma().value() == xt::xarray<float>{1, 1, 1}));
  CHECK((bn.beta().value() == xt::xarray<float>{0, 0, 0}));
  CHECK((bn.moving_mean().value() == xt::xarray<float>{0, 0, 0}));
  CHECK((bn.moving_variance().value() == xt::xarray<float>{1, 1, 1}));
  CHECK(bn.options().decay() == 0.99f);
  CHECK(bn.options().eps() == 1e-3f);
  CHECK(bn.options().axis() == -1);

  nn::BatchNorm plain(nn::BatchNormOptions(2).center(false).scale(false));
  CHECK(plain.named_parameters().empty());
  CHECK(plain.named_buffers().size() == 2);
  nn::BatchNorm only_beta(nn::BatchNormOptions(2).scale(false));
  REQUIRE(only_beta.named_parameters().size() == 1);
  CHECK(only_beta.named_parameters()[0].first == "beta");
}

TEST_CASE("BatchNorm: bad options and inputs throw", "[nn][bn]") {
  CHECK_THROWS_AS(nn::BatchNorm(nn::BatchNormOptions(0)), std::invalid_argument);
  CHECK_THROWS_AS(nn::BatchNorm(nn::BatchNormOptions(2).decay(1.5f)), std::invalid_argument);
  CHECK_THROWS_AS(nn::BatchNorm(nn::BatchNormOptions(2).eps(0.0f)), std::invalid_argument);
  nn::BatchNorm bn(nn::BatchNormOptions(3));
  CHECK_THROWS_AS(bn(Tensor::ones({4, 2})), std::invalid_argument);
  nn::BatchNorm bad_axis(nn::BatchNormOptions(3).axis(4));
  CHECK_THROWS_AS(bad_axis(Tensor::ones({4, 3})), std::invalid_argument);
}

TEST_CASE("BatchNorm as in the Stack Overflow thread: [[3],[4]] in training, no center/scale", "[nn][bn][bn-thread]") {
  nn::BatchNorm bn(nn::BatchNormOptions(1).center(false).scale(false));
  xt::xarray<float> x = {3.f, 4.f};
  x.reshape({2, 1});
  Tensor y = bn(Tensor(x));
  REQUIRE(y.shape() == Shape{2, 1});
  CHECK(y.value()(0, 0) == Approx(-0.998006).margin(1e-5));
  CHECK(y.value()(1, 0) == Approx(0.998006).margin(1e-5));
}

TEST_CASE("BatchNorm as in the Stack Overflow thread: [[3,4]] normalises each feature over one sample", "[nn][bn][bn-thread]") {
  nn::BatchNorm bn(nn::BatchNormOptions(2).center(false).scale(false));
  Tensor y = bn(Tensor(xt::xarray<float>{{3, 4}}));
  // TensorFlow prints exactly 0, and so must we: x - mean is exactly 0.
  REQUIRE(y.shape() == Shape{1, 2});
  CHECK(y.value()(0, 0) == 0.0f);
  CHECK(y.value()(0, 1) == 0.0f);
}

TEST_CASE("BatchNorm as in the Stack Overflow thread: axis=0 on [[3,4]]", "[nn][bn][bn-thread]") {
  nn::BatchNorm bn(nn::BatchNormOptions(1).axis(0).center(false).scale(false));
  Tensor y = bn(Tensor(xt::xarray<float>{{3, 4}}));
  REQUIRE(y.shape() == Shape{1, 2});
  CHECK(y.value()(0, 0) == Approx(-0.998006).margin(1e-5));
  CHECK(y.value()(0, 1) == Approx(0.998006).margin(1e-5));
  // moving stats of the single feature: 0.99 * 0 + 0.01 * 3.5, 0.99 * 1 + 0.01 * 0.25
  CHECK(bn.moving_mean().value()(0) == Approx(0.035f));
  CHECK(bn.moving_variance().value()(0) == Approx(0.9925f));
}

TEST_CASE("BatchNorm: axis=1 on NCHW-like input equals the channels-last computation", "[nn][bn]") {
  auto x = test::random_array<float>({2, 3, 4}, 21);
  nn::BatchNorm first(nn::BatchNormOptions(3).axis(1));
  nn::set_weights(first.gamma(), {1.5f, -0.5f, 2});
  nn::set_weights(first.beta(), {0.1f, 0.2f, 0.3f});
  Tensor y = first(Tensor(x));
  // Same numbers with the channel axis moved last.
  xt::xarray<float> xt_ = xt::transpose(x, {0, 2, 1});
  nn::BatchNorm last(nn::BatchNormOptions(3));
  nn::set_weights(last.gamma(), {1.5f, -0.5f, 2});
  nn::set_weights(last.beta(), {0.1f, 0.2f, 0.3f});
  xt::xarray<float> y_last = last(Tensor(xt_)).value();
  xt::xarray<float> back = xt::transpose(y_last, {0, 2, 1});
  CHECK(test::all_close(y.value(), back, 1e-5));
  CHECK(test::all_close(first.moving_mean().value(), last.moving_mean().value(), 1e-6));
  CHECK(test::all_close(first.moving_variance().value(), last.moving_variance().value(), 1e-6));
  first.eval();
  last.eval();
  xt::xarray<float> e_last = last(Tensor(xt_)).value();
  xt::xarray<float> e_back = xt::transpose(e_last, {0, 2, 1});
  CHECK(test::all_close(first(Tensor(x)).value(), e_back, 1e-5));
}

TEST_CASE("BatchNorm: module equals moments + batch_normalization by hand", "[nn][bn]") {
  SECTION("2-D [N, F]") {
    nn::BatchNorm bn(nn::BatchNormOptions(4).eps(1e-3f));
    nn::set_weights(bn.gamma(), test::random_array<float>({4}, 1, 0.5, 2.0));
    nn::set_weights(bn.beta(), test::random_array<float>({4}, 2));
    Tensor x = test::random_tensor<float>({6, 4}, 3, -2, 3);
    Tensor y = bn(x);
    Tensor x2(x.value(), true);
    Tensor gamma(bn.gamma().value(), true), beta(bn.beta().value(), true);
    auto m = moments(x2, {0});
    Tensor want = batch_normalization(x2, m.mean, m.variance, beta, gamma, 1e-3);
    CHECK(test::all_close(y.value(), want.value(), 1e-6));
    // And the gradients agree, with a random (not all-ones) upstream.
    xt::xarray<float> up = test::random_array<float>({6, 4}, 4);
    y.backward(up);
    want.backward(up);
    CHECK(test::all_close(x.grad(), x2.grad(), 1e-5));
    CHECK(test::all_close(bn.gamma().grad(), gamma.grad(), 1e-5));
    CHECK(test::all_close(bn.beta().grad(), beta.grad(), 1e-5));
  }
  SECTION("NHWC [N, H, W, C]") {
    nn::BatchNorm bn(nn::BatchNormOptions(3));
    nn::set_weights(bn.gamma(), {0.5f, 1.0f, 2.0f});
    nn::set_weights(bn.beta(), {-1.0f, 0.0f, 1.0f});
    Tensor x = test::random_tensor<float>({2, 3, 3, 3}, 5, -1, 4, false);
    Tensor y = bn(x);
    auto m = moments(x, {0, 1, 2});
    Tensor want = batch_normalization(x, m.mean, m.variance, bn.beta(), bn.gamma(), 1e-3);
    CHECK(test::all_close(y.value(), want.value(), 1e-6));
    // Independent check against a loop.
    std::vector<double> mean, var;
    hand_moments(x.value(), 3, mean, var);
    const float g[3] = {0.5f, 1.0f, 2.0f}, b[3] = {-1.0f, 0.0f, 1.0f};
    for (std::size_t i = 0; i < x.size(); ++i) {
      std::size_t k = i % 3;
      double expect = (x.value().data()[i] - mean[k]) / std::sqrt(var[k] + 1e-3) * g[k] + b[k];
      CHECK(y.value().data()[i] == Approx(expect).margin(1e-5));
    }
    for (std::size_t k = 0; k < 3; ++k) {
      CHECK(bn.moving_mean().value()(k) == Approx(0.01 * mean[k]).margin(1e-6));
      CHECK(bn.moving_variance().value()(k) == Approx(0.99 + 0.01 * var[k]).margin(1e-6));
    }
  }
}

TEST_CASE("BatchNorm: running stats after three training steps (biased var, decay)", "[nn][bn]") {
  const float decay = 0.9f;
  nn::BatchNorm bn(nn::BatchNormOptions(3).decay(decay));
  Tensor mm_handle = bn.moving_mean();  // a handle taken before training sees the updates
  const float* storage = bn.moving_mean().value().data();
  std::vector<double> rm(3, 0.0), rv(3, 1.0);
  for (int step = 0; step < 3; ++step) {
    auto x = test::random_array<float>({5, 3}, 100 + step, -3, 5);
    bn(Tensor(x));
    std::vector<double> mean, var;
    hand_moments(x, 3, mean, var);
    for (int k = 0; k < 3; ++k) {
      rm[k] = rm[k] * decay + mean[k] * (1 - decay);
      rv[k] = rv[k] * decay + var[k] * (1 - decay);
    }
  }
  for (std::size_t k = 0; k < 3; ++k) {
    CHECK(bn.moving_mean().value()(k) == Approx(rm[k]).margin(1e-5));
    CHECK(bn.moving_variance().value()(k) == Approx(rv[k]).margin(1e-5));
    CHECK((mm_handle.value()(k) == bn.moving_mean().value()(k)));
  }
  CHECK(bn.moving_mean().value().data() == storage);  // updated in place, never rebound
}

TEST_CASE("BatchNorm: eval uses moving stats and leaves buffers bit-identical", "[nn][bn]") {
  nn::BatchNorm bn(nn::BatchNormOptions(2));
  auto x = test::random_array<float>({8, 2}, 9, 1, 6);
  Tensor y_train = bn(Tensor(x));
  bn.eval();
  auto mm = copy_of(bn.moving_mean()), mv = copy_of(bn.moving_variance());
  Tensor y_eval = bn(Tensor(x));
  CHECK(bit_identical(bn.moving_mean().value(), mm));
  CHECK(bit_identical(bn.moving_variance().value(), mv));
  CHECK_FALSE(test::all_close(y_train.value(), y_eval.value(), 1e-3));
  for (std::size_t i = 0; i < 8; ++i)
    for (std::size_t k = 0; k < 2; ++k)
      CHECK(y_eval.value()(i, k) ==
            Approx((x(i, k) - mm(k)) / std::sqrt(mv(k) + 1e-3)).margin(1e-5));
  // Gradients still flow in eval mode (fine-tuning with frozen statistics).
  Tensor xin(x, true);
  bn(xin).backward(test::random_array<float>({8, 2}, 10));
  CHECK(xin.has_grad());
  CHECK(bit_identical(bn.moving_mean().value(), mm));
  bn.train();
  bn(Tensor(x));
  CHECK_FALSE(bit_identical(bn.moving_mean().value(), mm));
}

TEST_CASE("BatchNorm: one value per channel in training gives beta, not NaN", "[nn][bn]") {
  nn::BatchNorm bn(nn::BatchNormOptions(3));
  nn::set_weights(bn.beta(), {0.25f, -1.0f, 3.0f});
  nn::set_weights(bn.gamma(), {2.0f, 2.0f, 2.0f});
  Tensor y = bn(Tensor(xt::xarray<float>{{7, -4, 0.5f}}));
  REQUIRE(y.shape() == Shape{1, 3});
  CHECK(y.value()(0, 0) == 0.25f);  // exactly beta
  CHECK(y.value()(0, 1) == -1.0f);
  CHECK(y.value()(0, 2) == 3.0f);
  for (float v : y.value()) CHECK(std::isfinite(v));
  for (float v : bn.moving_variance().value()) CHECK(std::isfinite(v));
  for (float v : bn.moving_mean().value()) CHECK(std::isfinite(v));
  CHECK(bn.moving_variance().value()(0) == Approx(0.99f));
}

TEST_CASE("BatchNorm: frozen gamma/beta still update moving stats in training", "[nn][bn]") {
  nn::BatchNorm bn(nn::BatchNormOptions(2));
  bn.set_trainable(false);
  CHECK(bn.parameters().empty());
  CHECK(bn.is_training());
  Tensor x(test::random_array<float>({4, 2}, 11, 2, 5), true);
  auto mm = copy_of(bn.moving_mean());
  Tensor y = bn(x);
  y.backward(test::random_array<float>({4, 2}, 12));
  CHECK_FALSE(bn.gamma().has_grad());  // frozen: no gradient
  CHECK_FALSE(bn.beta().has_grad());
  CHECK(x.has_grad());
  CHECK_FALSE(bit_identical(bn.moving_mean().value(), mm));  // but stats still move
  // Only eval freezes the statistics.
  bn.eval();
  auto mm2 = copy_of(bn.moving_mean());
  bn(x);
  CHECK(bit_identical(bn.moving_mean().value(), mm2));
}

TEST_CASE("BatchNorm: decay 1 keeps the buffers (for gradchecks)", "[nn][bn]") {
  nn::BatchNorm bn(nn::BatchNormOptions(2).decay(1.0f));
  bn(Tensor(test::random_array<float>({4, 2}, 13)));
  CHECK((bn.moving_mean().value() == xt::xarray<float>{0, 0}));
  CHECK((bn.moving_variance().value() == xt::xarray<float>{1, 1}));
}

namespace {

// Statistics of a larger batch, as dist::SyncBatchNorm's: here fixed ones.
struct FixedStatistics : BatchNormStatistics<float> {
  std::size_t moments(std::size_t, std::size_t f, const float*, const float*, const float*,
                      float* mean, float* variance) const override {
    for (std::size_t c = 0; c < f; ++c) {
      mean[c] = 2.0f;
      variance[c] = 4.0f;
    }
    return 100;
  }
  void gradient_means(std::size_t, std::size_t f, const float*, const float*, float* mean_g,
                      float* k) const override {
    for (std::size_t c = 0; c < f; ++c) mean_g[c] = k[c] = 0.0f;
  }
};

class FixedBatchNorm : public nn::BatchNorm {
public:
  explicit FixedBatchNorm(const nn::BatchNormOptions& options)
      : nn::BatchNorm("FixedBatchNorm", options, std::make_shared<FixedStatistics>()) {}
};

}  // namespace

TEST_CASE("BatchNorm: a subclass's statistics source feeds training and the moving averages",
          "[nn][bn]") {
  FixedBatchNorm bn(nn::BatchNormOptions(2).decay(0.5f).eps(1e-3f));
  const xt::xarray<float> x{{1.0f, 5.0f}, {3.0f, -1.0f}};
  const Tensor y = bn(Tensor(x));
  const xt::xarray<float> want = (x - 2.0f) / std::sqrt(4.0f + 1e-3f);
  CHECK(test::all_close(y.value(), want, 1e-6));
  // moving = moving * decay + batch * (1 - decay), from the source's statistics.
  CHECK(bool(bn.moving_mean().value() == xt::xarray<float>{1.0f, 1.0f}));
  CHECK(bool(bn.moving_variance().value() == xt::xarray<float>{2.5f, 2.5f}));
  // This process's part of the batch may be empty; the averages move all the same.
  CHECK(bn(Tensor(xt::xarray<float>::from_shape({0, 2}))).shape() == Shape{0, 2});
  CHECK(bool(bn.moving_mean().value() == xt::xarray<float>{1.5f, 1.5f}));
  // Eval: the moving statistics, as nn::BatchNorm.
  bn.eval();
  CHECK(test::all_close(bn(Tensor(x)).value(),
                        xt::xarray<float>((x - 1.5f) / std::sqrt(3.25f + 1e-3f)), 1e-6));
  REQUIRE_THROWS_WITH(FixedBatchNorm(nn::BatchNormOptions(2).axis(0)),
                      "FixedBatchNorm: the feature axis must be the last (axis -1), got 0");
  REQUIRE_THROWS_WITH(FixedBatchNorm(nn::BatchNormOptions(0)),
                      "FixedBatchNorm: features must be positive");
}
