#include "xgrad/ops/activation.hpp"

#include <cmath>
#include <string>

#include "check.hpp"
#include "config.hpp"
#include "kernels/broadcast.hpp"
#include "kernels/parallel.hpp"
#include "kernels/vmath.hpp"
#include "xgrad/autograd/function.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/ops/reduction.hpp"

namespace xgrad {

namespace {

using config::kElementwiseGrain;
using config::kTranscendentalGrain;

/// dL/dx = f(g, y) elementwise, for activations whose derivative is a function of the output
/// (g and y have the output's shape), written over the output gradient's own buffer.
template <class T, class F>
xt::xarray<T> map_grad(autograd::Gradients<T>& grads, const xt::xarray<T>& y, F f) {
  xt::xarray<T> gx = grads.take_upstream();
  T* pg = gx.data();
  const T* py = y.data();
  kernels::parallel_for(y.size(), kElementwiseGrain, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) pg[i] = f(pg[i], py[i]);
  });
  return gx;
}

}  // namespace

template <class T>
BasicTensor<T> sigmoid(const BasicTensor<T>& x) {
  const auto& xv = x.value();
  xt::xarray<T> out = xt::xarray<T>::from_shape(xv.shape());
  const T* p = xv.data();
  T* o = out.data();
  const std::size_t n = xv.size();
  // e^-|x| never overflows; sigmoid(x) = 1/(1+e) for x >= 0, e/(1+e) otherwise.
  kernels::parallel_for(n, kTranscendentalGrain, [&](std::size_t b, std::size_t e) {
    kernels::vmath<T>().sigmoid(p + b, o + b, e - b);
  });
  return make_op("sigmoid", std::move(out), {x}, [](const auto&, const auto& y, auto& grads) {
    grads.set(0, map_grad(grads, y, [](T gi, T yi) { return gi * yi * (T(1) - yi); }));
  },
      [](const auto& g, const auto& y, auto& grads) { grads.set(0, g * (y * (1.0 - y))); });
}

template <class T>
BasicTensor<T> relu(const BasicTensor<T>& x) {
  const auto& xv = x.value();
  xt::xarray<T> out = xt::xarray<T>::from_shape(xv.shape());
  const T* p = xv.data();
  T* o = out.data();
  const std::size_t n = xv.size();
  kernels::parallel_for(n, kElementwiseGrain, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) o[i] = p[i] > T(0) ? p[i] : T(0);
  });
  return make_op("relu", std::move(out), {x}, [](const auto& g, const auto& y, auto& grads) {
    // y > 0 exactly where x > 0 (subgradient 0 at x = 0, as in TensorFlow).
    grads.set(0, map_grad(grads, y, [](T gi, T yi) { return yi > T(0) ? gi : T(0); }));
  },
      [](const auto& g, const auto& y, auto& grads) {
        // The mask is a constant: relu's second derivative is 0 away from the kink.
        grads.set(0, g * BasicTensor<T>(xt::xarray<T>(xt::cast<T>(y.value() > T(0)))));
      });
}

template <class T>
BasicTensor<T> tanh(const BasicTensor<T>& x) {
  const auto& xv = x.value();
  xt::xarray<T> out = xt::xarray<T>::from_shape(xv.shape());
  const T* p = xv.data();
  T* o = out.data();
  const std::size_t n = xv.size();
  kernels::parallel_for(n, kTranscendentalGrain, [&](std::size_t b, std::size_t e) {
    kernels::vmath<T>().tanh(p + b, o + b, e - b);
  });
  return make_op("tanh", std::move(out), {x}, [](const auto&, const auto& y, auto& grads) {
    grads.set(0, map_grad(grads, y, [](T gi, T yi) { return gi * (T(1) - yi * yi); }));
  },
      [](const auto& g, const auto& y, auto& grads) { grads.set(0, g * (1.0 - y * y)); });
}

namespace {

/// Rows x classes view of a tensor reduced over its last axis; throws for 0-d input.
template <class T>
void last_axis_dims(const char* op, const xt::xarray<T>& v, std::size_t& rows, std::size_t& cols) {
  check::check_min_rank(op, {"x", to_shape(v.shape())}, 1);
  cols = v.shape()[v.dimension() - 1];
  rows = cols == 0 ? 0 : v.size() / cols;
}

}  // namespace

