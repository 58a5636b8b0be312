#include "xgrad/ops/elementwise.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <xtensor/xbroadcast.hpp>

#include "check.hpp"
#include "kernels/broadcast.hpp"
#include "xgrad/autograd/function.hpp"
#include "xgrad/ops/shape_ops.hpp"

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
  },
      [](const auto& g, const auto&, auto& grads) {
        if (grads.needs(0)) grads.set(0, sum_to(g, grads.input_shape(0)));
        if (grads.needs(1)) grads.set(1, sum_to(g, grads.input_shape(1)));
      });
}

template <class T>
BasicTensor<T> sub(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  auto out = broadcast_binary("sub", a.value(), b.value(), [](T x, T y) { return x - y; });
  return make_op("sub", std::move(out), {a, b}, [](const auto& g, const auto&, auto& grads) {
    add_backward(g, grads, true);
  },
      [](const auto& g, const auto&, auto& grads) {
        if (grads.needs(0)) grads.set(0, sum_to(g, grads.input_shape(0)));
        if (grads.needs(1)) grads.set(1, neg(sum_to(g, grads.input_shape(1))));
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
  },
      [](const auto& g, const auto&, auto& grads) {
        if (grads.needs(0)) grads.set(0, sum_to(mul(g, grads.input(1)), grads.input_shape(0)));
        if (grads.needs(1)) grads.set(1, sum_to(mul(g, grads.input(0)), grads.input_shape(1)));
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
  },
      [](const auto& g, const auto& out, auto& grads) {
        const auto b = grads.input(1);
        if (grads.needs(0)) grads.set(0, sum_to(div(g, b), grads.input_shape(0)));
        if (grads.needs(1)) grads.set(1, sum_to(neg(div(mul(g, out), b)), grads.input_shape(1)));
      });
}

template <class T>
BasicTensor<T> neg(const BasicTensor<T>& x) {
  xt::xarray<T> out = -x.value();
  return make_op("neg", std::move(out), {x}, [](const auto& g, const auto&, auto& grads) {
    grads.set(0, -g);
  },
      [](const auto& g, const auto&, auto& grads) { grads.set(0, neg(g)); });
}

template <class T>
BasicTensor<T> exp(const BasicTensor<T>& x) {
  xt::xarray<T> out = xt::exp(x.value());
  return make_op("exp", std::move(out), {x}, [](const auto& g, const auto& out, auto& grads) {
    grads.set(0, g * out);
  },
      [](const auto& g, const auto& out, auto& grads) { grads.set(0, mul(g, out)); });
}

template <class T>
BasicTensor<T> log(const BasicTensor<T>& x) {
  xt::xarray<T> out = xt::log(x.value());
  return make_op("log", std::move(out), {x}, [x](const auto& g, const auto&, auto& grads) {
    grads.set(0, g / x.value());
  },
      [](const auto& g, const auto&, auto& grads) { grads.set(0, div(g, grads.input(0))); });
}

template <class T>
BasicTensor<T> sqrt(const BasicTensor<T>& x) {
  xt::xarray<T> out = xt::sqrt(x.value());
  return make_op("sqrt", std::move(out), {x}, [](const auto& g, const auto& out, auto& grads) {
    grads.set(0, g / (T(2) * out));
  },
      [](const auto& g, const auto& out, auto& grads) { grads.set(0, div(g, out * 2.0)); });
}


template <class T>
BasicTensor<T> pow(const BasicTensor<T>& x, const BasicTensor<T>& y) {
  auto out = broadcast_binary("pow", x.value(), y.value(), [](T a, T b) { return std::pow(a, b); });
  return make_op("pow", std::move(out), {x, y}, [x, y](const auto& g, const auto& out, auto& grads) {
    if (grads.needs(0)) {
      auto d = broadcast_binary("pow", x.value(), y.value(),
                                [](T a, T b) { return b * std::pow(a, b - T(1)); });
      grads.set(0, sum_to_shape(xt::xarray<T>(g * d), grads.input_shape(0)));
    }
    if (grads.needs(1)) {
      auto log_x = xt::xarray<T>(xt::broadcast(x.value(), out.shape()));
      for (auto& v : log_x) v = v > T(0) ? std::log(v) : T(0);
      grads.set(1, sum_to_shape(xt::xarray<T>(g * out * log_x), grads.input_shape(1)));
    }
  },
      [](const auto& g, const auto& out, auto& grads) {
        const auto x = grads.input(0), y = grads.input(1);
        if (grads.needs(0)) {
          grads.set(0, sum_to(g * y * pow(x, y - 1.0), grads.input_shape(0)));
        }
        if (grads.needs(1)) {
          // log x where x > 0, else 0 (as the array backward): x is replaced by 1 off that set.
          const xt::xarray<bool> positive = x.value() > T(0);
          const auto ones = BasicTensor<T>::ones(x.shape());
          const auto zeros = BasicTensor<T>::zeros(x.shape());
          const auto log_x = xgrad::where(positive, xgrad::log(xgrad::where(positive, x, ones)), zeros);
          grads.set(1, sum_to(g * out * log_x, grads.input_shape(1)));
        }
      });
}

