// TensorFlow's behaviour at the corners the op table's random inputs never hit: ties,
// sizes of -1, repeated indices, zero paddings, broadcasting conditions, bounds.
#include <cmath>

#include "support/test_utils.hpp"

using namespace xgrad;
using Arr = xt::xarray<double>;

namespace {

Tensor64 leaf(Arr a) { return Tensor64(std::move(a), /*requires_grad=*/true); }

}  // namespace

TEST_CASE("maximum and minimum: on ties the whole gradient goes to the first input, as TF",
          "[ops][tf-corner]") {
  auto a = leaf({1.0, 2.0, 3.0});
  auto b = leaf({1.0, 5.0, 3.0});
  maximum(a, b).backward(Arr{10, 20, 30});
  CHECK((a.grad() == Arr{10, 0, 30}));
  CHECK((b.grad() == Arr{0, 20, 0}));
  auto c = leaf({1.0, 2.0, 3.0});
  auto d = leaf({1.0, 5.0, 0.0});
  minimum(c, d).backward(Arr{10, 20, 30});
  CHECK((c.grad() == Arr{10, 20, 0}));
  CHECK((d.grad() == Arr{0, 0, 30}));
  // Broadcast tie: a scalar b tied with two elements of a gets only the untied ones' share.
  auto e = leaf({2.0, 2.0, 1.0});
  auto s = leaf(Arr(2.0));
  maximum(e, s).backward(Arr{1, 1, 1});
  CHECK((e.grad() == Arr{1, 1, 0}));
  CHECK(s.grad()() == 1.0);
}

TEST_CASE("reduce_max and reduce_min: ties share the gradient evenly, as TF",
          "[ops][tf-corner]") {
  auto x = leaf({{1.0, 3.0, 3.0, 3.0}, {4.0, 0.0, 4.0, -1.0}});
  auto m = reduce_max(x, {1});
  CHECK((m.value() == Arr{3, 4}));
  m.backward(Arr{6, 2});
  CHECK((x.grad() == Arr{{0, 2, 2, 2}, {1, 0, 1, 0}}));
  auto y = leaf({{1.0, -2.0}, {-2.0, 5.0}});
  auto n = reduce_min(y);
  CHECK(n.item() == -2.0);
  n.backward();
  CHECK((y.grad() == Arr{{0, 0.5}, {0.5, 0}}));
  // A NaN propagates, as tf.reduce_max.
  CHECK(std::isnan(reduce_max(Tensor64(Arr{1.0, NAN, 2.0})).item()));
}

TEST_CASE("slice: a size of -1 runs to the end of the dimension, as tf.slice",
          "[ops][tf-corner]") {
  Arr v{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}};
  auto x = leaf(v);
  auto y = slice(x, {1, 1}, {-1, 2});
  CHECK((y.value() == Arr{{5, 6}, {9, 10}}));
  Arr last_column{3, 7, 11};
  last_column.reshape({3, 1});
  CHECK((slice(x, {0, 3}, {-1, -1}).value() == last_column));
  CHECK(slice(x, {3, 0}, {-1, -1}).shape() == Shape{0, 4});  // begin at the end: empty
  y.backward(Arr{{1, 2}, {3, 4}});
  CHECK((x.grad() == Arr{{0, 0, 0, 0}, {0, 1, 2, 0}, {0, 3, 4, 0}}));
}

TEST_CASE("gather: repeated indices add their gradients, as tf.gather's IndexedSlices do",
          "[ops][tf-corner]") {
  auto table = leaf({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}});
  auto rows = gather(table, xt::xarray<std::int64_t>{{2, 0}, {2, 2}});
  CHECK(rows.shape() == Shape{2, 2, 2});
  CHECK((rows.value() == Arr{{{5, 6}, {1, 2}}, {{5, 6}, {5, 6}}}));
  rows.backward(xt::ones<double>({2, 2, 2}));
  CHECK((table.grad() == Arr{{1, 1}, {0, 0}, {3, 3}}));
  // Along axis 1 as well.
  auto x = leaf({{1.0, 2.0, 3.0}});
  gather(x, xt::xarray<std::int64_t>{0, 0, 2}, 1).backward(Arr{{1, 10, 100}});
  CHECK((x.grad() == Arr{{11, 0, 100}}));
}

TEST_CASE("pad: zero widths leave a dimension alone, as tf.pad", "[ops][tf-corner]") {
  Arr v{{1, 2}, {3, 4}};
  auto x = leaf(v);
  auto same = pad(x, {{0, 0}, {0, 0}});
  CHECK((same.value() == v));
  auto y = pad(x, {{0, 0}, {0, 2}}, -1.0);
  CHECK((y.value() == Arr{{1, 2, -1, -1}, {3, 4, -1, -1}}));
  auto z = pad(x, {{1, 0}, {0, 0}});
  CHECK((z.value() == Arr{{0, 0}, {1, 2}, {3, 4}}));
  y.backward(Arr{{1, 2, 3, 4}, {5, 6, 7, 8}});
  CHECK((x.grad() == Arr{{1, 2}, {5, 6}}));
}

