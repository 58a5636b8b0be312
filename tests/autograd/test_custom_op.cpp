// README example: defining your own op and unit-testing its gradient with gradcheck.
// The README quotes this file between the markers; a test keeps the two in sync.
// [readme-custom-op-begin]
#include <catch2/catch.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;

// softsign(x) = x / (1 + |x|); its derivative is 1 / (1 + |x|)^2.
template <class T>
BasicTensor<T> softsign(const BasicTensor<T>& x) {
  xt::xarray<T> y = x.value() / (T(1) + xt::abs(x.value()));
  return make_op("softsign", std::move(y), {x},
                 [x](const xt::xarray<T>& grad_out, const xt::xarray<T>& /*out*/,
                     autograd::Gradients<T>& grads) {
                   grads.set(0, grad_out / xt::square(T(1) + xt::abs(x.value())));
                 });
}

TEST_CASE("softsign: value and gradient", "[custom-op]") {
  Tensor64 x(xt::xarray<double>{-3.0, -0.5, 1.0, 40.0}, /*requires_grad=*/true);
  REQUIRE(softsign(x).value()(2) == Approx(0.5));

  GradcheckResult r = gradcheck(
      [](const std::vector<Tensor64>& in) { return softsign(in[0]); }, {x});
  INFO(r.message);  // worst error, where, analytic vs numeric
  REQUIRE(r.ok);
}
// [readme-custom-op-end]
