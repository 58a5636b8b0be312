#include "xgrad/ops/reduction.hpp"

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "check.hpp"
#include "kernels/reduce.hpp"
#include "xgrad/autograd/function.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/ops/shape_ops.hpp"

namespace xgrad {

namespace {

/// g, of a reduction's output shape, laid back over x's shape `xs` with differentiable ops:
/// the reduced axes (`red`) restored as 1s, then broadcast.
template <class T>
BasicTensor<T> spread_back(const BasicTensor<T>& g, const Shape& xs, const std::vector<bool>& red) {
  const Shape keep = kernels::reduced_shape(xs, red, true);
  BasicTensor<T> kept = g;
  if (g.shape() != keep) kept = reshape(g, std::vector<long>(keep.begin(), keep.end()));
  return broadcast_to(kept, xs);
}

template <class T>
BasicTensor<T> reduce_impl(const char* name, const BasicTensor<T>& x, const Axes& axes,
                           bool keepdims, bool mean) {
  const auto& xv = x.value();
  const Shape xs = to_shape(xv.shape());
  auto red = kernels::reduced_axes(name, axes, xs);
  const Shape os = kernels::reduced_shape(xs, red, keepdims);
  const std::size_t cnt = kernels::reduced_count(xs, red);
  const T scale = mean ? (cnt == 0 ? T(0) : T(1) / T(cnt)) : T(1);
  xt::xarray<T> out = xt::xarray<T>::from_shape(os);
  kernels::reduce_sum(xv.data(), xs, red, out.data(), out.size(), scale);
  if (mean && cnt == 0) out.fill(std::numeric_limits<T>::quiet_NaN());
  auto spread = [xs, red, scale](const auto& g, const auto&, auto& grads) {
    const auto gx = spread_back(g, xs, red);
    grads.set(0, scale == T(1) ? gx : gx * double(scale));
  };
  return make_op(name, std::move(out), {x},
                 [xs, red = std::move(red), scale](const auto& g, const auto&, auto& grads) {
                   xt::xarray<T> gx = xt::xarray<T>::from_shape(xs);
                   kernels::broadcast_back(g.data(), xs, red, gx.data(), scale);
                   grads.set(0, std::move(gx));
                 },
                 std::move(spread));
}

}  // namespace

template <class T>
BasicTensor<T> reduce_sum(const BasicTensor<T>& x, const Axes& axes, bool keepdims) {
  return reduce_impl("reduce_sum", x, axes, keepdims, false);
}

template <class T>
BasicTensor<T> reduce_mean(const BasicTensor<T>& x, const Axes& axes, bool keepdims) {
  return reduce_impl("reduce_mean", x, axes, keepdims, true);
}

template <class T>
Moments<T> moments(const BasicTensor<T>& x, const Axes& axes, bool keepdims) {
  const auto& xv = x.value();
  const Shape xs = to_shape(xv.shape());
  auto red = kernels::reduced_axes("moments", axes, xs);
  const Shape os = kernels::reduced_shape(xs, red, keepdims);
  const std::size_t cnt = kernels::reduced_count(xs, red);
  const T inv_n = cnt == 0 ? T(0) : T(1) / T(cnt);

  // Mean: a reduce_mean (differentiable on its own).
  BasicTensor<T> mean = reduce_impl("moments", x, axes, keepdims, true);
  const T* m = mean.value().data();
  const T* px = xv.data();

  // Biased variance, fused: mean over the reduced axes of (x - mean)^2 (two-pass, stable).
  xt::xarray<T> var = xt::xarray<T>::from_shape(os);
  T* v = var.data();
  std::fill(v, v + var.size(), T(0));
  kernels::for_each_run(xs, red, [&](std::size_t xo, std::size_t oo, std::size_t len, bool ir) {
    const T* p = px + xo;
    if (ir) {
      v[oo] += kernels::vmath<T>().sum_sq_dev(p, m[oo], len);
    } else {
      const T* pm = m + oo;
      T* pv = v + oo;
      for (std::size_t j = 0; j < len; ++j) {
        const T d = p[j] - pm[j];
        pv[j] += d * d;
      }
    }
  });
  for (std::size_t i = 0; i < var.size(); ++i) v[i] *= inv_n;
  if (cnt == 0) var.fill(std::numeric_limits<T>::quiet_NaN());

  // d var / d x = 2 (x - mean) / n; the mean's own dependence on x cancels (sum(x - mean) = 0).
  auto mean_value = std::make_shared<const xt::xarray<T>>(mean.value());
  // Differentiably, the mean is recomputed from x: the second derivative depends on it.
  auto spread = [xs, red, axes, inv_n](const auto& g, const auto&, auto& grads) {
    const auto x = grads.input(0);
    const auto centred = x - reduce_mean(x, axes, true);
    grads.set(0, spread_back(g, xs, red) * centred * (2.0 * double(inv_n)));
  };
  BasicTensor<T> variance = make_op(
      "moments_variance", std::move(var), {x},
      [x, xs, red = std::move(red), inv_n, mean_value](const auto& g, const auto&, auto& grads) {
        const T* px = x.value().data();
        const T* m = mean_value->data();
        const T* pg = g.data();
        xt::xarray<T> gx = xt::xarray<T>::from_shape(xs);
        T* o = gx.data();
        const T two_n = T(2) * inv_n;
        kernels::for_each_run(xs, red,
                              [&](std::size_t xo, std::size_t oo, std::size_t len, bool ir) {
                                const T* p = px + xo;
                                T* q = o + xo;
                                if (ir) {
                                  const T mu = m[oo], c = two_n * pg[oo];
                                  for (std::size_t j = 0; j < len; ++j) q[j] = c * (p[j] - mu);
                                } else {
                                  const T* pm = m + oo;
                                  const T* gg = pg + oo;
                                  for (std::size_t j = 0; j < len; ++j) {
                                    q[j] = two_n * gg[j] * (p[j] - pm[j]);
                                  }
                                }
                              });
        grads.set(0, std::move(gx));
      },
      std::move(spread));
  return {mean, variance};
}

template <class T>
xt::xarray<std::int64_t> argmax(const BasicTensor<T>& x, int axis) {
  const auto& xv = x.value();
  const Shape xs = to_shape(xv.shape());
  const int nd = static_cast<int>(xs.size());
  const int a = static_cast<int>(check::check_axis("argmax", axis, {"x", xs}));
  if (xs[a] == 0) {
    check::fail("argmax", "axis " + std::to_string(axis) + " is empty in x shape " +
                              check::format_shape(xs));
  }
  std::size_t outer = 1, inner = 1;
  for (int i = 0; i < a; ++i) outer *= xs[i];
  for (int i = a + 1; i < nd; ++i) inner *= xs[i];
  const std::size_t k = xs[a];
  Shape os;
  for (int i = 0; i < nd; ++i) {
    if (i != a) os.push_back(xs[i]);
  }
  xt::xarray<std::int64_t> out = xt::xarray<std::int64_t>::from_shape(os);
  const T* p = xv.data();
  std::int64_t* o = out.data();
  for (std::size_t r = 0; r < outer; ++r) {
    for (std::size_t i = 0; i < inner; ++i) {
      const T* base = p + r * k * inner + i;
      std::size_t best = 0;
      T bv = base[0];
      for (std::size_t j = 1; j < k; ++j) {
        const T v = base[j * inner];
        // Strictly greater keeps the first index on ties; a NaN wins (as in NumPy).
        if (v > bv || (v != v && bv == bv)) {
          bv = v;
          best = j;
        }
      }
      o[r * inner + i] = static_cast<std::int64_t>(best);
    }
  }
  return out;
}

namespace {

/// reduce_max (largest) / reduce_min. The gradient goes to every element equal to its output,
/// divided by how many there are.
template <class T>
BasicTensor<T> reduce_extreme(const char* name, const BasicTensor<T>& x, const Axes& axes,
                              bool keepdims, bool largest) {
  const auto& xv = x.value();
  const Shape xs = to_shape(xv.shape());
  auto red = kernels::reduced_axes(name, axes, xs);
  const Shape os = kernels::reduced_shape(xs, red, keepdims);
  xt::xarray<T> out = xt::xarray<T>::from_shape(os);
  const T inf = std::numeric_limits<T>::infinity();
  out.fill(largest ? -inf : inf);
  T* o = out.data();
  const T* px = xv.data();
  auto better = [largest](T v, T best) { return largest ? v > best : v < best; };
  kernels::for_each_run(xs, red, [&](std::size_t xo, std::size_t oo, std::size_t len, bool ir) {
    const T* p = px + xo;
    for (std::size_t j = 0; j < len; ++j) {
      T& best = o[ir ? oo : oo + j];
      if (better(p[j], best) || p[j] != p[j]) best = p[j];  // a NaN wins and stays, as TF
    }
  });
  // Differentiably: g spread over the winners with constant weights 1 / ties (0 elsewhere).
  auto spread = [xs, red](const auto& g, const auto& y, auto& grads) {
    const T* px = grads.input(0).value().data();
    const T* py = y.value().data();
    std::vector<T> ties(y.size(), T(0));
    xt::xarray<T> share = xt::xarray<T>::from_shape(xs);
    T* w = share.data();
    auto visit = [&](auto f) {
      kernels::for_each_run(xs, red, [&](std::size_t xo, std::size_t oo, std::size_t len, bool ir) {
        for (std::size_t j = 0; j < len; ++j) f(xo + j, ir ? oo : oo + j);
      });
    };
    visit([&](std::size_t i, std::size_t k) {
      if (px[i] == py[k]) ties[k] += T(1);
    });
    visit([&](std::size_t i, std::size_t k) { w[i] = px[i] == py[k] ? T(1) / ties[k] : T(0); });
    grads.set(0, spread_back(g, xs, red) * BasicTensor<T>(std::move(share)));
  };
  return make_op(name, std::move(out), {x},
                 [x, xs, red = std::move(red)](const auto& g, const auto& y, auto& grads) {
                   const T* px = x.value().data();
                   const T* py = y.data();
                   const T* pg = g.data();
                   // Ties per output element, then each tied element's share of g.
                   std::vector<T> ties(y.size(), T(0));
                   auto visit = [&](auto f) {
                     kernels::for_each_run(
                         xs, red, [&](std::size_t xo, std::size_t oo, std::size_t len, bool ir) {
                           for (std::size_t j = 0; j < len; ++j) f(xo + j, ir ? oo : oo + j);
                         });
                   };
                   visit([&](std::size_t i, std::size_t k) {
                     if (px[i] == py[k]) ties[k] += T(1);
                   });
                   xt::xarray<T> gx = xt::xarray<T>::from_shape(xs);
                   T* o = gx.data();
                   visit([&](std::size_t i, std::size_t k) {
                     o[i] = px[i] == py[k] ? pg[k] / ties[k] : T(0);
                   });
                   grads.set(0, std::move(gx));
                 },
                 std::move(spread));
}

}  // namespace

template <class T>
BasicTensor<T> reduce_max(const BasicTensor<T>& x, const Axes& axes, bool keepdims) {
  return reduce_extreme("reduce_max", x, axes, keepdims, true);
}

template <class T>
BasicTensor<T> reduce_min(const BasicTensor<T>& x, const Axes& axes, bool keepdims) {
  return reduce_extreme("reduce_min", x, axes, keepdims, false);
}

#define XGRAD_INSTANTIATE(T)                                                          \
  template BasicTensor<T> reduce_sum(const BasicTensor<T>&, const Axes&, bool);       \
  template BasicTensor<T> reduce_mean(const BasicTensor<T>&, const Axes&, bool);      \
  template BasicTensor<T> reduce_max(const BasicTensor<T>&, const Axes&, bool);       \
  template BasicTensor<T> reduce_min(const BasicTensor<T>&, const Axes&, bool);       \
  template Moments<T> moments(const BasicTensor<T>&, const Axes&, bool);              \
  template xt::xarray<std::int64_t> argmax(const BasicTensor<T>&, int);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