TEST_CASE("where: condition, x and y broadcast together, as TF 2's tf.where",
          "[ops][tf-corner]") {
  xt::xarray<bool> cond = xt::xarray<bool>::from_shape({2, 1});
  cond(0, 0) = true;
  cond(1, 0) = false;
  auto x = leaf({{1.0, 2.0, 3.0}});        // [1, 3]
  auto y = leaf(Arr(-1.0));                // []
  auto w = xgrad::where(cond, x, y);  // qualified: ADL on the xt::xarray would also find xt::where
  CHECK((w.value() == Arr{{1, 2, 3}, {-1, -1, -1}}));
  w.backward(Arr{{1, 2, 3}, {4, 5, 6}});
  CHECK((x.grad() == Arr{{1, 2, 3}}));
  CHECK(y.grad()() == 15.0);
}

TEST_CASE("clip_by_value, abs and pow at their edges follow TF's gradients", "[ops][tf-corner]") {
  auto x = leaf({-2.0, -1.0, 0.0, 1.0, 2.0});
  auto c = clip_by_value(x, -1.0, 1.0);
  CHECK((c.value() == Arr{-1, -1, 0, 1, 1}));
  c.backward(xt::ones<double>({5}));
  CHECK((x.grad() == Arr{0, 1, 1, 1, 0}));  // the gradient passes at the bounds
  auto z = leaf({0.0});
  abs(z).backward(Arr{1});
  CHECK(z.grad()(0) == 0.0);  // sign(0) = 0
  // pow with a zero base: the exponent's gradient is 0, not NaN (log 0 is taken as 0).
  auto base = leaf({0.0, 2.0});
  auto ex = leaf({2.0, 3.0});
  auto p = pow(base, ex);
  CHECK((p.value() == Arr{0, 8}));
  p.backward(Arr{1, 1});
  CHECK((base.grad() == Arr{0, 12}));
  CHECK(ex.grad()(0) == 0.0);
  CHECK(ex.grad()(1) == Approx(8 * std::log(2.0)));
  CHECK(square(Tensor64(Arr{-3.0})).value()(0) == 9.0);
  CHECK(log1p(Tensor64(Arr{1e-17})).value()(0) == 1e-17);  // log(1 + x) would give 0
}

TEST_CASE("split: sizes with -1 and equal pieces, as tf.split", "[ops][tf-corner]") {
  auto x = leaf({{0.0, 1.0, 2.0, 3.0, 4.0}});
  auto p = split(x, {2, -1}, 1);
  REQUIRE(p.size() == 2);
  CHECK((p[0].value() == Arr{{0, 1}}));
  CHECK((p[1].value() == Arr{{2, 3, 4}}));
  p[1].backward(Arr{{1, 1, 1}});
  CHECK((x.grad() == Arr{{0, 0, 1, 1, 1}}));
  auto q = split(Tensor64(Arr{{1, 2}, {3, 4}, {5, 6}}), {1, 1, 1});
  CHECK((q[2].value() == Arr{{5, 6}}));
}

TEST_CASE("losses: sparse cross entropy equals the dense one on one-hot labels, Huber and l2 "
          "by hand", "[ops][tf-corner]") {
  auto logits = test::random_tensor<double>({4, 5}, 3, -3, 3);
  xt::xarray<std::int64_t> ids{4, 0, 2, 2};
  Arr onehot = xt::zeros<double>({4, 5});
  for (std::size_t r = 0; r < 4; ++r) onehot(r, std::size_t(ids(r))) = 1;
  auto sparse = sparse_softmax_cross_entropy_with_logits(ids, logits);
  auto dense = softmax_cross_entropy_with_logits(Tensor64(onehot), logits);
  CHECK(test::all_close(sparse.value(), dense.value(), 1e-14));
  // Stable for huge logits: log-sum-exp, not exp then log.
  auto big = sparse_softmax_cross_entropy_with_logits(xt::xarray<std::int64_t>{0},
                                                      Tensor64(Arr{{1000.0, 0.0}}));
  CHECK(big.item() == 0.0);
  // Huber, delta 1: errors 0.5 (quadratic: 0.125) and -3 (linear: 3 - 0.5 = 2.5); mean 1.3125.
  auto h = huber_loss(Tensor64(Arr{{0.0, 0.0}}), Tensor64(Arr{{0.5, -3.0}}));
  CHECK(h.value()(0) == Approx(1.3125));
  auto h2 = huber_loss(Tensor64(Arr(xt::zeros<double>({1, 1}))),
                       Tensor64(Arr(-3.0 * xt::ones<double>({1, 1}))), 2.0);  // 2 * 3 - 2 = 4
  CHECK(h2.value()(0) == Approx(4.0));
  CHECK(l2_loss(Tensor64(Arr{{1, 2}, {3, -4}})).item() == 15.0);
  CHECK(mean_squared_error(Tensor64(Arr{{1, 2}}), Tensor64(Arr{{3, 2}})).value()(0) == 2.0);
}
