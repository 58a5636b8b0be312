// Every op given incompatible shapes or bad axes throws std::invalid_argument whose message
// names the op and the shapes involved.
#include "support/test_utils.hpp"

using namespace xgrad;
using Catch::Matchers::Contains;

namespace {

Tensor64 t(const Shape& s) { return Tensor64::zeros(s); }

}  // namespace

#define REQUIRE_INVALID(expr, ...)                                                   \
  do {                                                                               \
    REQUIRE_THROWS_AS(expr, std::invalid_argument);                                  \
    REQUIRE_THROWS_WITH(expr, __VA_ARGS__);                                          \
  } while (0)

TEST_CASE("errors: broadcasting binary ops name the op and both shapes", "[ops][errors]") {
  auto a = t({2, 3});
  auto b = t({4});
  REQUIRE_INVALID(add(a, b), Contains("add") && Contains("[2, 3]") && Contains("[4]"));
  REQUIRE_INVALID(sub(a, b), Contains("sub") && Contains("[2, 3]") && Contains("[4]"));
  REQUIRE_INVALID(mul(a, b), Contains("mul") && Contains("[2, 3]") && Contains("[4]"));
  REQUIRE_INVALID(div(a, b), Contains("div") && Contains("[2, 3]") && Contains("[4]"));
  REQUIRE_INVALID(a + t({3, 3}), Contains("add") && Contains("[2, 3]") && Contains("[3, 3]"));
}

TEST_CASE("errors: last-axis ops reject 0-d input", "[ops][errors]") {
  auto s = Tensor64::scalar(1.0);
  REQUIRE_INVALID(softmax(s), Contains("softmax") && Contains("[]"));
  REQUIRE_INVALID(log_softmax(s), Contains("log_softmax") && Contains("[]"));
}

TEST_CASE("errors: reductions reject bad axes", "[ops][errors]") {
  auto x = t({2, 3});
  REQUIRE_INVALID(reduce_sum(x, {2}), Contains("reduce_sum") && Contains("axis 2") &&
                                          Contains("[2, 3]"));
  REQUIRE_INVALID(reduce_sum(x, {-3}), Contains("reduce_sum") && Contains("axis -3") &&
                                           Contains("[2, 3]"));
  REQUIRE_INVALID(reduce_mean(x, {5}), Contains("reduce_mean") && Contains("[2, 3]"));
  REQUIRE_INVALID(reduce_mean(x, {1, -1}), Contains("reduce_mean") && Contains("repeated") &&
                                               Contains("[2, 3]"));
  REQUIRE_INVALID(moments(x, {3}), Contains("moments") && Contains("[2, 3]"));
  REQUIRE_INVALID(moments(x, {0, 0}), Contains("moments") && Contains("[2, 3]"));
  REQUIRE_INVALID(argmax(x, 2), Contains("argmax") && Contains("axis 2") && Contains("[2, 3]"));
  REQUIRE_INVALID(argmax(Tensor64::scalar(1.0)), Contains("argmax") && Contains("[]"));
}

TEST_CASE("errors: batch_normalization names the bad parameter and both shapes", "[ops][errors]") {
  auto x = t({2, 4});
  auto ok = t({4});
  auto bad = t({3});
  Tensor64 none;
  REQUIRE_THROWS_WITH(batch_normalization(x, bad, ok, ok, ok, 1e-3),
                      Contains("batch_normalization: mean must broadcast against x, got mean "
                               "shape [3] and x shape [2, 4]"));
  REQUIRE_INVALID(batch_normalization(x, ok, bad, none, none, 1e-3),
                  Contains("batch_normalization") && Contains("variance shape [3]") &&
                      Contains("[2, 4]"));
  REQUIRE_INVALID(batch_normalization(x, ok, ok, bad, none, 1e-3),
                  Contains("batch_normalization") && Contains("offset shape [3]") &&
                      Contains("[2, 4]"));
  REQUIRE_INVALID(batch_normalization(x, ok, ok, none, bad, 1e-3),
                  Contains("batch_normalization") && Contains("scale shape [3]") &&
                      Contains("[2, 4]"));
  // More dimensions than x.
  REQUIRE_INVALID(batch_normalization(x, t({1, 2, 4}), ok, none, none, 1e-3),
                  Contains("batch_normalization") && Contains("[1, 2, 4]") && Contains("[2, 4]"));
  // NHWC with a parameter of the wrong channel count.
  REQUIRE_INVALID(batch_normalization(t({2, 3, 3, 5}), t({1, 1, 1, 4}), t({5}), none, none, 1e-3),
                  Contains("batch_normalization") && Contains("[1, 1, 1, 4]") &&
                      Contains("[2, 3, 3, 5]"));
  REQUIRE_INVALID(batch_normalization(x, none, ok, none, none, 1e-3),
                  Contains("batch_normalization"));
}

