// Empty tensors (a zero-size dimension) go through every op, forward and backward, and give
// empty (or, for sums over nothing, well-defined) results: no crash, no read out of bounds.
// The sanitizer build is what makes these tests bite.
#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

Tensor64 empty(const Shape& s) { return Tensor64::zeros(s, /*requires_grad=*/true); }

// Backpropagates ones from y, then checks y's shape and that every input got a gradient of
// its own shape.
void check_backward(const Tensor64& y, const Shape& want, const std::vector<Tensor64>& inputs) {
  REQUIRE(y.shape() == want);
  y.backward(xt::ones<double>(want));
  for (const auto& in : inputs) {
    REQUIRE(in.has_grad());
    CHECK(to_shape(in.grad().shape()) == in.shape());
  }
}

}  // namespace

TEST_CASE("empty tensors: elementwise and activation ops", "[ops][empty]") {
  auto a = empty({0, 3});
  auto b = empty({3});
  check_backward(add(a, b), {0, 3}, {a, b});
  CHECK((b.grad() == xt::zeros<double>({3})));
  // An empty operand broadcast along a non-empty axis: its gradient sums [3, 0] down to [0].
  auto rows = empty({3, 0});
  auto none = empty({0});
  check_backward(add(rows, none), {3, 0}, {rows, none});
  auto col = empty({3, 1});
  check_backward(mul(col, none), {3, 0}, {col, none});
  CHECK((col.grad() == xt::zeros<double>({3, 1})));
  auto c = empty({0, 3});
  auto d = empty({0, 3});
  check_backward(div(mul(c, d), d + 1.0), {0, 3}, {c, d});
  for (auto op : {+[](const Tensor64& x) { return exp(x); }, +[](const Tensor64& x) { return log(x); },
                  +[](const Tensor64& x) { return sqrt(x); }, +[](const Tensor64& x) { return neg(x); },
                  +[](const Tensor64& x) { return sigmoid(x); }, +[](const Tensor64& x) { return relu(x); },
                  +[](const Tensor64& x) { return tanh(x); }, +[](const Tensor64& x) { return softmax(x); },
                  +[](const Tensor64& x) { return log_softmax(x); },
                  +[](const Tensor64& x) { return leaky_relu(x); }, +[](const Tensor64& x) { return elu(x); },
                  +[](const Tensor64& x) { return softplus(x); }, +[](const Tensor64& x) { return gelu(x); },
                  +[](const Tensor64& x) { return gelu(x, true); },
                  +[](const Tensor64& x) { return dropout(x, 0.5, 7); }}) {
    for (Shape s : {Shape{0, 4}, Shape{2, 0}}) {
      auto x = empty(s);
      check_backward(op(x), s, {x});
    }
  }
}

TEST_CASE("empty tensors: reductions", "[ops][empty]") {
  auto x = empty({0, 3});
  auto s = reduce_sum(x);
  CHECK(s.item() == 0.0);
  check_backward(s, {}, {x});
  auto y = empty({0, 3});
  auto m = reduce_mean(y, {0});
  CHECK(std::isnan(m.value()(0)));  // the mean of nothing is NaN, as in NumPy and TF
  check_backward(m, {3}, {y});
  auto z = empty({2, 0});
  check_backward(reduce_sum(z, {1}), {2}, {z});
  auto w = empty({0, 3});
  auto mom = moments(w, {0});
  check_backward(mom.variance, {3}, {w});
  CHECK(argmax(Tensor64::zeros({0, 3}), -1).shape()[0] == 0);
}

TEST_CASE("empty tensors: matmul, shape ops, batch_normalization, losses", "[ops][empty]") {
  auto a = empty({0, 3});
  auto b = empty({3, 4});
  check_backward(matmul(a, b), {0, 4}, {a, b});
  auto c = empty({2, 0});
  auto d = empty({0, 4});
  auto cd = matmul(c, d);  // inner dimension 0: a zero matrix
  CHECK((cd.value() == xt::zeros<double>({2, 4})));
  check_backward(cd, {2, 4}, {c, d});
  auto e = empty({3, 0});
  check_backward(matmul(e, e, /*transpose_a=*/true), {0, 0}, {e});

  auto x = empty({0, 28, 28, 1});
  check_backward(flatten(x), {0, 784}, {x});
  auto r = empty({0, 6});
  check_backward(reshape(r, {-1, 3}), {0, 3}, {r});
  auto t = empty({0, 3});
  check_backward(transpose(t), {3, 0}, {t});

  auto bx = empty({0, 3});
  auto mean = empty({3}), var = Tensor64::ones({3}, true), off = empty({3}), sc = empty({3});
  check_backward(batch_normalization(bx, mean, var, off, sc, 1e-3), {0, 3},
                 {bx, mean, var, off, sc});

  auto labels = empty({0, 10}), logits = empty({0, 10});
  check_backward(softmax_cross_entropy_with_logits(labels, logits), {0}, {labels, logits});
  auto l2 = empty({0, 10}), g2 = empty({0, 10});
  check_backward(sigmoid_cross_entropy_with_logits(l2, g2), {0, 10}, {l2, g2});
}