template <class T>
BasicTensor<T> softmax(const BasicTensor<T>& x) {
  const auto& xv = x.value();
  std::size_t rows = 0, c = 0;
  last_axis_dims("softmax", xv, rows, c);
  xt::xarray<T> out = xt::xarray<T>::from_shape(xv.shape());
  const T* p = xv.data();
  T* o = out.data();
  for (std::size_t r = 0; r < rows; ++r) {
    const T* pr = p + r * c;
    T* orow = o + r * c;
    const auto& vm = kernels::vmath<T>();
    const T s = vm.exp_shift_sum_store(pr, vm.max(pr, c), orow, c);
    const T inv = T(1) / s;
    for (std::size_t j = 0; j < c; ++j) orow[j] *= inv;
  }
  return make_op("softmax", std::move(out), {x},
                 [rows, c](const auto& g, const auto& y, auto& grads) {
                   xt::xarray<T> gx = xt::xarray<T>::from_shape(y.shape());
                   const T* pg = g.data();
                   const T* py = y.data();
                   T* o = gx.data();
                   for (std::size_t r = 0; r < rows; ++r) {
                     const T* gr = pg + r * c;
                     const T* yr = py + r * c;
                     T* orow = o + r * c;
                     T dot = 0;
                     for (std::size_t j = 0; j < c; ++j) dot += gr[j] * yr[j];
                     for (std::size_t j = 0; j < c; ++j) orow[j] = yr[j] * (gr[j] - dot);
                   }
                   grads.set(0, std::move(gx));
                 },
                 [](const auto& g, const auto& y, auto& grads) {
                   grads.set(0, y * (g - reduce_sum(g * y, {-1}, true)));
                 });
}

template <class T>
BasicTensor<T> log_softmax(const BasicTensor<T>& x) {
  const auto& xv = x.value();
  std::size_t rows = 0, c = 0;
  last_axis_dims("log_softmax", xv, rows, c);
  xt::xarray<T> out = xt::xarray<T>::from_shape(xv.shape());
  const T* p = xv.data();
  T* o = out.data();
  for (std::size_t r = 0; r < rows; ++r) {
    const T* pr = p + r * c;
    T* orow = o + r * c;
    const T m = kernels::vmath<T>().max(pr, c);
    const T lse = m + std::log(kernels::vmath<T>().exp_shift_sum(pr, m, c));
    for (std::size_t j = 0; j < c; ++j) orow[j] = pr[j] - lse;
  }
  return make_op("log_softmax", std::move(out), {x},
                 [rows, c](const auto& g, const auto& y, auto& grads) {
                   xt::xarray<T> gx = xt::xarray<T>::from_shape(y.shape());
                   const T* pg = g.data();
                   const T* py = y.data();
                   T* o = gx.data();
                   for (std::size_t r = 0; r < rows; ++r) {
                     const T* gr = pg + r * c;
                     const T* yr = py + r * c;
                     T* orow = o + r * c;
                     T s = 0;
                     for (std::size_t j = 0; j < c; ++j) s += gr[j];
                     kernels::vmath<T>().exp(yr, orow, c);  // softmax = e^y
                     for (std::size_t j = 0; j < c; ++j) orow[j] = gr[j] - orow[j] * s;
                   }
                   grads.set(0, std::move(gx));
                 },
                 [](const auto& g, const auto&, auto& grads) {
                   // softmax recomputed from the logits (TensorFlow's LogSoftmaxGrad).
                   grads.set(0, g - softmax(grads.input(0)) * reduce_sum(g, {-1}, true));
                 });
}

namespace {

/// y = f(x) elementwise over a fresh output, split over threads. (map_grad below is also
/// called with x in place of y, for derivatives that need the input.)
template <class T, class F>
xt::xarray<T> map_value(const xt::xarray<T>& xv, F f) {
  xt::xarray<T> out = xt::xarray<T>::from_shape(xv.shape());
  const T* p = xv.data();
  T* o = out.data();
  kernels::parallel_for(xv.size(), kTranscendentalGrain, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) o[i] = f(p[i]);
  });
  return out;
}

}  // namespace

template <class T>
BasicTensor<T> leaky_relu(const BasicTensor<T>& x, double alpha) {
  const T a = T(alpha);
  auto out = map_value(x.value(), [a](T v) { return v > T(0) ? v : a * v; });
  return make_op("leaky_relu", std::move(out), {x}, [x, a](const auto&, const auto&, auto& grads) {
    grads.set(0, map_grad(grads, x.value(), [a](T gi, T xi) { return xi > T(0) ? gi : a * gi; }));
  },
      [a](const auto& g, const auto&, auto& grads) {
        xt::xarray<T> slope = grads.input(0).value();
        for (auto& v : slope) v = v > T(0) ? T(1) : a;
        grads.set(0, g * BasicTensor<T>(std::move(slope)));
      });
}

template <class T>
BasicTensor<T> elu(const BasicTensor<T>& x) {
  auto out = map_value(x.value(), [](T v) { return v > T(0) ? v : std::expm1(v); });
  return make_op("elu", std::move(out), {x}, [](const auto&, const auto& y, auto& grads) {
    // y > 0 exactly where x > 0; below, dy/dx = e^x = y + 1 (TensorFlow's EluGrad).
    grads.set(0, map_grad(grads, y, [](T gi, T yi) { return yi > T(0) ? gi : gi * (yi + T(1)); }));
  },
      [](const auto& g, const auto& y, auto& grads) {
        const xt::xarray<bool> positive = y.value() > T(0);
        grads.set(0, g * xgrad::where(positive, BasicTensor<T>::scalar(T(1)), y + 1.0));
      });
}