template <class T>
BasicTensor<T> square(const BasicTensor<T>& x) {
  xt::xarray<T> out = x.value() * x.value();
  return make_op("square", std::move(out), {x}, [x](const auto& g, const auto&, auto& grads) {
    grads.set(0, T(2) * g * x.value());
  },
      [](const auto& g, const auto&, auto& grads) { grads.set(0, g * grads.input(0) * 2.0); });
}

template <class T>
BasicTensor<T> abs(const BasicTensor<T>& x) {
  xt::xarray<T> out = xt::abs(x.value());
  return make_op("abs", std::move(out), {x}, [x](const auto& g, const auto&, auto& grads) {
    grads.set(0, g * xt::sign(x.value()));
  },
      [](const auto& g, const auto&, auto& grads) {
        grads.set(0, mul(g, BasicTensor<T>(xt::xarray<T>(xt::sign(grads.input(0).value())))));
      });
}

namespace {

/// maximum (a wins where a >= b) and minimum (a wins where a <= b): the output is the winner,
/// and the winner takes the whole gradient.
template <class T, class Wins>
BasicTensor<T> select_binary(const char* name, const BasicTensor<T>& a, const BasicTensor<T>& b,
                             Wins a_wins) {
  auto out = broadcast_binary(name, a.value(), b.value(),
                              [a_wins](T x, T y) { return a_wins(x, y) ? x : y; });
  return make_op(name, std::move(out), {a, b},
                 [name, a, b, a_wins](const auto& g, const auto&, auto& grads) {
                   auto to_a = broadcast_binary(name, a.value(), b.value(), [a_wins](T x, T y) {
                     return a_wins(x, y) ? T(1) : T(0);
                   });
                   if (grads.needs(0)) {
                     grads.set(0, sum_to_shape(xt::xarray<T>(g * to_a), grads.input_shape(0)));
                   }
                   if (grads.needs(1)) {
                     grads.set(1, sum_to_shape(xt::xarray<T>(g * (T(1) - to_a)),
                                               grads.input_shape(1)));
                   }
                 },
      [name, a_wins](const auto& g, const auto&, auto& grads) {
                   const auto a = grads.input(0), b = grads.input(1);
                   const BasicTensor<T> to_a(broadcast_binary(
                       name, a.value(), b.value(), [a_wins](T x, T y) { return a_wins(x, y) ? T(1) : T(0); }));
                   if (grads.needs(0)) grads.set(0, sum_to(g * to_a, grads.input_shape(0)));
                   if (grads.needs(1)) grads.set(1, sum_to(g * (1.0 - to_a), grads.input_shape(1)));
                 });
}

}  // namespace

template <class T>
BasicTensor<T> maximum(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return select_binary("maximum", a, b, [](T x, T y) { return x >= y; });
}

template <class T>
BasicTensor<T> minimum(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return select_binary("minimum", a, b, [](T x, T y) { return x <= y; });
}

template <class T>
BasicTensor<T> clip_by_value(const BasicTensor<T>& x, double lo, double hi) {
  if (!(lo <= hi)) {
    check::fail("clip_by_value", "lo must be <= hi, got lo " + check::format_value(lo) + " and hi " +
                                     check::format_value(hi) + " (x shape " +
                                     check::format_shape(x.shape()) + ")");
  }
  const T l = T(lo), h = T(hi);
  xt::xarray<T> out = x.value();
  for (auto& v : out) v = v < l ? l : (v > h ? h : v);
  return make_op("clip_by_value", std::move(out), {x}, [x, l, h](const auto& g, const auto&, auto& grads) {
    xt::xarray<T> gx = grads.take_upstream();
    const T* px = x.value().data();
    T* pg = gx.data();
    for (std::size_t i = 0; i < gx.size(); ++i) {
      if (px[i] < l || px[i] > h) pg[i] = T(0);
    }
    grads.set(0, std::move(gx));
  },
      [l, h](const auto& g, const auto&, auto& grads) {
        xt::xarray<T> inside = grads.input(0).value();
        for (auto& v : inside) v = (v < l || v > h) ? T(0) : T(1);
        grads.set(0, mul(g, BasicTensor<T>(std::move(inside))));
      });
}

