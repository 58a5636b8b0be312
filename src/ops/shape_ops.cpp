#include "xgrad/ops/shape_ops.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <xtensor/xmanipulation.hpp>

#include <xtensor/xbroadcast.hpp>

#include "check.hpp"
#include "kernels/broadcast.hpp"
#include "xgrad/autograd/function.hpp"

namespace xgrad {

namespace {

/// Copy of `v` (contiguous) with a new shape of the same size.
template <class T>
xt::xarray<T> with_shape(const xt::xarray<T>& v, const Shape& shape) {
  xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
  std::copy(v.data(), v.data() + v.size(), out.data());
  return out;
}

/// Plain 2-D transpose of an [r, c] row-major buffer, blocked for cache reuse.
template <class T>
xt::xarray<T> transpose2d(const xt::xarray<T>& v) {
  const std::size_t r = v.shape()[0], c = v.shape()[1];
  xt::xarray<T> out = xt::xarray<T>::from_shape({c, r});
  const T* s = v.data();
  T* d = out.data();
  constexpr std::size_t B = 32;
  for (std::size_t i0 = 0; i0 < r; i0 += B) {
    const std::size_t i1 = std::min(r, i0 + B);
    for (std::size_t j0 = 0; j0 < c; j0 += B) {
      const std::size_t j1 = std::min(c, j0 + B);
      for (std::size_t i = i0; i < i1; ++i) {
        for (std::size_t j = j0; j < j1; ++j) d[j * r + i] = s[i * c + j];
      }
    }
  }
  return out;
}

template <class T>
BasicTensor<T> reshape_to(const char* name, const BasicTensor<T>& x, const Shape& shape) {
  xt::xarray<T> out = with_shape(x.value(), shape);
  Shape in = x.shape();
  return make_op(
      name, std::move(out), {x},
      [in](const auto& g, const auto&, auto& grads) { grads.set(0, with_shape(g, in)); },
      [name, in](const auto& g, const auto&, auto& grads) {
        grads.set(0, reshape_to(name, g, in));
      });
}

}  // namespace

template <class T>
BasicTensor<T> reshape(const BasicTensor<T>& x, const std::vector<long>& shape) {
  const Shape xs = x.shape();
  const std::size_t n = x.size();
  Shape out(shape.size());
  int infer = -1;
  std::size_t known = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer >= 0) {
        check::fail("reshape", "more than one -1 in shape " + check::format_list(shape) +
                                   " for x shape " + check::format_shape(xs));
      }
      infer = static_cast<int>(i);
    } else if (shape[i] < 0) {
      check::fail("reshape", "negative dimension in shape " + check::format_list(shape) +
                                 " for x shape " + check::format_shape(xs));
    } else {
      out[i] = static_cast<std::size_t>(shape[i]);
      // A wrapped product could match x's size and pass garbage dimensions through.
      if (out[i] != 0 && known > std::numeric_limits<std::size_t>::max() / out[i]) {
        check::fail("reshape", "shape " + check::format_list(shape) +
                                   " has too many elements for x shape " + check::format_shape(xs));
      }
      known *= out[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || n % known != 0) {
      check::fail("reshape", "cannot reshape x shape " + check::format_shape(xs) + " into shape " +
                                 check::format_list(shape));
    }
    out[infer] = n / known;
  } else if (known != n) {
    check::fail("reshape", "cannot reshape x shape " + check::format_shape(xs) + " into shape " +
                               check::format_list(shape));
  }
  return reshape_to("reshape", x, out);
}

template <class T>
BasicTensor<T> flatten(const BasicTensor<T>& x) {
  const Shape xs = x.shape();
  check::check_min_rank("flatten", {"x", xs}, 1);
  std::size_t rest = 1;
  for (std::size_t i = 1; i < xs.size(); ++i) rest *= xs[i];
  return reshape_to("flatten", x, Shape{xs[0], rest});
}

template <class T>
BasicTensor<T> transpose(const BasicTensor<T>& x, const std::vector<std::size_t>& perm) {
  const Shape xs = x.shape();
  const std::size_t nd = xs.size();
  std::vector<std::size_t> p = perm;
  if (p.empty()) {
    p.resize(nd);
    for (std::size_t i = 0; i < nd; ++i) p[i] = nd - 1 - i;
  }
  std::vector<bool> seen(nd, false);
  bool ok = p.size() == nd;
  for (std::size_t i = 0; ok && i < p.size(); ++i) {
    ok = p[i] < nd && !seen[p[i]];
    if (ok) seen[p[i]] = true;
  }
  if (!ok) {
    check::fail("transpose", "perm " + check::format_list(std::vector<long>(perm.begin(), perm.end())) +
                                 " is not a permutation of the axes of x shape " +
                                 check::format_shape(xs));
  }
  std::vector<std::size_t> inv(nd);
  for (std::size_t i = 0; i < nd; ++i) inv[p[i]] = i;
  const auto& xv = x.value();
  xt::xarray<T> out;
  const bool is2d = nd == 2 && p[0] == 1;
  if (is2d) {
    out = transpose2d(xv);
  } else {
    out = xt::transpose(xv, p);
  }
  return make_op("transpose", std::move(out), {x}, [inv, is2d](const auto& g, const auto&, auto& grads) {
    if (is2d) {
      grads.set(0, transpose2d(g));
    } else {
      xt::xarray<T> gx = xt::transpose(g, inv);
      grads.set(0, std::move(gx));
    }
  },
      [inv](const auto& g, const auto&, auto& grads) { grads.set(0, transpose(g, inv)); });
}

template <class T>
BasicTensor<T> broadcast_to(const BasicTensor<T>& x, const Shape& shape) {
  const Shape xs = x.shape();
  if (xs.size() > shape.size() || kernels::broadcast_shape("broadcast_to", xs, shape) != shape) {
    check::check_shape(false, "broadcast_to", "x must broadcast to the target shape",
                       {{"x", xs}, {"target", shape}});
  }
  xt::xarray<T> out = xt::broadcast(x.value(), shape);
  return make_op(
      "broadcast_to", std::move(out), {x},
      [xs](const auto& g, const auto&, auto& grads) { grads.set(0, kernels::sum_to_shape(g, xs)); },
      [xs](const auto& g, const auto&, auto& grads) { grads.set(0, sum_to(g, xs)); });
}

template <class T>
BasicTensor<T> sum_to(const BasicTensor<T>& x, const Shape& shape) {
  const Shape xs = x.shape();
  if (xs == shape) return x;
  if (shape.size() > xs.size() || kernels::broadcast_shape("sum_to", shape, xs) != xs) {
    check::check_shape(false, "sum_to", "the target shape must broadcast to x's shape",
                       {{"x", xs}, {"target", shape}});
  }
  return make_op(
      "sum_to", kernels::sum_to_shape(x.value(), shape), {x},
      [xs](const auto& g, const auto&, auto& grads) {
        grads.set(0, xt::xarray<T>(xt::broadcast(g, xs)));
      },
      [xs](const auto& g, const auto&, auto& grads) { grads.set(0, broadcast_to(g, xs)); });
}

#define XGRAD_INSTANTIATE(T)                                                           \
  template BasicTensor<T> broadcast_to(const BasicTensor<T>&, const Shape&);           \
  template BasicTensor<T> sum_to(const BasicTensor<T>&, const Shape&);                 \
  template BasicTensor<T> reshape(const BasicTensor<T>&, const std::vector<long>&);    \
  template BasicTensor<T> flatten(const BasicTensor<T>&);                              \
  template BasicTensor<T> transpose(const BasicTensor<T>&, const std::vector<std::size_t>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
