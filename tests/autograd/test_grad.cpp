// autograd::grad: gradients as tensors, create_graph, retain_graph, allow_unused, and the
// error for an op whose gradient cannot be differentiated again.
#include <cmath>
#include <stdexcept>
#include <string>

#include "support/test_utils.hpp"

using namespace xgrad;
using Catch::Matchers::Contains;

namespace {

Tensor64 vec(std::initializer_list<double> v, bool requires_grad = true) {
  return Tensor64(xt::xarray<double>(v), requires_grad);
}

// y = x^3 with only an array backward: its gradient has no second derivative.
Tensor64 cube_without_second_derivative(const Tensor64& x) {
  xt::xarray<double> y = x.value() * x.value() * x.value();
  return make_op("cube", std::move(y), {x}, [x](const auto& g, const auto&, auto& grads) {
    grads.set(0, g * 3.0 * x.value() * x.value());
  });
}

}  // namespace

TEST_CASE("grad: first and second derivatives of x^3, no leaf gradient written", "[autograd][grad]") {
  Tensor64 x = vec({0.5, -1.0, 2.0});
  Tensor64 y = reduce_sum(x * x * x);
  Tensor64 dy = autograd::grad({y}, {x}, {}, autograd::GradOptions().create_graph(true))[0];
  CHECK(test::all_close(dy.value(), xt::xarray<double>{0.75, 3.0, 12.0}, 1e-12));
  CHECK(dy.requires_grad());
  Tensor64 d2y = autograd::grad({reduce_sum(dy)}, {x})[0];
  CHECK(test::all_close(d2y.value(), xt::xarray<double>{3.0, -6.0, 12.0}, 1e-12));
  CHECK_FALSE(d2y.requires_grad());
  CHECK_FALSE(x.has_grad());
}

TEST_CASE("grad: without create_graph the gradient is a plain value", "[autograd][grad]") {
  Tensor64 x = vec({1.0, 2.0});
  Tensor64 y = reduce_sum(exp(x));
  Tensor64 g = autograd::grad({y}, {x})[0];
  CHECK(test::all_close(g.value(), xt::exp(x.value()), 1e-12));
  CHECK_FALSE(g.requires_grad());
  CHECK(g.is_leaf());
  CHECK_FALSE(x.has_grad());
}

TEST_CASE("grad: with respect to an intermediate tensor and with an upstream gradient",
          "[autograd][grad]") {
  Tensor64 x = vec({1.0, -2.0, 3.0});
  Tensor64 h = x * 2.0;
  Tensor64 y = h * h;
  Tensor64 u = vec({1.0, 10.0, 100.0}, false);
  auto g = autograd::grad({y}, {h, x}, {u});
  CHECK(test::all_close(g[0].value(), xt::xarray<double>{4.0, -80.0, 1200.0}, 1e-12));
  CHECK(test::all_close(g[1].value(), xt::xarray<double>{8.0, -160.0, 2400.0}, 1e-12));
}

TEST_CASE("grad: bad calls get errors naming what is wrong", "[autograd][grad]") {
  Tensor64 x = vec({1.0, 2.0});
  Tensor64 unused = vec({3.0});
  Tensor64 y = x * x;
  CHECK_THROWS_WITH(autograd::grad({y}, {x}), Contains("give a grad_output"));
  CHECK_THROWS_WITH(autograd::grad({y}, {x}, {vec({1.0, 1.0, 1.0}, false)}),
                    Contains("[3]") && Contains("[2]"));
  CHECK_THROWS_WITH(autograd::grad({reduce_sum(y)}, {x, unused}, {},
                                   autograd::GradOptions().retain_graph(true)),
                    Contains("input 1") && Contains("not used"));
  auto g = autograd::grad({reduce_sum(y)}, {x, unused}, {}, autograd::GradOptions().allow_unused(true));
  CHECK(g[0].defined());
  CHECK_FALSE(g[1].defined());
  CHECK_THROWS_WITH(autograd::grad({reduce_sum(y)}, {vec({1.0}, false)}),
                    Contains("does not require a gradient"));
}

TEST_CASE("grad: the walked graph is freed unless retained", "[autograd][grad]") {
  Tensor64 x = vec({1.0, 2.0});
  Tensor64 y = reduce_sum(x * x);
  autograd::grad({y}, {x}, {}, autograd::GradOptions().retain_graph(true));
  CHECK_NOTHROW(autograd::grad({y}, {x}));  // retained once, then freed
  CHECK_THROWS_AS(autograd::grad({y}, {x}), std::logic_error);
  CHECK_THROWS_AS(y.backward(), std::logic_error);
}

