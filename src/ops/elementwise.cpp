#include "xgrad/ops/elementwise.hpp"

#include <cmath>

#include "kernels/broadcast.hpp"
#include "xgrad/autograd/function.hpp"

namespace xgrad {

using kernels::broadcast_binary;
using kernels::sum_to_shape;

namespace {

/// Gradients of a + b (negate_b: a - b): g summed to each input's shape. An input of g's own
/// shape (not negated) takes g itself instead of a copy, after the other input has read it.
template <class T>
void add_backward(const xt::xarray<T>& g, autograd::Gradients<T>& grads, bool negate_b) {
  const Shape gs = to_shape(g.shape());
  int pass = -1;
  if (grads.needs(0) && grads.input_shape(0) == gs) {
    pass = 0;
  } else if (!negate_b && grads.needs(1) && grads.input_shape(1) == gs) {
    pass = 1;
  }
  if (grads.needs(0) && pass != 0) grads.set(0, sum_to_shape(g, grads.input_shape(0)));
  if (grads.needs(1) && pass != 1) {
    if (negate_b) {
      grads.set(1, -sum_to_shape(g, grads.input_shape(1)));
    } else {
      grads.set(1, sum_to_shape(g, grads.input_shape(1)));
    }
  }
  if (pass >= 0) grads.set(std::size_t(pass), grads.take_upstream());
}

}  // namespace

template <class T>
BasicTensor<T> add(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  auto out = broadcast_binary("add", a.value(), b.value(), [](T x, T y) { return x + y; });
  return make_op("add", std::move(out), {a, b}, [](const auto& g, const auto&, auto& grads) {
    add_backward(g, grads, false);
  });
}

template <class T>
BasicTensor<T> sub(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  auto out = broadcast_binary("sub", a.value(), b.value(), [](T x, T y) { return x - y; });
  return make_op("sub", std::move(out), {a, b}, [](const auto& g, const auto&, auto& grads) {
    add_backward(g, grads, true);
  });
}

template <class T>
BasicTensor<T> mul(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  auto out = broadcast_binary("mul", a.value(), b.value(), [](T x, T y) { return x * y; });
  return make_op("mul", std::move(out), {a, b}, [a, b](const auto& g, const auto&, auto& grads) {
    auto times = [](T x, T y) { return x * y; };
    if (grads.needs(0)) {
      grads.set(0, sum_to_shape(broadcast_binary("mul", g, b.value(), times), grads.input_shape(0)));
    }
    if (grads.needs(1)) {
      grads.set(1, sum_to_shape(broadcast_binary("mul", g, a.value(), times), grads.input_shape(1)));
    }
  });
}

template <class T>
BasicTensor<T> div(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  auto out = broadcast_binary("div", a.value(), b.value(), [](T x, T y) { return x / y; });
  return make_op("div", std::move(out), {a, b}, [a, b](const auto& g, const auto& out, auto& grads) {
    if (grads.needs(0)) {
      auto ga = broadcast_binary("div", g, b.value(), [](T x, T y) { return x / y; });
      grads.set(0, sum_to_shape(ga, grads.input_shape(0)));
    }
    if (grads.needs(1)) {
      // d(a/b)/db = -(a/b)/b = -out / b
      auto gout = xt::xarray<T>(g * out);
      auto gb = broadcast_binary("div", gout, b.value(), [](T x, T y) { return -x / y; });
      grads.set(1, sum_to_shape(gb, grads.input_shape(1)));
    }
  });
}

template <class T>
BasicTensor<T> neg(const BasicTensor<T>& x) {
  xt::xarray<T> out = -x.value();
  return make_op("neg", std::move(out), {x}, [](const auto& g, const auto&, auto& grads) {
    grads.set(0, -g);
  });
}

template <class T>
BasicTensor<T> exp(const BasicTensor<T>& x) {
  xt::xarray<T> out = xt::exp(x.value());
  return make_op("exp", std::move(out), {x}, [](const auto& g, const auto& out, auto& grads) {
    grads.set(0, g * out);
  });
}

template <class T>
BasicTensor<T> log(const BasicTensor<T>& x) {
  xt::xarray<T> out = xt::log(x.value());
  return make_op("log", std::move(out), {x}, [x](const auto& g, const auto&, auto& grads) {
    grads.set(0, g / x.value());
  });
}

template <class T>
BasicTensor<T> sqrt(const BasicTensor<T>& x) {
  xt::xarray<T> out = xt::sqrt(x.value());
  return make_op("sqrt", std::move(out), {x}, [](const auto& g, const auto& out, auto& grads) {
    grads.set(0, g / (T(2) * out));
  });
}

#define XGRAD_INSTANTIATE(T)                                                   \
  template BasicTensor<T> add(const BasicTensor<T>&, const BasicTensor<T>&);   \
  template BasicTensor<T> sub(const BasicTensor<T>&, const BasicTensor<T>&);   \
  template BasicTensor<T> mul(const BasicTensor<T>&, const BasicTensor<T>&);   \
  template BasicTensor<T> div(const BasicTensor<T>&, const BasicTensor<T>&);   \
  template BasicTensor<T> neg(const BasicTensor<T>&);                          \
  template BasicTensor<T> exp(const BasicTensor<T>&);                          \
  template BasicTensor<T> log(const BasicTensor<T>&);                          \
  template BasicTensor<T> sqrt(const BasicTensor<T>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
