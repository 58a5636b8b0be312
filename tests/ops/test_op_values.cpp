// Hand-computed values for TensorFlow semantics, numerical stability, and a planted wrong
// backward that gradcheck must catch.
#include <cmath>

#include "support/test_utils.hpp"

using namespace xgrad;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

template <class A>
bool all_finite(const A& a) {
  for (auto v : a) {
    if (!std::isfinite(double(v))) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("softmax cross-entropy: labels [0,1,0], logits [1,2,3]", "[ops][values]") {
  Tensor64 labels(xt::xarray<double>{0, 1, 0});
  Tensor64 logits(xt::xarray<double>{1, 2, 3}, true);
  auto loss = softmax_cross_entropy_with_logits(labels, logits);
  REQUIRE(loss.shape().empty());
  // log(e + e^2 + e^3) - 2
  REQUIRE_THAT(loss.item(), WithinAbs(1.4076059644443801, 1e-12));
  loss.backward();
  // softmax - labels
  xt::xarray<double> want{0.09003057317038046, 0.24472847105479767 - 1, 0.6652409557748219};
  REQUIRE(test::all_close(logits.grad(), want, 1e-12));
  // float32 too
  auto l32 = softmax_cross_entropy_with_logits(Tensor(xt::xarray<float>{0, 1, 0}),
                                               Tensor(xt::xarray<float>{1, 2, 3}));
  REQUIRE_THAT(l32.item(), WithinAbs(1.4076059644443801, 1e-6));
}

TEST_CASE("softmax cross-entropy reduces the last axis", "[ops][values]") {
  Tensor64 labels(xt::xarray<double>{{0, 1, 0}, {1, 0, 0}});
  Tensor64 logits(xt::xarray<double>{{1, 2, 3}, {0, 0, 0}});
  auto loss = softmax_cross_entropy_with_logits(labels, logits);
  REQUIRE(loss.shape() == Shape{2});
  REQUIRE_THAT(loss.value()(0), WithinAbs(1.4076059644443801, 1e-12));
  REQUIRE_THAT(loss.value()(1), WithinAbs(std::log(3.0), 1e-12));
}

TEST_CASE("sigmoid cross-entropy hand values", "[ops][values]") {
  Tensor64 labels(xt::xarray<double>{1, 0, 1, 0.3});
  Tensor64 logits(xt::xarray<double>{0, 2, -1, 1.5}, true);
  auto loss = sigmoid_cross_entropy_with_logits(labels, logits);
  xt::xarray<double> want{std::log(2.0), 2.1269280110429727, 1.3132616875182228,
                          1.2514132779827525};
  REQUIRE(test::all_close(loss.value(), want, 1e-12));
  loss.backward(xt::xarray<double>{1, 1, 1, 1});
  // sigmoid(x) - z
  xt::xarray<double> g{0.5 - 1, 1 / (1 + std::exp(-2.0)), 1 / (1 + std::exp(1.0)) - 1,
                       1 / (1 + std::exp(-1.5)) - 0.3};
  REQUIRE(test::all_close(logits.grad(), g, 1e-12));
}

TEST_CASE("moments: biased variance of [1,2,3,4] is 1.25", "[ops][values]") {
  Tensor64 x(xt::xarray<double>{1, 2, 3, 4}, true);
  auto m = moments(x, {0});
  REQUIRE_THAT(m.mean.item(), WithinAbs(2.5, 1e-12));
  REQUIRE_THAT(m.variance.item(), WithinAbs(1.25, 1e-12));
  m.variance.backward();
  // d var / dx = 2 (x - mean) / n
  REQUIRE(test::all_close(x.grad(), xt::xarray<double>{-0.75, -0.25, 0.25, 0.75}, 1e-12));
  auto k = moments(Tensor(xt::xarray<float>{{1, 2}, {3, 4}}), {0, 1}, true);
  REQUIRE(k.mean.shape() == Shape{1, 1});
  REQUIRE_THAT(k.variance.item(), WithinAbs(1.25, 1e-6));
}

TEST_CASE("moments is stable for a large offset", "[ops][values]") {
  Tensor x(xt::xarray<float>{10000.f + 1, 10000.f + 2, 10000.f + 3, 10000.f + 4});
  auto m = moments(x, {0});
  REQUIRE_THAT(m.variance.item(), WithinAbs(1.25, 1e-3));
}

TEST_CASE("argmax: first index on ties, any axis", "[ops][values]") {
  Tensor64 x(xt::xarray<double>{{1, 3, 3}, {2, 2, 0}, {-1, -1, -1}});
  auto last = argmax(x);
  REQUIRE((last == xt::xarray<std::int64_t>{1, 0, 0}));
  auto first = argmax(x, 0);
  REQUIRE((first == xt::xarray<std::int64_t>{1, 0, 0}));
  auto t = argmax(Tensor(xt::xarray<float>{{5, 5}}), -2);
  REQUIRE((t == xt::xarray<std::int64_t>{0, 0}));
}

TEST_CASE("reduce_sum / reduce_mean hand values", "[ops][values]") {
  Tensor64 x(xt::xarray<double>{{1, 2, 3}, {4, 5, 6}});
  REQUIRE((reduce_sum(x).item() == 21));
  REQUIRE((reduce_sum(x, {0}).value() == xt::xarray<double>{5, 7, 9}));
  auto keep = reduce_sum(x, {-1}, true);
  REQUIRE((keep.shape() == Shape{2, 1}));
  REQUIRE((keep.value()(0, 0) == 6 && keep.value()(1, 0) == 15));
  REQUIRE((reduce_mean(x, {1}).value() == xt::xarray<double>{2, 5}));
  REQUIRE((reduce_mean(x, {0, 1}, true).shape() == Shape{1, 1}));
}

TEST_CASE("batch_normalization hand values (TF semantics, None offset/scale)", "[ops][values]") {
  Tensor64 x(xt::xarray<double>{{1, 10}, {3, 30}});
  Tensor64 mean(xt::xarray<double>{2, 20});
  Tensor64 var(xt::xarray<double>{1, 100});
  // eps must be > 0; 1e-300 leaves sqrt(var + eps) = sqrt(var) exactly in double.
  auto y = batch_normalization(x, mean, var, Tensor64(), Tensor64(), 1e-300);
  REQUIRE(test::all_close(y.value(), xt::xarray<double>{{-1, -1}, {1, 1}}, 1e-12));
  auto z = batch_normalization(x, mean, var, Tensor64(xt::xarray<double>{0.5, 0}),
                               Tensor64(xt::xarray<double>{2, 3}), 1e-300);
  REQUIRE(test::all_close(z.value(), xt::xarray<double>{{-1.5, -3}, {2.5, 3}}, 1e-12));
}

TEST_CASE("sigmoid is finite and saturates for |x| up to 1e4", "[ops][stability]") {
  Tensor x(xt::xarray<float>{-1e4f, -100.f, -30.f, 0.f, 30.f, 100.f, 1e4f}, true);
  auto y = sigmoid(x);
  REQUIRE(all_finite(y.value()));
  REQUIRE(y.value()(0) == 0.f);
  REQUIRE(y.value()(3) == 0.5f);
  REQUIRE(y.value()(6) == 1.f);
  reduce_sum(y).backward();
  REQUIRE(all_finite(x.grad()));
  Tensor64 x64(xt::xarray<double>{-1e4, 1e4});
  REQUIRE(all_finite(sigmoid(x64).value()));
}

TEMPLATE_TEST_CASE("losses are finite with finite gradients for logits of +-100 and +-1e4",
                   "[ops][stability]", float, double) {
  using T = TestType;
  for (double mag : {100.0, 1e4}) {
    INFO("magnitude " << mag);
    BasicTensor<T> logits(xt::xarray<T>{{T(mag), T(-mag), T(0)}, {T(-mag), T(-mag), T(mag)}},
                          true);
    BasicTensor<T> labels(xt::xarray<T>{{0, 1, 0}, {1, 0, 0}}, true);
    auto ce = softmax_cross_entropy_with_logits(labels, logits);
    REQUIRE(all_finite(ce.value()));
    REQUIRE_THAT(double(ce.value()(0)), WithinRel(2 * mag, 1e-5));
    reduce_sum(ce).backward();
    REQUIRE(all_finite(logits.grad()));
    REQUIRE(all_finite(labels.grad()));

    // 4 rows of 10 classes: long enough for the SIMD path, which runs across rows.
    xt::xarray<T> wide = xt::zeros<T>({4, 10}), onehot = xt::zeros<T>({4, 10});
    for (std::size_t r = 0; r < 4; ++r) {
      wide(r, r) = T(mag);
      wide(r, 9 - r) = T(-mag);
      onehot(r, 9 - r) = 1;  // the label is the most negative logit: loss 2 mag
    }
    BasicTensor<T> wide_logits(wide, true);
    auto wide_ce = softmax_cross_entropy_with_logits(BasicTensor<T>(onehot), wide_logits);
    REQUIRE(all_finite(wide_ce.value()));
    for (std::size_t r = 0; r < 4; ++r) REQUIRE_THAT(double(wide_ce.value()(r)), WithinRel(2 * mag, 1e-5));
    reduce_sum(wide_ce).backward();
    REQUIRE(all_finite(wide_logits.grad()));

    BasicTensor<T> l2(xt::xarray<T>{T(mag), T(-mag), T(mag), T(-mag)}, true);
    BasicTensor<T> z2(xt::xarray<T>{0, 1, 1, 0}, true);
    auto sce = sigmoid_cross_entropy_with_logits(z2, l2);
    REQUIRE(all_finite(sce.value()));
    REQUIRE_THAT(double(sce.value()(0)), WithinRel(mag, 1e-5));
    REQUIRE_THAT(double(sce.value()(2)), WithinAbs(0, 1e-6));
    reduce_sum(sce).backward();
    REQUIRE(all_finite(l2.grad()));
    REQUIRE(all_finite(z2.grad()));

    BasicTensor<T> s(xt::xarray<T>{{T(mag), T(-mag), T(0)}}, true);
    auto ls = log_softmax(s);
    auto sm = softmax(s);
    REQUIRE(all_finite(ls.value()));
    REQUIRE(all_finite(sm.value()));
    (reduce_sum(ls) + reduce_sum(sm)).backward();
    REQUIRE(all_finite(s.grad()));
  }
}

namespace {

// y = x^2 with a backward off by 1e-3 relative: 2x (1 + 1e-3).
Tensor64 planted_square(const Tensor64& x) {
  xt::xarray<double> y = x.value() * x.value();
  return make_op("planted_square", std::move(y), {x}, [x](const auto& g, const auto&, auto& grads) {
    grads.set(0, g * 2.0 * x.value() * (1.0 + 1e-3));
  });
}

}  // namespace

TEST_CASE("gradcheck catches a backward that is off by 1e-3 relative", "[ops][gradcheck]") {
  // Values in [1, 2] so gradients are >= 1 in magnitude and the error is relative.
  auto x = test::random_tensor({3, 4}, 7, 1.0, 2.0);
  auto r = gradcheck([](const std::vector<Tensor64>& in) { return planted_square(in[0]); }, {x});
  INFO(r.message);
  REQUIRE_FALSE(r.ok);
  REQUIRE(r.max_error > 5e-4);
  REQUIRE(r.max_error < 2e-3);
  REQUIRE_THAT(r.analytic / r.numeric, WithinAbs(1 + 1e-3, 1e-5));

  // The correct backward passes.
  auto ok = gradcheck([](const std::vector<Tensor64>& in) { return in[0] * in[0]; }, {x});
  REQUIRE(ok.ok);
}
