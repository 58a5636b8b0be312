// A program outside the xgrad tree, built against the installed package.
#include <cstdio>
#include <xgrad/xgrad.hpp>

int main() {
  using namespace xgrad;
  Tensor w(xt::xarray<float>{{1.0f, 2.0f}, {3.0f, 4.0f}}, true);
  Tensor x(xt::xarray<float>{{1.0f, 1.0f}});
  Tensor y = matmul(x, w);  // [4, 6]
  y.backward(xt::ones<float>({1, 2}));
  float g = w.grad()(0, 0);
  std::printf("y = [%g, %g], dL/dw00 = %g\n", y.value()(0, 0), y.value()(0, 1), g);
  return (y.value()(0, 1) == 6.0f && g == 1.0f) ? 0 : 1;
}
