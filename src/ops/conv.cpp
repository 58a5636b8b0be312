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

using Strides = std::array<std::size_t, 2>;

// conv2d's gradients as ops of their own (TensorFlow's Conv2DBackpropInput and
// Conv2DBackpropFilter), each with a differentiable backward, so that conv2d's gradient can be
// differentiated again. Both are linear in each of their inputs; their gradients are conv2d
// and each other. `geo` is conv2d's geometry (input [n, h, w, c], filter [kh, kw, c, o]).

/// dL/d(input) of conv2d: col2im(g W^T), g [n, oh, ow, o] and filter [kh, kw, c, o].
template <class T>
BasicTensor<T> conv2d_backprop_input(const BasicTensor<T>& g, const BasicTensor<T>& filter,
                                     const kernels::ConvGeometry& geo, Strides strides,
                                     Padding padding);
/// dL/d(filter) of conv2d: im2col(x)^T g, x [n, h, w, c] and g [n, oh, ow, o].
template <class T>
BasicTensor<T> conv2d_backprop_filter(const BasicTensor<T>& x, const BasicTensor<T>& g,
                                      const kernels::ConvGeometry& geo, Strides strides,
                                      Padding padding);

/// conv2d's output (as an array) for input x and filter w.
template <class T>
xt::xarray<T> conv_output(const kernels::ConvGeometry& geo, const T* x, const T* w) {
  xt::xarray<T> out = xt::xarray<T>::from_shape({geo.n, geo.oh, geo.ow, geo.o});
  kernels::conv2d_forward<T>(geo, x, w, out.data());
  return out;
}

/// conv2d's input gradient (as an array) for output gradient g and filter w.
template <class T>
xt::xarray<T> conv_input_grad(const kernels::ConvGeometry& geo, const T* w, const T* g) {
  xt::xarray<T> dx = xt::xarray<T>::from_shape({geo.n, geo.h, geo.w, geo.c});
  kernels::conv2d_backward<T>(geo, nullptr, w, g, dx.data(), nullptr);
  return dx;
}

/// conv2d's filter gradient (as an array) for input x and output gradient g.
template <class T>
xt::xarray<T> conv_filter_grad(const kernels::ConvGeometry& geo, const T* x, const T* g) {
  xt::xarray<T> dw = xt::xarray<T>::from_shape({geo.kh, geo.kw, geo.c, geo.o});
  kernels::conv2d_backward<T>(geo, x, nullptr, g, nullptr, dw.data());
  return dw;
}

template <class T>
BasicTensor<T> conv2d_backprop_input(const BasicTensor<T>& g, const BasicTensor<T>& filter,
                                     const kernels::ConvGeometry& geo, Strides strides,
                                     Padding padding) {
  return make_op(
      "conv2d_backprop_input", conv_input_grad(geo, filter.value().data(), g.value().data()),
      {g, filter},
      [g, filter, geo](const auto& gg, const auto&, auto& grads) {
        // gg has the input's shape: d/dg = conv2d(gg, W), d/dW = im2col(gg)^T g.
        if (grads.needs(0)) grads.set(0, conv_output(geo, gg.data(), filter.value().data()));
        if (grads.needs(1)) grads.set(1, conv_filter_grad(geo, gg.data(), g.value().data()));
      },
      [geo, strides, padding](const auto& gg, const auto&, auto& grads) {
        if (grads.needs(0)) grads.set(0, conv2d(gg, grads.input(1), strides, padding));
        if (grads.needs(1)) {
          grads.set(1, conv2d_backprop_filter(gg, grads.input(0), geo, strides, padding));
        }
      });
}

template <class T>
BasicTensor<T> conv2d_backprop_filter(const BasicTensor<T>& x, const BasicTensor<T>& g,
                                      const kernels::ConvGeometry& geo, Strides strides,
                                      Padding padding) {
  return make_op(
      "conv2d_backprop_filter", conv_filter_grad(geo, x.value().data(), g.value().data()),
      {x, g},
      [x, g, geo](const auto& gw, const auto&, auto& grads) {
        // gw has the filter's shape: d/dx = col2im(g gw^T), d/dg = conv2d(x, gw).
        if (grads.needs(0)) grads.set(0, conv_input_grad(geo, gw.data(), g.value().data()));
        if (grads.needs(1)) grads.set(1, conv_output(geo, x.value().data(), gw.data()));
      },
      [geo, strides, padding](const auto& gw, const auto&, auto& grads) {
        if (grads.needs(0)) {
          grads.set(0, conv2d_backprop_input(grads.input(1), gw, geo, strides, padding));
        }
        if (grads.needs(1)) grads.set(1, conv2d(grads.input(0), gw, strides, padding));
      });
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
                 },
                 [g, strides, padding](const auto& grad, const auto&, auto& grads) {
                   if (grads.needs(0)) {
                     grads.set(0, conv2d_backprop_input(grad, grads.input(1), g, strides, padding));
                   }
                   if (grads.needs(1)) {
                     grads.set(1,
                               conv2d_backprop_filter(grads.input(0), grad, g, strides, padding));
                   }
                 });
}

template BasicTensor<float> conv2d(const BasicTensor<float>&, const BasicTensor<float>&,
                                   std::array<std::size_t, 2>, Padding);
template BasicTensor<double> conv2d(const BasicTensor<double>&, const BasicTensor<double>&,
                                    std::array<std::size_t, 2>, Padding);

}  // namespace xgrad