TEST_CASE("errors: losses need labels and logits of the same shape", "[ops][errors]") {
  REQUIRE_INVALID(softmax_cross_entropy_with_logits(t({2, 3}), t({2, 4})),
                  Contains("softmax_cross_entropy_with_logits") && Contains("[2, 3]") &&
                      Contains("[2, 4]"));
  REQUIRE_INVALID(softmax_cross_entropy_with_logits(Tensor64::scalar(1), Tensor64::scalar(1)),
                  Contains("softmax_cross_entropy_with_logits") && Contains("[]"));
  REQUIRE_INVALID(sigmoid_cross_entropy_with_logits(t({3}), t({2, 3})),
                  Contains("sigmoid_cross_entropy_with_logits") && Contains("[3]") &&
                      Contains("[2, 3]"));
}

TEST_CASE("errors: shape ops", "[ops][errors]") {
  auto x = t({2, 3});
  REQUIRE_INVALID(reshape(x, {4, 2}), Contains("reshape") && Contains("[2, 3]") &&
                                          Contains("[4, 2]"));
  REQUIRE_INVALID(reshape(x, {4, -1}), Contains("reshape") && Contains("[2, 3]") &&
                                           Contains("[4, -1]"));
  REQUIRE_INVALID(reshape(x, {-1, -1}), Contains("reshape") && Contains("[2, 3]"));
  REQUIRE_INVALID(reshape(x, {-2, 3}), Contains("reshape") && Contains("[2, 3]"));
  REQUIRE_INVALID(flatten(Tensor64::scalar(1)), Contains("flatten") && Contains("[]"));
  REQUIRE_INVALID(transpose(x, {0}), Contains("transpose") && Contains("[0]") &&
                                         Contains("[2, 3]"));
  REQUIRE_INVALID(transpose(x, {0, 0}), Contains("transpose") && Contains("[2, 3]"));
  REQUIRE_INVALID(transpose(x, {0, 2}), Contains("transpose") && Contains("[2, 3]"));
}

TEST_CASE("errors: matmul", "[ops][errors]") {
  REQUIRE_INVALID(matmul(t({2, 3}), t({4, 5})), Contains("matmul") && Contains("[2, 3]") &&
                                                    Contains("[4, 5]"));
  REQUIRE_INVALID(matmul(t({2, 3}), t({2, 5}), false, true),
                  Contains("matmul") && Contains("[2, 3]") && Contains("[2, 5]"));
  REQUIRE_INVALID(matmul(t({2, 3, 1}), t({3, 5})), Contains("matmul") && Contains("[2, 3, 1]") &&
                                                       Contains("[3, 5]"));
}

TEST_CASE("errors: xw_plus_b", "[ops][errors]") {
  REQUIRE_INVALID(xw_plus_b(t({2, 3}), t({4, 5}), t({5})),
                  Contains("xw_plus_b") && Contains("[2, 3]") && Contains("[4, 5]") && Contains("[5]"));
  REQUIRE_INVALID(xw_plus_b(t({2, 3}), t({3, 5}), t({4})),
                  Contains("xw_plus_b") && Contains("[3, 5]") && Contains("[4]"));
  REQUIRE_INVALID(xw_plus_b(t({2, 3}), t({3, 5}), t({1, 5})), Contains("xw_plus_b") && Contains("[1, 5]"));
}