TEST_CASE("empty tensors: conv2d and pooling", "[ops][empty]") {
  for (Padding p : {Padding::Same, Padding::Valid}) {
    auto in = empty({0, 5, 5, 3});
    auto f = empty({3, 3, 3, 4});
    check_backward(conv2d(in, f, {1, 1}, p), {0, p == Padding::Same ? 5u : 3u,
                                              p == Padding::Same ? 5u : 3u, 4}, {in, f});
    CHECK((f.grad() == xt::zeros<double>({3, 3, 3, 4})));
    auto in0 = empty({2, 5, 5, 0});
    auto f0 = empty({3, 3, 0, 4});
    auto y0 = conv2d(in0, f0, {2, 2}, p);
    CHECK((y0.value() == xt::zeros<double>(y0.shape())));  // no input channels: a zero sum
    check_backward(y0, y0.shape(), {in0, f0});
    auto in1 = empty({2, 5, 5, 3});
    auto f1 = empty({1, 1, 3, 0});
    check_backward(conv2d(in1, f1, {1, 1}, p), {2, 5, 5, 0}, {in1, f1});
    for (Shape s : {Shape{0, 4, 4, 2}, Shape{2, 4, 4, 0}}) {
      auto x = empty(s);
      Shape out{s[0], 2, 2, s[3]};
      check_backward(max_pool2d(x, {2, 2}, {2, 2}, p), out, {x});
      auto x2 = empty(s);
      check_backward(avg_pool2d(x2, {2, 2}, {2, 2}, p), out, {x2});
    }
  }
}

TEST_CASE("empty tensors: joining, cutting, indexing", "[ops][empty]") {
  auto a = empty({0, 3}), b = empty({2, 3});
  check_backward(concat(std::vector<Tensor64>{a, b}, 0), {2, 3}, {a, b});
  auto c = empty({2, 0}), d = empty({2, 0});
  check_backward(concat(std::vector<Tensor64>{c, d}, 1), {2, 0}, {c, d});
  auto x = empty({0, 4});
  auto parts = split(x, {1, -1}, 1);
  REQUIRE(parts.size() == 2);
  check_backward(parts[1], {0, 3}, {x});
  auto y = empty({3, 4});
  auto none = split(y, {0, 4}, 1)[0];  // a zero-width piece
  check_backward(none, {3, 0}, {y});
  auto s = empty({3, 4});
  check_backward(slice(s, {1, 4}, {2, -1}), {2, 0}, {s});
  auto p = empty({0, 3});
  auto padded = pad(p, {{1, 1}, {0, 0}}, 7.0);
  CHECK((padded.value() == xt::ones<double>({2, 3}) * 7.0));
  check_backward(padded, {2, 3}, {p});
  auto g = empty({3, 2});
  check_backward(gather(g, xt::xarray<std::int64_t>::from_shape({0})), {0, 2}, {g});
  CHECK((g.grad() == xt::zeros<double>({3, 2})));
  auto g0 = empty({0, 2});
  check_backward(gather(g0, xt::xarray<std::int64_t>{1, 0}, 1), {0, 2}, {g0});
}

TEST_CASE("empty tensors: more elementwise ops, reduce_max and reduce_min", "[ops][empty]") {
  auto a = empty({0, 3}), b = empty({3});
  check_backward(pow(a, b), {0, 3}, {a, b});
  auto c = empty({0, 3}), d = empty({0, 1});
  check_backward(maximum(c, d), {0, 3}, {c, d});
  auto e = empty({0, 3}), f = empty({0, 3});
  check_backward(minimum(e, f), {0, 3}, {e, f});
  auto w1 = empty({0, 3}), w2 = empty({1, 3});
  check_backward(xgrad::where(xt::xarray<bool>::from_shape({0, 1}), w1, w2), {0, 3}, {w1, w2});
  for (auto op : {+[](const Tensor64& x) { return square(x); }, +[](const Tensor64& x) { return abs(x); },
                  +[](const Tensor64& x) { return log1p(x); },
                  +[](const Tensor64& x) { return clip_by_value(x, -1, 1); }}) {
    auto x = empty({2, 0});
    check_backward(op(x), {2, 0}, {x});
  }
  auto m = empty({0, 3});
  auto mx = reduce_max(m, {0});
  CHECK((mx.value() == xt::xarray<double>{-INFINITY, -INFINITY, -INFINITY}));  // as TF
  check_backward(mx, {3}, {m});
  auto n = empty({0, 3});
  auto mn = reduce_min(n);
  CHECK(mn.item() == INFINITY);
  check_backward(mn, {}, {n});
  auto k = empty({2, 0});
  check_backward(reduce_max(k, {0}), {0}, {k});
}

TEST_CASE("empty tensors: sparse, regression and l2 losses", "[ops][empty]") {
  auto logits = empty({0, 10});
  check_backward(sparse_softmax_cross_entropy_with_logits(
                     xt::xarray<std::int64_t>::from_shape({0}), logits), {0}, {logits});
  auto t = empty({0, 4}), p = empty({0, 4});
  check_backward(mean_squared_error(t, p), {0}, {t, p});
  auto t2 = empty({0, 4}), p2 = empty({0, 4});
  check_backward(huber_loss(t2, p2), {0}, {t2, p2});
  auto x = empty({0, 4});
  auto l = l2_loss(x);
  CHECK(l.item() == 0.0);
  check_backward(l, {}, {x});
}