TEST_CASE("grad: an op without a differentiable backward fails only when its gradient is "
          "differentiated, naming the op", "[autograd][grad]") {
  Tensor64 x = vec({0.5, -1.0});
  Tensor64 y = reduce_sum(cube_without_second_derivative(x));
  Tensor64 dy = autograd::grad({y}, {x}, {}, autograd::GradOptions().create_graph(true))[0];
  CHECK(test::all_close(dy.value(), xt::xarray<double>{0.75, 3.0}, 1e-12));  // right value
  CHECK_THROWS_WITH(autograd::grad({reduce_sum(dy)}, {x}), Contains("'cube'"));
  // The failure changed nothing: the first graph still backpropagates.
  y.backward();
  CHECK(test::all_close(x.grad(), xt::xarray<double>{0.75, 3.0}, 1e-12));
}

TEST_CASE("grad: a retained graph is not corrupted by backward functions that reuse the "
          "upstream buffer", "[autograd][grad]") {
  // relu's and clip's array backwards overwrite the upstream in place: the upstream handed to
  // them must be a copy, or the first grad() would change what the second one reads.
  Tensor64 x = vec({0.5, -1.0, 2.0});
  Tensor64 h = x * 3.0;
  Tensor64 y = clip_by_value(h, -1.0, 5.0);
  Tensor64 u = vec({1.0, 2.0, 3.0}, false);
  auto first = autograd::grad({y}, {x}, {u}, autograd::GradOptions().retain_graph(true))[0];
  auto second = autograd::grad({y}, {x}, {u})[0];
  CHECK(test::all_close(first.value(), xt::xarray<double>{3.0, 0.0, 0.0}, 1e-12));
  CHECK(test::all_close(second.value(), first.value(), 0.0));
  CHECK(test::all_close(u.value(), xt::xarray<double>{1.0, 2.0, 3.0}, 0.0));
}

TEST_CASE("grad: a gradient-penalty loop frees its graphs (live ops back to the start)",
          "[autograd][grad]") {
  Tensor64 w = Tensor64(test::random_array<double>({3, 4}, 1, -1, 1), true);
  const std::size_t live_before = autograd::live_node_count();
  for (int step = 0; step < 1000; ++step) {
    Tensor64 x = Tensor64(test::random_array<double>({5, 3}, 100 + step, -1, 1), true);
    Tensor64 critic = reduce_sum(tanh(matmul(x, w)));
    Tensor64 gx = autograd::grad({critic}, {x}, {}, autograd::GradOptions().create_graph(true))[0];
    Tensor64 norm = sqrt(reduce_sum(gx * gx, {1}) + 1e-12);
    Tensor64 penalty = reduce_mean(square(norm - 1.0));
    Tensor64 gw = autograd::grad({penalty}, {w})[0];
    REQUIRE(gw.shape() == Shape{3, 4});
  }
  CHECK(autograd::live_node_count() == live_before);
}

TEST_CASE("grad: several outputs, shared subexpressions, grad mode off in the caller",
          "[autograd][grad]") {
  Tensor64 x = vec({0.3, -0.7});
  Tensor64 e = exp(x);            // used twice: a diamond
  Tensor64 y1 = reduce_sum(e * e);  // d/dx = 2 e^2
  Tensor64 y2 = reduce_sum(e * x);  // d/dx = e (1 + x)
  auto g = autograd::grad({y1, y2}, {x}, {}, autograd::GradOptions().create_graph(true))[0];
  const xt::xarray<double> ex = xt::exp(x.value());
  CHECK(test::all_close(g.value(), xt::eval(2.0 * ex * ex + ex * (1.0 + x.value())), 1e-12));
  // Second derivative: 4 e^2 + e (2 + x), asked for with recording off in the caller.
  Tensor64 sum_g = reduce_sum(g);
  NoGradGuard no_grad;
  auto h = autograd::grad({sum_g}, {x})[0];
  CHECK(test::all_close(h.value(), xt::eval(4.0 * ex * ex + ex * (2.0 + x.value())), 1e-12));
  CHECK_FALSE(autograd::is_grad_enabled());
}

TEST_CASE("gradgradcheck fails a differentiable backward that disagrees with the array one",
          "[autograd][grad]") {
  // x^2 whose tensor backward is 1.0001 times too large: its own derivative (2.0002) is
  // consistent with it, so only the comparison with backward()'s gradient catches it.
  auto wrong_square = [](const std::vector<Tensor64>& in) {
    xt::xarray<double> y = in[0].value() * in[0].value();
    return make_op("wrong_square", std::move(y), {in[0]},
                   [x = in[0]](const auto& g, const auto&, auto& grads) {
                     grads.set(0, g * 2.0 * x.value());
                   },
                   [](const auto& g, const auto&, auto& grads) {
                     grads.set(0, g * grads.input(0) * 2.0002);
                   });
  };
  GradcheckResult r = gradgradcheck(wrong_square, {vec({0.5, -1.5})});
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.message, Contains("differentiable backward") && Contains("input 0"));
}