TEST_CASE("errors: negative or impossible sizes", "[ops][errors]") {
  auto empty = t({0});
  // 2^32 * 2^32 wraps to 0 in 64 bits: must not pass for an empty x.
  REQUIRE_INVALID(reshape(empty, {1L << 32, 1L << 32}),
                  Contains("reshape") && Contains("too many elements") && Contains("[0]"));
  REQUIRE_INVALID(reshape(t({2, 3}), {-3, -2}), Contains("reshape") && Contains("negative") &&
                                                    Contains("[2, 3]"));
  REQUIRE_INVALID(reshape(empty, {-1, 0}), Contains("reshape") && Contains("[0]"));
}

TEST_CASE("errors: batch_normalization and fused_batch_norm hold eps to one rule, finite and > 0",
          "[ops][errors]") {
  auto x = t({2, 4});
  auto p = t({4});
  for (double eps : {0.0, -1e-3, std::nan(""), HUGE_VAL}) {
    REQUIRE_INVALID(batch_normalization(x, p, p, p, p, eps),
                    Contains("batch_normalization: eps must be finite and > 0, got ") &&
                        Contains("(x shape [2, 4])"));
    REQUIRE_INVALID(fused_batch_norm(x, p, p, eps),
                    Contains("fused_batch_norm: eps must be finite and > 0, got ") &&
                        Contains("(x shape [2, 4])"));
  }
  REQUIRE_INVALID(batch_normalization(x, p, p, p, p, 0.0), Contains("got 0 (x shape"));
  CHECK_NOTHROW(batch_normalization(x, p, p, p, p, 1e-12));
  CHECK_NOTHROW(fused_batch_norm(x, p, p, 1e-12));
}

TEST_CASE("errors: dropout refuses a rate below 0 or from 1 up", "[ops][errors]") {
  auto x = t({2, 3});
  for (double rate : {-0.1, 1.0, 1.5, std::nan("")}) {
    REQUIRE_INVALID(dropout(x, rate, 1), Contains("dropout") && Contains("rate") && Contains("[2, 3]"));
  }
}

TEST_CASE("errors: concat, split, slice, pad and gather name the op and the shapes",
          "[ops][errors]") {
  REQUIRE_INVALID(concat(std::vector<Tensor64>{t({2, 3}), t({2, 4})}, 0),
                  Contains("concat") && Contains("[2, 3]") && Contains("[2, 4]"));
  REQUIRE_INVALID(concat(std::vector<Tensor64>{t({2, 3}), t({2, 3, 1})}, 0),
                  Contains("concat") && Contains("[2, 3]") && Contains("[2, 3, 1]"));
  REQUIRE_INVALID(concat(std::vector<Tensor64>{t({2, 3})}, 2),
                  Contains("concat") && Contains("axis 2") && Contains("[2, 3]"));
  REQUIRE_INVALID(concat(std::vector<Tensor64>{}, 0), Contains("concat"));
  REQUIRE_INVALID(split(t({2, 6}), {2, 3}, 1),
                  Contains("split") && Contains("[2, 3]") && Contains("[2, 6]") && Contains("add up"));
  REQUIRE_INVALID(split(t({2, 6}), {-1, -1}, 1), Contains("split") && Contains("[2, 6]"));
  REQUIRE_INVALID(split(t({2, 6}), {7, -1}, 1), Contains("split") && Contains("[2, 6]"));
  REQUIRE_INVALID(split(t({2, 6}), {1, 1}, -3), Contains("split") && Contains("axis -3"));
  REQUIRE_INVALID(slice(t({3, 4}), {1, 1}, {3, 1}),
                  Contains("slice") && Contains("[1, 1]") && Contains("[3, 1]") && Contains("[3, 4]"));
  REQUIRE_INVALID(slice(t({3, 4}), {0}, {1}), Contains("slice") && Contains("[3, 4]"));
  REQUIRE_INVALID(slice(t({3, 4}), {-1, 0}, {1, 1}), Contains("slice") && Contains("[3, 4]"));
  REQUIRE_INVALID(slice(t({3, 4}), {0, 5}, {1, -1}), Contains("slice") && Contains("[3, 4]"));
  REQUIRE_INVALID(pad(t({2, 3}), {{1, 1}}), Contains("pad") && Contains("[2, 3]"));
  REQUIRE_INVALID(pad(t({2, 3}), {{0, 0}, {-1, 0}}), Contains("pad") && Contains("negative") &&
                                                          Contains("[2, 3]"));
  REQUIRE_INVALID(gather(t({3, 2}), xt::xarray<std::int64_t>{0, 3}),
                  Contains("gather") && Contains("index 3") && Contains("[3, 2]"));
  REQUIRE_INVALID(gather(t({3, 2}), xt::xarray<std::int64_t>{-1}),
                  Contains("gather") && Contains("index -1") && Contains("[3, 2]"));
  REQUIRE_INVALID(gather(t({3, 2}), xt::xarray<std::int64_t>{0}, 2),
                  Contains("gather") && Contains("axis 2") && Contains("[3, 2]"));
}