template <class T>
BasicTensor<T> softplus(const BasicTensor<T>& x) {
  auto out = map_value(x.value(), [](T v) {
    return (v > T(0) ? v : T(0)) + std::log1p(std::exp(-std::abs(v)));
  });
  return make_op("softplus", std::move(out), {x}, [x](const auto&, const auto&, auto& grads) {
    grads.set(0, map_grad(grads, x.value(), [](T gi, T xi) {
      const T e = std::exp(-std::abs(xi));  // sigmoid from e^-|x|: never overflows
      return gi * (xi >= T(0) ? T(1) / (T(1) + e) : e / (T(1) + e));
    }));
  },
      [](const auto& g, const auto&, auto& grads) { grads.set(0, g * sigmoid(grads.input(0))); });
}

namespace {

/// The standard normal density exp(-x^2 / 2) / sqrt(2 pi), from differentiable ops.
template <class T>
BasicTensor<T> normal_pdf(const BasicTensor<T>& x) {
  return exp(x * x * -0.5) * 0.39894228040143267794;
}

/// The standard normal CDF (1 + erf(x / sqrt 2)) / 2 as an op of its own, for the exact gelu's
/// derivative x pdf(x) + cdf(x) to be differentiable again; its own derivative is the density.
template <class T>
BasicTensor<T> normal_cdf(const BasicTensor<T>& x) {
  const T inv_sqrt2 = T(0.70710678118654752440);
  const T inv_sqrt_2pi = T(0.39894228040143267794);
  auto out = map_value(x.value(), [=](T v) { return T(0.5) * (T(1) + std::erf(v * inv_sqrt2)); });
  return make_op("gelu_normal_cdf", std::move(out), {x},
                 [x, inv_sqrt_2pi](const auto&, const auto&, auto& grads) {
                   grads.set(0, map_grad(grads, x.value(), [=](T gi, T xi) {
                     return gi * inv_sqrt_2pi * std::exp(T(-0.5) * xi * xi);
                   }));
                 },
                 [](const auto& g, const auto&, auto& grads) {
                   grads.set(0, g * normal_pdf(grads.input(0)));
                 });
}

}  // namespace

template <class T>
BasicTensor<T> gelu(const BasicTensor<T>& x, bool approximate) {
  const T inv_sqrt2 = T(0.70710678118654752440);
  const T inv_sqrt_2pi = T(0.39894228040143267794);
  const T c = T(0.79788456080286535588);  // sqrt(2 / pi)
  const T k = T(0.044715);
  if (approximate) {
    auto out = map_value(x.value(), [=](T v) {
      return T(0.5) * v * (T(1) + std::tanh(c * (v + k * v * v * v)));
    });
    return make_op("gelu", std::move(out), {x}, [x, c, k](const auto&, const auto&, auto& grads) {
      grads.set(0, map_grad(grads, x.value(), [c, k](T gi, T xi) {
        const T t = std::tanh(c * (xi + k * xi * xi * xi));
        const T du = c * (T(1) + T(3) * k * xi * xi);
        return gi * (T(0.5) * (T(1) + t) + T(0.5) * xi * (T(1) - t * t) * du);
      }));
    },
        [c, k](const auto& g, const auto&, auto& grads) {
          const auto x = grads.input(0);
          const auto x2 = x * x;
          const auto t = tanh((x + x2 * x * double(k)) * double(c));
          const auto du = (x2 * (3.0 * double(k)) + 1.0) * double(c);
          grads.set(0, g * ((t + 1.0) * 0.5 + x * (1.0 - t * t) * du * 0.5));
        });
  }
  auto out = map_value(x.value(), [=](T v) { return T(0.5) * v * (T(1) + std::erf(v * inv_sqrt2)); });
  return make_op("gelu", std::move(out), {x},
                 [x, inv_sqrt2, inv_sqrt_2pi](const auto&, const auto&, auto& grads) {
                   grads.set(0, map_grad(grads, x.value(), [=](T gi, T xi) {
                     const T cdf = T(0.5) * (T(1) + std::erf(xi * inv_sqrt2));
                     const T pdf = inv_sqrt_2pi * std::exp(T(-0.5) * xi * xi);
                     return gi * (cdf + xi * pdf);
                   }));
                 },
                 [](const auto& g, const auto&, auto& grads) {
                   const auto x = grads.input(0);
                   grads.set(0, g * (normal_cdf(x) + x * normal_pdf(x)));
                 });
}

#define XGRAD_INSTANTIATE(T)                                 \
  template BasicTensor<T> sigmoid(const BasicTensor<T>&);    \
  template BasicTensor<T> relu(const BasicTensor<T>&);       \
  template BasicTensor<T> tanh(const BasicTensor<T>&);       \
  template BasicTensor<T> softmax(const BasicTensor<T>&);    \
  template BasicTensor<T> log_softmax(const BasicTensor<T>&);  \
  template BasicTensor<T> leaky_relu(const BasicTensor<T>&, double); \
  template BasicTensor<T> elu(const BasicTensor<T>&);          \
  template BasicTensor<T> softplus(const BasicTensor<T>&);     \
  template BasicTensor<T> gelu(const BasicTensor<T>&, bool);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
