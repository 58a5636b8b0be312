// Gradients::take_upstream: ops that reuse the output gradient's buffer (add, sub, the
// activations) instead of copying it must still give every input the right gradient, also
// when one tensor is both inputs or feeds several ops.
#include <catch2/catch.hpp>
#include <xgrad/xgrad.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

TEST_CASE("add and sub of a tensor with itself: each input gets its share", "[autograd]") {
  Tensor64 x(xt::xarray<double>{{1, -2}, {3, 4}}, true);
  reduce_sum(add(x, x)).backward();
  CHECK(test::all_close(x.grad(), xt::xarray<double>{{2, 2}, {2, 2}}, 0));
  x.zero_grad();
  reduce_sum(sub(x, x)).backward();
  CHECK(test::all_close(x.grad(), xt::xarray<double>{{0, 0}, {0, 0}}, 0));
}

TEST_CASE("a passed-through gradient is not shared with another consumer", "[autograd]") {
  // y feeds relu and a second add: the gradient relu overwrites in place must not be the
  // buffer the other branch (or y's own accumulation) reads.
  Tensor64 x(xt::xarray<double>{-1, 2, 3}, true), b(xt::xarray<double>{0.5, 0.5, 0.5}, true);
  Tensor64 y = add(x, b);
  Tensor64 loss = reduce_sum(add(mul(relu(y), y), sigmoid(y)));
  REQUIRE_GRADCHECK(([](const std::vector<Tensor64>& in) {
                      Tensor64 y = add(in[0], in[1]);
                      return reduce_sum(add(mul(relu(y), y), sigmoid(y)));
                    }),
                    (std::vector<Tensor64>{x, b}));
  loss.backward();
  // d/dy [relu(y) y + sigmoid(y)] = 2y (y > 0) + s(1 - s); y = {-0.5, 2.5, 3.5}
  const xt::xarray<double> yv{-0.5, 2.5, 3.5};
  const xt::xarray<double> s = 1.0 / (1.0 + xt::exp(-yv));
  const xt::xarray<double> expect = xt::where(yv > 0, 2.0 * yv, 0.0) + s * (1.0 - s);
  CHECK(test::all_close(x.grad(), expect, 1e-12));
  CHECK(test::all_close(b.grad(), expect, 1e-12));
}

TEST_CASE("taking the output gradient twice is refused, naming the op", "[autograd]") {
  Tensor64 x(xt::xarray<double>{1, 2}, true);
  Tensor64 y = make_op("greedy", xt::xarray<double>(x.value()), {x},
                       [](const auto&, const auto&, auto& grads) {
                         grads.take_upstream();
                         grads.set(0, grads.take_upstream());
                       });
  CHECK_THROWS_WITH(reduce_sum(y).backward(),
                    "backward of 'greedy' took the output gradient twice");
}