TEST_CASE("errors: pow, maximum, minimum, where, clip_by_value, reduce_max, reduce_min",
          "[ops][errors]") {
  auto a = t({2, 3});
  auto b = t({4});
  REQUIRE_INVALID(pow(a, b), Contains("pow") && Contains("[2, 3]") && Contains("[4]"));
  REQUIRE_INVALID(maximum(a, b), Contains("maximum") && Contains("[2, 3]") && Contains("[4]"));
  REQUIRE_INVALID(minimum(a, b), Contains("minimum") && Contains("[2, 3]") && Contains("[4]"));
  REQUIRE_INVALID(xgrad::where(xt::xarray<bool>{true, false, true}, a, b),
                  Contains("where") && Contains("[2, 3]") && Contains("[4]"));
  REQUIRE_INVALID(xgrad::where(xt::xarray<bool>{true, false}, a, a),
                  Contains("where") && Contains("condition shape [2]") && Contains("[2, 3]"));
  REQUIRE_INVALID(clip_by_value(a, 1.0, -1.0), Contains("clip_by_value") && Contains("[2, 3]"));
  REQUIRE_INVALID(reduce_max(a, {2}), Contains("reduce_max") && Contains("axis 2") && Contains("[2, 3]"));
  REQUIRE_INVALID(reduce_min(a, {0, 0}), Contains("reduce_min") && Contains("repeated") &&
                                             Contains("[2, 3]"));
}

TEST_CASE("errors: sparse, regression losses", "[ops][errors]") {
  using Ids = xt::xarray<std::int64_t>;
  REQUIRE_INVALID(sparse_softmax_cross_entropy_with_logits(Ids{0, 1, 2}, t({2, 4})),
                  Contains("sparse_softmax_cross_entropy_with_logits") && Contains("[3]") &&
                      Contains("[2, 4]"));
  REQUIRE_INVALID(sparse_softmax_cross_entropy_with_logits(Ids{0, 4}, t({2, 4})),
                  Contains("sparse_softmax_cross_entropy_with_logits") && Contains("label 4") &&
                      Contains("[2, 4]"));
  REQUIRE_INVALID(sparse_softmax_cross_entropy_with_logits(Ids{-1, 0}, t({2, 4})),
                  Contains("label -1") && Contains("[2, 4]"));
  REQUIRE_INVALID(sparse_softmax_cross_entropy_with_logits(Ids(0), Tensor64::scalar(1)),
                  Contains("sparse_softmax_cross_entropy_with_logits") && Contains("[]"));
  REQUIRE_INVALID(mean_squared_error(t({2, 3}), t({3, 2})),
                  Contains("mean_squared_error") && Contains("[2, 3]") && Contains("[3, 2]"));
  REQUIRE_INVALID(mean_squared_error(Tensor64::scalar(1), Tensor64::scalar(1)),
                  Contains("mean_squared_error") && Contains("[]"));
  REQUIRE_INVALID(huber_loss(t({2, 3}), t({2})), Contains("huber_loss") && Contains("[2, 3]") &&
                                                     Contains("[2]"));
  for (double delta : {0.0, -1.0, std::nan(""), HUGE_VAL}) {
    REQUIRE_INVALID(huber_loss(t({2, 3}), t({2, 3}), delta), Contains("huber_loss") &&
                                                                 Contains("delta") && Contains("[2, 3]"));
  }
}
