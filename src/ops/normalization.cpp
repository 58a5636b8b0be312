#include "xgrad/ops/normalization.hpp"

#include <cmath>
#include <memory>
#include <string>
#include <xtensor/xbroadcast.hpp>

#include "check.hpp"
#include "kernels/broadcast.hpp"
#include "autograd/tensor_impl.hpp"
#include "xgrad/autograd/function.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/ops/shape_ops.hpp"

namespace xgrad {

namespace {

/// One parameter of batch_normalization seen as rows x F over x = [rows, F]: element (r, c)
/// lives at data[r * row_stride + c]. Per-channel parameters ([F], [1, ..., F]) have
/// row_stride 0 and are used in place; anything else is expanded to x's shape once.
template <class T>
struct Param {
  bool defined = false;
  std::size_t row_stride = 0;
  const T* data = nullptr;
  xt::xarray<T> expanded = detail::no_array<T>();  // owns the data when expanded
  Shape shape;
};

template <class T>
Param<T> make_param(const char* what, const BasicTensor<T>& p, const Shape& xs, std::size_t f) {
  Param<T> out;
  if (!p.defined()) return out;
  out.defined = true;
  out.shape = p.shape();
  bool ok = out.shape.size() <= xs.size();
  for (std::size_t i = 0; ok && i < out.shape.size(); ++i) {
    const std::size_t d = out.shape[out.shape.size() - 1 - i];
    ok = d == 1 || d == xs[xs.size() - 1 - i];
  }
  check::check_shape(ok, "batch_normalization", std::string(what) + " must broadcast against x",
                     {{what, out.shape}, {"x", xs}});
  // Per-channel: every dimension 1 except possibly the last, which equals F.
  bool per_channel = !xs.empty() && num_elements(out.shape) == f;
  for (std::size_t i = 0; per_channel && i + 1 < out.shape.size(); ++i) {
    per_channel = out.shape[i] == 1;
  }
  if (per_channel && (out.shape.empty() || out.shape.back() == f)) {
    out.row_stride = 0;
    out.data = p.value().data();
  } else {
    out.expanded = xt::broadcast(p.value(), xs);
    out.row_stride = f;
    out.data = out.expanded.data();
  }
  return out;
}

/// A gradient accumulated as rows x F (row_stride 0: summed over rows), then reduced to the
/// parameter's shape.
template <class T>
xt::xarray<T> finish_grad(const Param<T>& p, xt::xarray<T>&& acc, const Shape& xs) {
  if (p.row_stride == 0) {
    xt::xarray<T> out = xt::xarray<T>::from_shape(p.shape);
    std::copy(acc.data(), acc.data() + acc.size(), out.data());
    return out;
  }
  xt::xarray<T> full = xt::xarray<T>::from_shape(xs);
  std::copy(acc.data(), acc.data() + acc.size(), full.data());
  return kernels::sum_to_shape(full, p.shape);
}

}  // namespace

template <class T>
BasicTensor<T> batch_normalization(const BasicTensor<T>& x, const BasicTensor<T>& mean,
                                   const BasicTensor<T>& variance, const BasicTensor<T>& offset,
                                   const BasicTensor<T>& scale, double eps) {
  if (!x.defined() || !mean.defined() || !variance.defined()) {
    check::fail("batch_normalization", "x, mean and variance must be defined");
  }
  // The same rule as fused_batch_norm's: eps 0 turns a zero variance into 0 / 0.
  check::check_positive("batch_normalization", "eps", eps, {{"x", x.shape()}});
  const auto& xv = x.value();
  const Shape xs = to_shape(xv.shape());
  const std::size_t n = xv.size();
  const std::size_t f = xs.empty() ? 1 : xs.back();
  const std::size_t rows = f == 0 ? 0 : n / f;
  auto pm = std::make_shared<Param<T>>(make_param("mean", mean, xs, f));
  auto pv = std::make_shared<Param<T>>(make_param("variance", variance, xs, f));
  auto po = std::make_shared<Param<T>>(make_param("offset", offset, xs, f));
  auto ps = std::make_shared<Param<T>>(make_param("scale", scale, xs, f));
  const T e = static_cast<T>(eps);

  xt::xarray<T> out = xt::xarray<T>::from_shape(xs);
  {
    const T* px = xv.data();
    T* o = out.data();
    // inv = scale / sqrt(var + eps), one row at a time (F entries).
    std::vector<T> a(f), b(f), mu(f);
    const bool per_channel = pm->row_stride == 0 && pv->row_stride == 0 &&
                             (!po->defined || po->row_stride == 0) &&
                             (!ps->defined || ps->row_stride == 0);
    for (std::size_t r = 0; r < rows; ++r) {
      if (r == 0 || !per_channel) {
        // y = (x - mean) * a + offset with a = scale / sqrt(var + eps). NOTE: not TF's
        // x * a + (offset - mean * a): with FMA contraction that form misses `offset` by an ulp
        // when a channel holds one value (x == mean), where the output must be exactly offset.
        const T* m = pm->data + r * pm->row_stride;
        const T* v = pv->data + r * pv->row_stride;
        const T* s = ps->defined ? ps->data + r * ps->row_stride : nullptr;
        const T* of = po->defined ? po->data + r * po->row_stride : nullptr;
        for (std::size_t c = 0; c < f; ++c) {
          const T ac = (s ? s[c] : T(1)) / std::sqrt(v[c] + e);
          a[c] = ac;
          b[c] = of ? of[c] : T(0);
          mu[c] = m[c];
        }
      }
      const T* xr = px + r * f;
      T* orow = o + r * f;
      const T* pa = a.data();
      const T* pb = b.data();
      const T* pm_row = mu.data();
      for (std::size_t c = 0; c < f; ++c) orow[c] = (xr[c] - pm_row[c]) * pa[c] + pb[c];
    }
  }

  std::vector<BasicTensor<T>> inputs{x, mean, variance};
  const std::size_t io = offset.defined() ? inputs.size() : std::size_t(-1);
  if (offset.defined()) inputs.push_back(offset);
  const std::size_t is = scale.defined() ? inputs.size() : std::size_t(-1);
  if (scale.defined()) inputs.push_back(scale);

  // The same gradients with differentiable ops, for autograd::grad with create_graph.
  auto differentiable = [e, io, is](const auto& g, const auto&, auto& grads) {
    const auto x = grads.input(0), mean = grads.input(1), variance = grads.input(2);
    const auto inv = 1.0 / sqrt(variance + double(e));
    const auto sc = is != std::size_t(-1) ? grads.input(is) * inv : inv;
    const auto centred = x - mean;
    if (grads.needs(0)) grads.set(0, g * sc);
    if (grads.needs(1)) grads.set(1, sum_to(-(g * sc), grads.input_shape(1)));
    if (grads.needs(2)) {
      grads.set(2, sum_to(g * centred * (sc * inv * inv) * -0.5, grads.input_shape(2)));
    }
    if (io != std::size_t(-1) && grads.needs(io)) grads.set(io, sum_to(g, grads.input_shape(io)));
    if (is != std::size_t(-1) && grads.needs(is)) {
      grads.set(is, sum_to(g * centred * inv, grads.input_shape(is)));
    }
  };
  return make_op(
      "batch_normalization", std::move(out), std::move(inputs),
      [x, pm, pv, po, ps, e, xs, rows, f, io, is](const auto& g, const auto&, auto& grads) {
        const bool need_x = grads.needs(0), need_m = grads.needs(1), need_v = grads.needs(2);
        const bool need_o = io != std::size_t(-1) && grads.needs(io);
        const bool need_s = is != std::size_t(-1) && grads.needs(is);
        const T* px = x.value().data();
        const T* pg = g.data();
        auto acc_for = [&](const Param<T>& p, bool need) {
          xt::xarray<T> acc = detail::no_array<T>();
          if (need) {
            acc = xt::xarray<T>::from_shape({p.row_stride == 0 ? f : rows * f});
            acc.fill(T(0));
          }
          return acc;
        };
        xt::xarray<T> gx = detail::no_array<T>();
        if (need_x) gx = xt::xarray<T>::from_shape(xs);
        xt::xarray<T> gm = acc_for(*pm, need_m), gv = acc_for(*pv, need_v);
        xt::xarray<T> go = acc_for(*po, need_o), gs = acc_for(*ps, need_s);
        // Per-channel coefficients, computed once (per row only for non-channel params):
        //   inv = 1/sqrt(var + eps), sc = scale * inv, kv = -0.5 * sc * inv^2.
        //   dx = g sc; dmean = -sum(g sc); dvar = sum(g kv (x - mean));
        //   doffset = sum(g); dscale = sum(g (x - mean) inv).
        const bool per_channel = pm->row_stride == 0 && pv->row_stride == 0 &&
                                 (!ps->defined || ps->row_stride == 0);
        std::vector<T> inv_b(f), sc_b(f), kv_b(f);
        T* inv = inv_b.data();
        T* sc = sc_b.data();
        T* kv = kv_b.data();
        for (std::size_t r = 0; r < rows; ++r) {
          const T* m = pm->data + r * pm->row_stride;
          if (r == 0 || !per_channel) {
            const T* v = pv->data + r * pv->row_stride;
            const T* s = ps->defined ? ps->data + r * ps->row_stride : nullptr;
            for (std::size_t c = 0; c < f; ++c) {
              const T ic = T(1) / std::sqrt(v[c] + e);
              inv[c] = ic;
              sc[c] = (s ? s[c] : T(1)) * ic;
              kv[c] = T(-0.5) * sc[c] * ic * ic;
            }
          }
          const T* xr = px + r * f;
          const T* gr = pg + r * f;
          if (need_x) {
            T* o = gx.data() + r * f;
            for (std::size_t c = 0; c < f; ++c) o[c] = gr[c] * sc[c];
          }
          if (need_m) {
            T* o = gm.data() + r * pm->row_stride;
            for (std::size_t c = 0; c < f; ++c) o[c] -= gr[c] * sc[c];
          }
          if (need_v) {
            T* o = gv.data() + r * pv->row_stride;
            for (std::size_t c = 0; c < f; ++c) o[c] += gr[c] * kv[c] * (xr[c] - m[c]);
          }
          if (need_o) {
            T* o = go.data() + r * po->row_stride;
            for (std::size_t c = 0; c < f; ++c) o[c] += gr[c];
          }
          if (need_s) {
            T* o = gs.data() + r * ps->row_stride;
            for (std::size_t c = 0; c < f; ++c) o[c] += gr[c] * (xr[c] - m[c]) * inv[c];
          }
        }
        if (need_x) grads.set(0, std::move(gx));
        if (need_m) grads.set(1, finish_grad(*pm, std::move(gm), xs));
        if (need_v) grads.set(2, finish_grad(*pv, std::move(gv), xs));
        if (need_o) grads.set(io, finish_grad(*po, std::move(go), xs));
        if (need_s) grads.set(is, finish_grad(*ps, std::move(gs), xs));
      },
      std::move(differentiable));
}

template BasicTensor<float> batch_normalization(const BasicTensor<float>&,
                                                const BasicTensor<float>&,
                                                const BasicTensor<float>&,
                                                const BasicTensor<float>&,
                                                const BasicTensor<float>&, double);
template BasicTensor<double> batch_normalization(const BasicTensor<double>&,
                                                 const BasicTensor<double>&,
                                                 const BasicTensor<double>&,
                                                 const BasicTensor<double>&,
                                                 const BasicTensor<double>&, double);

}  // namespace xgrad
