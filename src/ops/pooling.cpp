#include "xgrad/ops/pooling.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.hpp"
#include "config.hpp"
#include "kernels/parallel.hpp"
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

using Window2 = std::array<std::size_t, 2>;

// The pooling gradients as ops of their own, each with a differentiable backward, so that a
// pooling op's gradient can be differentiated again (TensorFlow's MaxPoolGrad and
// AvgPoolGrad, whose gradients are again pooling-shaped ops).

/// Flat input offsets of each max-pooling output's maximum (-1: none), shared by the ops.
using Offsets = std::shared_ptr<const std::vector<std::int64_t>>;

/// out[offsets[i]] += v[i] over zeros of `n` elements (the adjoint of take_at), in parts of
/// whole images of the `images` in the batch: the offsets of an image's outputs point into that
/// image, so no two parts add into the same element and the sums keep their serial order.
template <class T>
void scatter_at(const T* v, const std::vector<std::int64_t>& offsets, T* out, std::size_t n,
                std::size_t images) {
  if (images == 0) return;
  const std::size_t per_in = n / images, per_out = offsets.size() / images;
  const int parts = kernels::parts_for(
      kernels::threads_for(double(n + offsets.size()), double(config::kElementwiseGrain)), images);
  kernels::run_parts(parts, [&](int part, int count) {
    const kernels::Range r = kernels::split_range(images, part, count);
    std::fill(out + r.begin * per_in, out + r.end * per_in, T(0));
    for (std::size_t i = r.begin * per_out; i < r.end * per_out; ++i) {
      if (offsets[i] >= 0) out[offsets[i]] += v[i];
    }
  });
}

/// out[i] = v[offsets[i]] (0 where there is none).
template <class T>
void take_at(const T* v, const std::vector<std::int64_t>& offsets, T* out) {
  kernels::parallel_for(offsets.size(), config::kElementwiseGrain, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) out[i] = offsets[i] >= 0 ? v[offsets[i]] : T(0);
  });
}

template <class T>
BasicTensor<T> max_pool_take(const BasicTensor<T>& x, Offsets offsets, const Shape& out_shape);

/// max_pool2d's input gradient: g [n, oh, ow, c] added at each window's argmax in zeros of the
/// input's shape. Linear in g; its gradient takes from the same positions (max_pool_take).
template <class T>
BasicTensor<T> max_pool_backprop(const BasicTensor<T>& g, Offsets offsets, const Shape& in_shape) {
  xt::xarray<T> dx = xt::xarray<T>::from_shape(in_shape);
  scatter_at(g.value().data(), *offsets, dx.data(), dx.size(), in_shape[0]);
  return make_op(
      "max_pool_backprop", std::move(dx), {g},
      [offsets](const auto& gg, const auto&, auto& grads) {
        xt::xarray<T> d = xt::xarray<T>::from_shape(grads.input_shape(0));
        take_at(gg.data(), *offsets, d.data());
        grads.set(0, std::move(d));
      },
      [offsets](const auto& gg, const auto&, auto& grads) {
        grads.set(0, max_pool_take(gg, offsets, grads.input_shape(0)));
      });
}

/// x [n, h, w, c] read at each max-pooling window's argmax: [n, oh, ow, c]. Its gradient is
/// max_pool_backprop at the same positions.
template <class T>
BasicTensor<T> max_pool_take(const BasicTensor<T>& x, Offsets offsets, const Shape& out_shape) {
  xt::xarray<T> out = xt::xarray<T>::from_shape(out_shape);
  take_at(x.value().data(), *offsets, out.data());
  return make_op(
      "max_pool_take", std::move(out), {x},
      [offsets](const auto& gg, const auto&, auto& grads) {
        xt::xarray<T> d = xt::xarray<T>::from_shape(grads.input_shape(0));
        scatter_at(gg.data(), *offsets, d.data(), d.size(), grads.input_shape(0)[0]);
        grads.set(0, std::move(d));
      },
      [offsets](const auto& gg, const auto&, auto& grads) {
        grads.set(0, max_pool_backprop(gg, offsets, grads.input_shape(0)));
      });
}

/// avg_pool2d's input gradient: g [n, oh, ow, c] spread evenly over each window's real
/// elements. Linear; its gradient is avg_pool2d itself (the adjoint of the adjoint).
template <class T>
BasicTensor<T> avg_pool_backprop(const BasicTensor<T>& g, const kernels::ConvGeometry& geo,
                                 Window2 ksize, Window2 strides, Padding padding) {
  xt::xarray<T> dx = xt::xarray<T>::from_shape({geo.n, geo.h, geo.w, geo.c});
  kernels::avg_pool_backward<T>(geo, g.value().data(), dx.data());
  return make_op(
      "avg_pool_backprop", std::move(dx), {g},
      [geo](const auto& gg, const auto&, auto& grads) {
        xt::xarray<T> d = xt::xarray<T>::from_shape({geo.n, geo.oh, geo.ow, geo.c});
        kernels::avg_pool_forward<T>(geo, gg.data(), d.data());
        grads.set(0, std::move(d));
      },
      [ksize, strides, padding](const auto& gg, const auto&, auto& grads) {
        grads.set(0, avg_pool2d(gg, ksize, strides, padding));
      });
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
                 },
                 [argmax, g](const auto& grad, const auto&, auto& grads) {
                   auto offsets = std::make_shared<std::vector<std::int64_t>>(argmax->size());
                   kernels::max_pool_argmax_offsets<T>(g, argmax->data(), offsets->data());
                   grads.set(0, max_pool_backprop(grad, Offsets(std::move(offsets)),
                                                  grads.input_shape(0)));
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
                 },
                 [g, ksize, strides, padding](const auto& grad, const auto&, auto& grads) {
                   grads.set(0, avg_pool_backprop(grad, g, ksize, strides, padding));
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
