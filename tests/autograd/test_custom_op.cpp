// README example: defining your own op and unit-testing its gradient with gradcheck.
// The README quotes this file between the markers; a test keeps the two in sync.
// [readme-custom-op-begin]
#include <catch2/catch.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;

// softplus(x) = log(1 + e^x), written stably; its derivative is sigmoid(x).
template <class T>
BasicTensor<T> softplus(const BasicTensor<T>& x) {
  xt::xarray<T> y = xt::maximum(x.value(), T(0)) + xt::log1p(xt::exp(-xt::abs(x.value())));
  return make_op("softplus", std::move(y), {x},
                 [x](const xt::xarray<T>& grad_out, const xt::xarray<T>& /*out*/,
                     autograd::Gradients<T>& grads) {
                   grads.set(0, grad_out / (T(1) + xt::exp(-x.value())));
                 });
}

TEST_CASE("softplus: value and gradient", "[custom-op]") {
  Tensor64 x(xt::xarray<double>{-3.0, 0.0, 0.5, 40.0}, /*requires_grad=*/true);
  REQUIRE(softplus(x).value()(1) == Approx(std::log(2.0)));

  GradcheckResult r = gradcheck(
      [](const std::vector<Tensor64>& in) { return softplus(in[0]); }, {x});
  INFO(r.message);  // worst error, where, analytic vs numeric
  REQUIRE(r.ok);
}
// [readme-custom-op-end]
