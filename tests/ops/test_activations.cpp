// The newer activations at TensorFlow's reference points and corner cases.
#include <cmath>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

template <class F>
xt::xarray<double> grad_of(F f, const xt::xarray<double>& at) {
  Tensor64 x(at, true);
  f(x).backward(xt::ones<double>(at.shape()));
  return x.grad();
}

}  // namespace

TEST_CASE("gelu: exact and tanh forms at tf.nn.gelu's documented values", "[ops][activation]") {
  Tensor64 x(xt::xarray<double>{-3.0, -1.0, 0.0, 1.0, 3.0});
  // tf.nn.gelu(x, approximate=False) and (approximate=True), from TensorFlow's documentation,
  // computed there in float32 (at -3, 1 + erf(-2.12) loses digits): hence the 5e-7 margin.
  const double exact[] = {-0.00404951, -0.15865529, 0.0, 0.8413447, 2.9959507};
  const double tanh_form[] = {-0.00363752, -0.15880796, 0.0, 0.841192, 2.9963627};
  auto e = gelu(x).value();
  auto a = gelu(x, true).value();
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(e(i) == Approx(exact[i]).margin(5e-7));
    CHECK(a(i) == Approx(tanh_form[i]).margin(5e-7));
  }
  // float64 values from Python's math.erf and math.tanh.
  CHECK(e(0) == Approx(-0.004049694).margin(1e-9));
  CHECK(e(3) == Approx(0.8413447460685429).epsilon(1e-14));
  CHECK(a(3) == Approx(0.8411919906082768).epsilon(1e-14));
  // The two forms differ: approximate= is not ignored.
  CHECK(std::abs(e(1) - a(1)) > 1e-4);
}

TEST_CASE("leaky_relu and elu: TensorFlow's gradient at x = 0", "[ops][activation]") {
  // TF's LeakyReluGrad and EluGrad take the x <= 0 branch at 0 for leaky_relu (alpha) and
  // the y >= 0 branch for elu (1, as e^0).
  xt::xarray<double> zero{0.0};
  CHECK(grad_of([](const Tensor64& x) { return leaky_relu(x, 0.3); }, zero)(0) == Approx(0.3));
  CHECK(grad_of([](const Tensor64& x) { return elu(x); }, zero)(0) == 1.0);
  CHECK(leaky_relu(Tensor64(xt::xarray<double>{-2.0}), 0.3).value()(0) == Approx(-0.6));
}

TEST_CASE("softplus: no overflow or underflow for large |x|", "[ops][activation]") {
  xt::xarray<double> x{-800.0, -40.0, 40.0, 800.0};
  auto y = softplus(Tensor64(x)).value();
  CHECK(y(0) == 0.0);
  CHECK(y(1) == Approx(std::exp(-40.0)).epsilon(1e-12));
  CHECK(y(2) == 40.0);
  CHECK(y(3) == 800.0);
  auto g = grad_of([](const Tensor64& t) { return softplus(t); }, x);
  CHECK(g(0) == 0.0);
  CHECK(g(3) == 1.0);
  auto y32 = softplus(Tensor(xt::xarray<float>{-200.f, 200.f})).value();
  CHECK(y32(0) == 0.0f);
  CHECK(y32(1) == 200.0f);
}
