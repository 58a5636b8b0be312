#include "xgrad/ops/conv.hpp"

#include <string>

#include "check.hpp"
#include "kernels/conv.hpp"
#include "autograd/tensor_impl.hpp"
#include "xgrad/autograd/function.hpp"

namespace xgrad {

namespace {

kernels::ConvGeometry conv_geometry(const Shape& in, const Shape& f,
                                    std::array<std::size_t, 2> strides, Padding padding) {
  check::check_rank("conv2d", {"input", in}, 4, "NHWC", {{"filter", f}});
  check::check_rank("conv2d", {"filter", f}, 4, "HWIO", {{"input", in}});
  check::check_shape(in[3] == f[2], "conv2d",
                     "the input's channels must equal the filter's input channels",
                     {{"input", in}, {"filter", f}});
  const Shape st{strides[0], strides[1]};
  check::check_shape(strides[0] > 0 && strides[1] > 0, "conv2d", "strides must be > 0",
                     {{"strides", st, false}, {"input", in}, {"filter", f}});
  check::check_shape(f[0] > 0 && f[1] > 0, "conv2d", "the kernel must not be empty",
                     {{"input", in}, {"filter", f}});
  const bool same = padding == Padding::Same;
  check::check_shape(same || (f[0] <= in[1] && f[1] <= in[2]), "conv2d",
                     "with VALID padding the kernel must fit in the input",
                     {{"input", in}, {"filter", f}});
  return kernels::make_geometry(in[0], in[1], in[2], in[3], f[0], f[1], f[3], strides[0], strides[1],
                                same);
}

}  // namespace

template <class T>
BasicTensor<T> conv2d(const BasicTensor<T>& input, const BasicTensor<T>& filter,
                      std::array<std::size_t, 2> strides, Padding padding) {
  const auto g = conv_geometry(input.shape(), filter.shape(), strides, padding);
  xt::xarray<T> out = xt::xarray<T>::from_shape({g.n, g.oh, g.ow, g.o});
  kernels::conv2d_forward<T>(g, input.value().data(), filter.value().data(), out.data());
  return make_op("conv2d", std::move(out), {input, filter},
                 [input, filter, g](const auto& grad, const auto&, auto& grads) {
                   const auto& x = input.value();
                   const auto& w = filter.value();
                   xt::xarray<T> dx = detail::no_array<T>(), dw = detail::no_array<T>();
                   if (grads.needs(0)) dx = xt::xarray<T>::from_shape(x.shape());
                   if (grads.needs(1)) dw = xt::xarray<T>::from_shape(w.shape());
                   kernels::conv2d_backward<T>(g, x.data(), w.data(), grad.data(),
                                               grads.needs(0) ? dx.data() : nullptr,
                                               grads.needs(1) ? dw.data() : nullptr);
                   if (grads.needs(0)) grads.set(0, std::move(dx));
                   if (grads.needs(1)) grads.set(1, std::move(dw));
                 });
}

template BasicTensor<float> conv2d(const BasicTensor<float>&, const BasicTensor<float>&,
                                   std::array<std::size_t, 2>, Padding);
template BasicTensor<double> conv2d(const BasicTensor<double>&, const BasicTensor<double>&,
                                    std::array<std::size_t, 2>, Padding);

}  // namespace xgrad
