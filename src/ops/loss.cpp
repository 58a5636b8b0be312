#include "xgrad/ops/loss.hpp"

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "check.hpp"
#include "kernels/vmath.hpp"
#include "xgrad/autograd/function.hpp"
#include "xgrad/ops/activation.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/ops/reduction.hpp"
#include "xgrad/ops/shape_ops.hpp"

namespace xgrad {

namespace {

template <class T>
void check_same_shape(const char* op, const BasicTensor<T>& labels, const BasicTensor<T>& logits) {
  check::check_shape(labels.value().shape() == logits.value().shape(), op,
                     "labels and logits must have the same shape",
                     {{"labels", labels.shape()}, {"logits", logits.shape()}});
}

/// A per-row gradient g of shape [...] as [..., 1], to broadcast over a last (class) axis.
template <class T>
BasicTensor<T> per_row(const BasicTensor<T>& g) {
  const Shape gs = g.shape();
  std::vector<long> s(gs.begin(), gs.end());
  s.push_back(1);
  return reshape(g, s);
}

}  // namespace

template <class T>
BasicTensor<T> softmax_cross_entropy_with_logits(const BasicTensor<T>& labels,
                                                 const BasicTensor<T>& logits) {
  const char* name = "softmax_cross_entropy_with_logits";
  check_same_shape(name, labels, logits);
  const auto& xv = logits.value();
  check::check_min_rank(name, {"logits", logits.shape()}, 1);
  const std::size_t c = xv.shape()[xv.dimension() - 1];
  const std::size_t rows = c == 0 ? 0 : xv.size() / c;
  Shape os = to_shape(xv.shape());
  os.pop_back();
  xt::xarray<T> out = xt::xarray<T>::from_shape(os);
  if (c == 0) out.fill(T(0));
  // log_softmax is kept for the backward: softmax = exp(logp), -d/dlabels = logp.
  auto logp = std::make_shared<xt::xarray<T>>(xt::xarray<T>::from_shape(xv.shape()));
  const T* px = xv.data();
  const T* pz = labels.value().data();
  T* lp = logp->data();
  T* o = out.data();
  // Rows are often shorter than a SIMD register (10 classes), so the exps and logs run over
  // the whole [rows, c] block and the row sums at once rather than row by row.
  for (std::size_t r = 0; r < rows; ++r) {
    const T m = kernels::vmath<T>().max(px + r * c, c);
    for (std::size_t j = 0; j < c; ++j) lp[r * c + j] = px[r * c + j] - m;
  }
  {
    std::vector<T> e(rows * c), log_sums(rows);
    kernels::vmath<T>().exp(lp, e.data(), rows * c);
    for (std::size_t r = 0; r < rows; ++r) {
      log_sums[r] = kernels::vmath<T>().sum(e.data() + r * c, c);
    }
    kernels::vmath<T>().log(log_sums.data(), log_sums.data(), rows);
    for (std::size_t r = 0; r < rows; ++r) {
      const T* zr = pz + r * c;
      T* lr = lp + r * c;
      T loss = 0;
      for (std::size_t j = 0; j < c; ++j) {
        lr[j] -= log_sums[r];
        loss -= zr[j] * lr[j];
      }
      o[r] = loss;
    }
  }
  return make_op(name, std::move(out), {labels, logits},
                 [labels, logp, rows, c](const auto& g, const auto&, auto& grads) {
                   const T* pg = g.data();
                   const T* lp = logp->data();
                   if (grads.needs(0)) {
                     xt::xarray<T> gz = xt::xarray<T>::from_shape(logp->shape());
                     T* o = gz.data();
                     for (std::size_t r = 0; r < rows; ++r) {
                       const T gr = pg[r];
                       for (std::size_t j = 0; j < c; ++j) o[r * c + j] = -gr * lp[r * c + j];
                     }
                     grads.set(0, std::move(gz));
                   }
                   if (grads.needs(1)) {
                     // d/dx of -sum(z (x - lse)) = softmax * sum(z) - z.
                     const T* pz = labels.value().data();
                     xt::xarray<T> gx = xt::xarray<T>::from_shape(logp->shape());
                     T* o = gx.data();
                     kernels::vmath<T>().exp(lp, o, rows * c);  // softmax = e^log_softmax
                     for (std::size_t r = 0; r < rows; ++r) {
                       const T* zr = pz + r * c;
                       T* orow = o + r * c;
                       T zs = 0;
                       for (std::size_t j = 0; j < c; ++j) zs += zr[j];
                       const T gr = pg[r];
                       for (std::size_t j = 0; j < c; ++j) orow[j] = gr * (orow[j] * zs - zr[j]);
                     }
                     grads.set(1, std::move(gx));
                   }
                 },
                 // Recomputed from the logits, so the second derivative is exact (the softmax's
                 // own, not zero as a saved softmax would give).
                 [](const auto& g, const auto&, auto& grads) {
                   const auto gr = per_row(g);
                   const auto z = grads.input(0), x = grads.input(1);
                   if (grads.needs(0)) grads.set(0, -(gr * log_softmax(x)));
                   if (grads.needs(1)) {
                     grads.set(1, gr * (softmax(x) * reduce_sum(z, {-1}, true) - z));
                   }
                 });
}

template <class T>
BasicTensor<T> sigmoid_cross_entropy_with_logits(const BasicTensor<T>& labels,
                                                 const BasicTensor<T>& logits) {
  const char* name = "sigmoid_cross_entropy_with_logits";
  check_same_shape(name, labels, logits);
  const auto& xv = logits.value();
  xt::xarray<T> out = xt::xarray<T>::from_shape(xv.shape());
  const T* px = xv.data();
  const T* pz = labels.value().data();
  T* o = out.data();
  const std::size_t n = xv.size();
  for (std::size_t i = 0; i < n; ++i) {
    const T x = px[i];
    o[i] = (x > T(0) ? x : T(0)) - x * pz[i] + std::log1p(std::exp(-std::abs(x)));
  }
  return make_op(name, std::move(out), {labels, logits},
                 [labels, logits](const auto& g, const auto&, auto& grads) {
                   const T* pg = g.data();
                   const T* px = logits.value().data();
                   const std::size_t n = logits.value().size();
                   if (grads.needs(0)) {
                     xt::xarray<T> gz = xt::xarray<T>::from_shape(logits.value().shape());
                     T* o = gz.data();
                     for (std::size_t i = 0; i < n; ++i) o[i] = -pg[i] * px[i];
                     grads.set(0, std::move(gz));
                   }
                   if (grads.needs(1)) {
                     const T* pz = labels.value().data();
                     xt::xarray<T> gx = xt::xarray<T>::from_shape(logits.value().shape());
                     T* o = gx.data();
                     kernels::vmath<T>().sigmoid(px, o, n);
                     for (std::size_t i = 0; i < n; ++i) o[i] = pg[i] * (o[i] - pz[i]);
                     grads.set(1, std::move(gx));
                   }
                 },
                 [](const auto& g, const auto&, auto& grads) {
                   const auto z = grads.input(0), x = grads.input(1);
                   if (grads.needs(0)) grads.set(0, -(g * x));
                   if (grads.needs(1)) grads.set(1, g * (sigmoid(x) - z));
                 });
}

template <class T>
BasicTensor<T> sparse_softmax_cross_entropy_with_logits(const xt::xarray<std::int64_t>& labels,
                                                        const BasicTensor<T>& logits) {
  const char* name = "sparse_softmax_cross_entropy_with_logits";
  const auto& xv = logits.value();
  const Shape xs = logits.shape();
  Shape os = xs;
  if (!os.empty()) os.pop_back();
  const Shape ls = to_shape(labels.shape());
  check::check_shape(!xs.empty() && ls == os, name,
                     "labels must have logits' shape without its last (class) axis",
                     {{"labels", ls}, {"logits", xs}});
  const std::size_t c = xs.back();
  const std::size_t rows = labels.size();
  const std::int64_t* pl = labels.data();
  for (std::size_t r = 0; r < rows; ++r) {
    if (pl[r] < 0 || std::size_t(pl[r]) >= c) {
      check::fail(name, "label " + std::to_string(pl[r]) + " is out of range [0, " +
                            std::to_string(c) + ") for logits shape " + check::format_shape(xs));
    }
  }
  // log_softmax per row, kept for the backward (softmax = e^logp).
  auto logp = std::make_shared<xt::xarray<T>>(xt::xarray<T>::from_shape(xs));
  xt::xarray<T> out = xt::xarray<T>::from_shape(os);
  const T* px = xv.data();
  T* lp = logp->data();
  for (std::size_t r = 0; r < rows; ++r) {
    const T* xr = px + r * c;
    T* lr = lp + r * c;
    const T m = kernels::vmath<T>().max(xr, c);
    const T lse = m + std::log(kernels::vmath<T>().exp_shift_sum(xr, m, c));
    for (std::size_t j = 0; j < c; ++j) lr[j] = xr[j] - lse;
    out.data()[r] = -lr[pl[r]];
  }
  auto ids = std::make_shared<const xt::xarray<std::int64_t>>(labels);
  auto recomputed = [ids, rows, c](const auto& g, const auto&, auto& grads) {
    xt::xarray<T> one_hot = xt::zeros<T>(grads.input_shape(0));
    const std::int64_t* pl = ids->data();
    for (std::size_t r = 0; r < rows; ++r) one_hot.data()[r * c + std::size_t(pl[r])] = T(1);
    grads.set(0, per_row(g) * (softmax(grads.input(0)) - BasicTensor<T>(std::move(one_hot))));
  };
  return make_op(name, std::move(out), {logits},
                 [logp, ids, rows, c](const auto& g, const auto&, auto& grads) {
                   xt::xarray<T> gx = xt::xarray<T>::from_shape(logp->shape());
                   T* o = gx.data();
                   kernels::vmath<T>().exp(logp->data(), o, rows * c);
                   const T* pg = g.data();
                   const std::int64_t* pl = ids->data();
                   for (std::size_t r = 0; r < rows; ++r) {
                     T* orow = o + r * c;
                     orow[pl[r]] -= T(1);
                     for (std::size_t j = 0; j < c; ++j) orow[j] *= pg[r];
                   }
                   grads.set(0, std::move(gx));
                 },
                 std::move(recomputed));
}

namespace {

/// mean over the last axis of f(y_pred - y_true), with dloss/de = df(e) / D: the body of the
/// regression losses. `df_tensor` is df written with differentiable ops (for the
/// differentiable backward). Shapes must match and have at least one axis.
template <class T, class F, class DF, class DFT>
BasicTensor<T> last_axis_mean_loss(const char* name, const BasicTensor<T>& y_true,
                                   const BasicTensor<T>& y_pred, F f, DF df, DFT df_tensor) {
  const Shape ts = y_true.shape(), ps = y_pred.shape();
  check::check_shape(ts == ps && !ps.empty(), name,
                     "y_true and y_pred must have the same shape, at least 1-D",
                     {{"y_true", ts}, {"y_pred", ps}});
  const std::size_t d = ps.back();
  const std::size_t rows = d == 0 ? 0 : num_elements(ps) / d;
  Shape os = ps;
  os.pop_back();
  xt::xarray<T> out = xt::xarray<T>::from_shape(os);
  // The mean over no elements is NaN, as reduce_mean's.
  out.fill(d == 0 ? std::numeric_limits<T>::quiet_NaN() : T(0));
  const T* pt = y_true.value().data();
  const T* pp = y_pred.value().data();
  const T inv_d = d == 0 ? T(0) : T(1) / T(d);
  for (std::size_t r = 0; r < rows; ++r) {
    T s = 0;
    for (std::size_t j = 0; j < d; ++j) s += f(pp[r * d + j] - pt[r * d + j]);
    out.data()[r] = s * inv_d;
  }
  return make_op(name, std::move(out), {y_true, y_pred},
                 [y_true, y_pred, d, inv_d, df](const auto& g, const auto&, auto& grads) {
                   const T* pt = y_true.value().data();
                   const T* pp = y_pred.value().data();
                   const T* pg = g.data();
                   xt::xarray<T> ge = xt::xarray<T>::from_shape(y_pred.value().shape());
                   T* o = ge.data();
                   for (std::size_t i = 0; i < ge.size(); ++i) {
                     o[i] = pg[i / d] * inv_d * df(pp[i] - pt[i]);
                   }
                   if (grads.needs(0)) grads.set(0, -ge);
                   if (grads.needs(1)) grads.set(1, std::move(ge));
                 },
                 [inv_d, df_tensor](const auto& g, const auto&, auto& grads) {
                   const auto ge =
                       per_row(g) * df_tensor(grads.input(1) - grads.input(0)) * double(inv_d);
                   if (grads.needs(0)) grads.set(0, -ge);
                   if (grads.needs(1)) grads.set(1, ge);
                 });
}

}  // namespace

template <class T>
BasicTensor<T> mean_squared_error(const BasicTensor<T>& y_true, const BasicTensor<T>& y_pred) {
  return last_axis_mean_loss(
      "mean_squared_error", y_true, y_pred, [](T e) { return e * e; },
      [](T e) { return T(2) * e; }, [](const BasicTensor<T>& e) { return e * 2.0; });
}

template <class T>
BasicTensor<T> huber_loss(const BasicTensor<T>& y_true, const BasicTensor<T>& y_pred,
                          double delta) {
  check::check_positive("huber_loss", "delta", delta, {{"y_pred", y_pred.shape()}});
  const T dl = T(delta);
  return last_axis_mean_loss(
      "huber_loss", y_true, y_pred,
      [dl](T e) {
        const T a = std::abs(e);
        return a <= dl ? T(0.5) * e * e : dl * a - T(0.5) * dl * dl;
      },
      [dl](T e) { return e < -dl ? -dl : (e > dl ? dl : e); },
      [delta](const BasicTensor<T>& e) { return clip_by_value(e, -delta, delta); });
}

template <class T>
BasicTensor<T> l2_loss(const BasicTensor<T>& x) {
  const auto& xv = x.value();
  T s = 0;
  for (std::size_t i = 0; i < xv.size(); ++i) s += xv.data()[i] * xv.data()[i];
  xt::xarray<T> out = xt::xarray<T>::from_shape({});
  out() = s / T(2);
  return make_op("l2_loss", std::move(out), {x}, [x](const auto& g, const auto&, auto& grads) {
    grads.set(0, g() * x.value());
  },
      [](const auto& g, const auto&, auto& grads) { grads.set(0, g * grads.input(0)); });
}

#define XGRAD_INSTANTIATE(T)                                                                   \
  template BasicTensor<T> softmax_cross_entropy_with_logits(const BasicTensor<T>&,             \
                                                            const BasicTensor<T>&);            \
  template BasicTensor<T> sigmoid_cross_entropy_with_logits(const BasicTensor<T>&,             \
                                                            const BasicTensor<T>&);            \
  template BasicTensor<T> sparse_softmax_cross_entropy_with_logits(                            \
      const xt::xarray<std::int64_t>&, const BasicTensor<T>&);                                 \
  template BasicTensor<T> mean_squared_error(const BasicTensor<T>&, const BasicTensor<T>&);    \
  template BasicTensor<T> huber_loss(const BasicTensor<T>&, const BasicTensor<T>&, double);    \
  template BasicTensor<T> l2_loss(const BasicTensor<T>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
