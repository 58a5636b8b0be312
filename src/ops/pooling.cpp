#include "xgrad/ops/pooling.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.hpp"
#include "kernels/pooling.hpp"
#include "xgrad/autograd/function.hpp"

namespace xgrad {

namespace {

kernels::ConvGeometry pool_geometry(const char* op, const Shape& in,
                                    std::array<std::size_t, 2> ksize,
                                    std::array<std::size_t, 2> strides, Padding padding) {
  const Shape ks{ksize[0], ksize[1]}, st{strides[0], strides[1]};
  check::check_rank(op, {"input", in}, 4, "NHWC", {{"ksize", ks, false}, {"strides", st, false}});
  const check::Shapes all = {{"input", in}, {"ksize", ks, false}, {"strides", st, false}};
  check::check_shape(ksize[0] > 0 && ksize[1] > 0, op, "ksize must be > 0", all);
  check::check_shape(strides[0] > 0 && strides[1] > 0, op, "strides must be > 0", all);
  const bool same = padding == Padding::Same;
  check::check_shape(same || (ksize[0] <= in[1] && ksize[1] <= in[2]), op,
                     "with VALID padding the window must fit in the input", all);
  return kernels::make_geometry(in[0], in[1], in[2], in[3], ksize[0], ksize[1], in[3], strides[0],
                                strides[1], same);
}

}  // namespace

template <class T>
BasicTensor<T> max_pool2d(const BasicTensor<T>& input, std::array<std::size_t, 2> ksize,
                          std::array<std::size_t, 2> strides, Padding padding) {
  const auto g = pool_geometry("max_pool2d", input.shape(), ksize, strides, padding);
  xt::xarray<T> out = xt::xarray<T>::from_shape({g.n, g.oh, g.ow, g.c});
  auto argmax = std::make_shared<std::vector<kernels::PoolPosition<T>>>(out.size());
  kernels::max_pool_forward<T>(g, input.value().data(), out.data(), argmax->data());
  return make_op("max_pool2d", std::move(out), {input},
                 [argmax, g](const auto& grad, const auto&, auto& grads) {
                   xt::xarray<T> dx = xt::xarray<T>::from_shape({g.n, g.h, g.w, g.c});
                   kernels::max_pool_backward<T>(g, grad.data(), argmax->data(), dx.data());
                   grads.set(0, std::move(dx));
                 });
}

template <class T>
BasicTensor<T> avg_pool2d(const BasicTensor<T>& input, std::array<std::size_t, 2> ksize,
                          std::array<std::size_t, 2> strides, Padding padding) {
  const auto g = pool_geometry("avg_pool2d", input.shape(), ksize, strides, padding);
  xt::xarray<T> out = xt::xarray<T>::from_shape({g.n, g.oh, g.ow, g.c});
  kernels::avg_pool_forward<T>(g, input.value().data(), out.data());
  return make_op("avg_pool2d", std::move(out), {input},
                 [g](const auto& grad, const auto&, auto& grads) {
                   xt::xarray<T> dx = xt::xarray<T>::from_shape({g.n, g.h, g.w, g.c});
                   kernels::avg_pool_backward<T>(g, grad.data(), dx.data());
                   grads.set(0, std::move(dx));
                 });
}

#define XGRAD_INSTANTIATE_POOL(T)                                                           \
  template BasicTensor<T> max_pool2d(const BasicTensor<T>&, std::array<std::size_t, 2>,     \
                                     std::array<std::size_t, 2>, Padding);                  \
  template BasicTensor<T> avg_pool2d(const BasicTensor<T>&, std::array<std::size_t, 2>,     \
                                     std::array<std::size_t, 2>, Padding);
XGRAD_INSTANTIATE_POOL(float)
XGRAD_INSTANTIATE_POOL(double)
#undef XGRAD_INSTANTIATE_POOL

}  // namespace xgrad
