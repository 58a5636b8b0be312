// The README's second-derivative example, compiled and run as quoted (tests/readme_sync.cmake).
// [readme-second-order-begin]
#include <catch2/catch.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;

// softsign (above) with a second backward for make_op: the same gradient written with
// xgrad's ops, so that under create_graph it is recorded and can be differentiated again.
template <class T>
BasicTensor<T> softsign2(const BasicTensor<T>& x) {
  xt::xarray<T> y = x.value() / (T(1) + xt::abs(x.value()));
  return make_op(
      "softsign", std::move(y), {x},
      [x](const auto& grad_out, const auto& /*out*/, auto& grads) {  // arrays: backward()
        grads.set(0, grad_out / xt::square(T(1) + xt::abs(x.value())));
      },
      [](const auto& grad_out, const auto& /*out*/, auto& grads) {  // tensors: create_graph
        grads.set(0, grad_out / square(abs(grads.input(0)) + 1.0));
      });
}

TEST_CASE("softsign2: second derivatives", "[custom-op]") {
  Tensor64 x(xt::xarray<double>{-3.0, -0.5, 1.0, 40.0}, /*requires_grad=*/true);
  GradcheckResult r = gradgradcheck(
      [](const std::vector<Tensor64>& in) { return softsign2(in[0]); }, {x});
  INFO(r.message);
  REQUIRE(r.ok);
}

TEST_CASE("a gradient penalty, differentiated through the gradient", "[custom-op]") {
  // penalty(w) = (|d critic / dx| - 1)^2, where critic = sum(softsign2(x w)).
  auto penalty = [](const std::vector<Tensor64>& in) {
    Tensor64 x(xt::xarray<double>{{1.0, 2.0}, {-0.5, 0.3}}, /*requires_grad=*/true);
    Tensor64 critic = reduce_sum(softsign2(matmul(x, in[0])));
    Tensor64 dx = autograd::grad({critic}, {x}, {}, autograd::GradOptions().create_graph(true))[0];
    return square(sqrt(reduce_sum(dx * dx)) - 1.0);
  };
  Tensor64 w(xt::xarray<double>{{0.5, -1.0}, {2.0, 0.3}}, /*requires_grad=*/true);
  GradcheckResult r = gradcheck(penalty, {w});  // backward() through the recorded gradient
  INFO(r.message);
  REQUIRE(r.ok);
}
// [readme-second-order-end]