template <class T>
BasicTensor<T> where(const xt::xarray<bool>& condition, const BasicTensor<T>& x,
                     const BasicTensor<T>& y) {
  const Shape cs = to_shape(condition.shape());
  const Shape xy = kernels::broadcast_shape("where", x.shape(), y.shape());
  Shape os;
  try {
    os = kernels::broadcast_shape("where", cs, xy);
  } catch (const std::invalid_argument&) {
    check::check_shape(false, "where", "condition must broadcast against x and y",
                       {{"condition", cs}, {"x", x.shape()}, {"y", y.shape()}});
  }
  // The condition at output shape, as 1 / 0, serves the forward and both gradients.
  auto take = std::make_shared<xt::xarray<T>>(xt::cast<T>(xt::broadcast(condition, os)));
  auto bx = xt::broadcast(x.value(), os);
  auto by = xt::broadcast(y.value(), os);
  xt::xarray<T> out = xt::xarray<T>::from_shape(os);
  {
    auto ix = bx.begin();
    auto iy = by.begin();
    const T* c = take->data();
    for (std::size_t i = 0; i < out.size(); ++i, ++ix, ++iy) out.data()[i] = c[i] != T(0) ? *ix : *iy;
  }
  return make_op("where", std::move(out), {x, y}, [take](const auto& g, const auto&, auto& grads) {
    const auto& c = *take;
    if (grads.needs(0)) {
      grads.set(0, sum_to_shape(xt::xarray<T>(g * c), grads.input_shape(0)));
    }
    if (grads.needs(1)) {
      grads.set(1, sum_to_shape(xt::xarray<T>(g * (T(1) - c)), grads.input_shape(1)));
    }
  },
      [take](const auto& g, const auto&, auto& grads) {
        const BasicTensor<T> c(*take);
        if (grads.needs(0)) grads.set(0, sum_to(g * c, grads.input_shape(0)));
        if (grads.needs(1)) grads.set(1, sum_to(g * (1.0 - c), grads.input_shape(1)));
      });
}

template <class T>
BasicTensor<T> log1p(const BasicTensor<T>& x) {
  xt::xarray<T> out = xt::log1p(x.value());
  return make_op("log1p", std::move(out), {x}, [x](const auto& g, const auto&, auto& grads) {
    grads.set(0, g / (T(1) + x.value()));
  },
      [](const auto& g, const auto&, auto& grads) { grads.set(0, div(g, grads.input(0) + 1.0)); });
}

#define XGRAD_INSTANTIATE(T)                                                   \
  template BasicTensor<T> add(const BasicTensor<T>&, const BasicTensor<T>&);   \
  template BasicTensor<T> sub(const BasicTensor<T>&, const BasicTensor<T>&);   \
  template BasicTensor<T> mul(const BasicTensor<T>&, const BasicTensor<T>&);   \
  template BasicTensor<T> div(const BasicTensor<T>&, const BasicTensor<T>&);   \
  template BasicTensor<T> neg(const BasicTensor<T>&);                          \
  template BasicTensor<T> exp(const BasicTensor<T>&);                          \
  template BasicTensor<T> log(const BasicTensor<T>&);                          \
  template BasicTensor<T> sqrt(const BasicTensor<T>&);                         \
  template BasicTensor<T> pow(const BasicTensor<T>&, const BasicTensor<T>&);   \
  template BasicTensor<T> square(const BasicTensor<T>&);                       \
  template BasicTensor<T> abs(const BasicTensor<T>&);                          \
  template BasicTensor<T> maximum(const BasicTensor<T>&, const BasicTensor<T>&); \
  template BasicTensor<T> minimum(const BasicTensor<T>&, const BasicTensor<T>&); \
  template BasicTensor<T> clip_by_value(const BasicTensor<T>&, double, double);  \
  template BasicTensor<T> where(const xt::xarray<bool>&, const BasicTensor<T>&,  \
                                const BasicTensor<T>&);                          \
  template BasicTensor<T> log1p(const BasicTensor<T>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
