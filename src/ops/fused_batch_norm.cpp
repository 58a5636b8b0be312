// fused_batch_norm: per-feature batch statistics, normalisation and its gradient in a few
// passes over x (kernels/row_blocks.hpp: flat blocks of rows, split over xgrad's threads by
// rows). Sums are taken per thread over contiguous row ranges and added in thread order:
// reproducible for a given thread count. The loops over a block are the instruction set's in
// use (kernels/batch_norm_table.hpp). The per-feature sums pass through BatchNormStatistics,
// which combines them over a larger batch when a subclass says so (dist::SyncBatchNorm).
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "check.hpp"
#include "kernels/batch_norm_table.hpp"
#include "kernels/row_blocks.hpp"
#include "xgrad/autograd/function.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/ops/reduction.hpp"
#include "xgrad/ops/shape_ops.hpp"
#include "xgrad/ops/normalization.hpp"

namespace xgrad {

namespace {

using kernels::period;
using kernels::repeat_to_period;
using kernels::sum_rows;

template <class T>
void check_param(const char* what, const BasicTensor<T>& p, const Shape& xs, std::size_t f) {
  if (p.defined() && (p.shape().size() != 1 || p.shape()[0] != f)) {
    throw std::invalid_argument(std::string("fused_batch_norm: ") + what + " shape " +
                                to_string(p.shape()) + " must be [" + std::to_string(f) +
                                "] for x shape " + to_string(xs));
  }
}

}  // namespace

template <class T>
std::size_t BatchNormStatistics<T>::moments(std::size_t rows, std::size_t f, const T*,
                                            const T* local_mean, const T* m2, T* mean,
                                            T* variance) const {
  if (rows == 0) return 0;
  for (std::size_t c = 0; c < f; ++c) {
    mean[c] = local_mean[c];
    variance[c] = m2[c] / T(rows);
  }
  return rows;
}

template <class T>
void BatchNormStatistics<T>::gradient_means(std::size_t batch_rows, std::size_t f, const T* sums,
                                            const T* inv, T* mean_g, T* k) const {
  for (std::size_t c = 0; c < f; ++c) {
    mean_g[c] = sums[c] / T(batch_rows);
    k[c] = inv[c] * inv[c] * sums[f + c] / T(batch_rows);
  }
}

template <class T>
FusedBatchNorm<T> fused_batch_norm(const BasicTensor<T>& x, const BasicTensor<T>& scale,
                                   const BasicTensor<T>& offset, double eps,
                                   std::shared_ptr<const BatchNormStatistics<
                                       typename std::enable_if<true, T>::type>> statistics) {
  if (!x.defined()) throw std::invalid_argument("fused_batch_norm: x must be defined");
  const Shape xs = x.shape();
  if (xs.empty()) throw std::invalid_argument("fused_batch_norm: x must have at least one axis, got shape []");
  const std::size_t f = xs.back(), n = num_elements(xs), rows = f == 0 ? 0 : n / f;
  if (f == 0 || (rows == 0 && !statistics)) {
    throw std::invalid_argument("fused_batch_norm: x shape " + to_string(xs) +
                                " has no values to take statistics over");
  }
  check::check_positive("fused_batch_norm", "eps", eps, {{"x", xs}});
  check_param("scale", scale, xs, f);
  check_param("offset", offset, xs, f);
  static const auto local = std::make_shared<const BatchNormStatistics<T>>();
  if (!statistics) statistics = local;

  const kernels::BatchNormTable<T>& loops = kernels::active<kernels::BatchNormTable<T>>();
  const T* px = x.value().data();
  // Two passes for this process's statistics (sum, then squared deviations from its mean):
  // stable for large offsets.
  std::vector<T> sum(f), local_mean(f, T(0)), m2(f);
  sum_rows<T>(rows, f, 1, sum.data(),
              [&](std::size_t e, std::size_t n, T* acc) { loops.accumulate(px + e, acc, n); });
  if (rows > 0) {
    for (std::size_t c = 0; c < f; ++c) local_mean[c] = sum[c] / T(rows);
  }
  const std::vector<T> lm_rep = repeat_to_period(local_mean.data(), f);
  sum_rows<T>(rows, f, 1, m2.data(), [&](std::size_t e, std::size_t n, T* acc) {
    loops.accumulate_sq_dev(px + e, lm_rep.data(), acc, n);
  });
  xt::xarray<T> mean = xt::xarray<T>::from_shape({f}), var = xt::xarray<T>::from_shape({f});
  const std::size_t batch_rows =
      statistics->moments(rows, f, sum.data(), local_mean.data(), m2.data(), mean.data(), var.data());
  if (batch_rows == 0) {
    throw std::invalid_argument("fused_batch_norm: the batch has no values to take statistics "
                                "over (x shape " + to_string(xs) + " here)");
  }

  // y = (x - mean) * a + b, a = scale / sqrt(var + eps): exactly b when x == mean.
  auto inv = std::make_shared<std::vector<T>>(f);
  std::vector<T> a(f), b(f);
  const T* s = scale.defined() ? scale.value().data() : nullptr;
  const T* o = offset.defined() ? offset.value().data() : nullptr;
  for (std::size_t c = 0; c < f; ++c) {
    (*inv)[c] = T(1) / std::sqrt(var(c) + T(eps));
    a[c] = (s ? s[c] : T(1)) * (*inv)[c];
    b[c] = o ? o[c] : T(0);
  }
  const std::vector<T> mu_rep = repeat_to_period(mean.data(), f);
  const std::vector<T> a_rep = repeat_to_period(a.data(), f), b_rep = repeat_to_period(b.data(), f);
  xt::xarray<T> y = xt::xarray<T>::from_shape(x.value().shape());
  T* py = y.data();
  kernels::parallel_blocks(rows, f, [&](std::size_t e, std::size_t n) {
    loops.normalize(px + e, mu_rep.data(), a_rep.data(), b_rep.data(), py + e, n);
  });

  BasicTensor<T> mean_t(mean), var_t(var);
  std::vector<BasicTensor<T>> inputs{x};
  const std::size_t is = scale.defined() ? inputs.size() : std::size_t(-1);
  if (scale.defined()) inputs.push_back(scale);
  const std::size_t io = offset.defined() ? inputs.size() : std::size_t(-1);
  if (offset.defined()) inputs.push_back(offset);
  auto saved_mean = mean_t;
  // The gradients with differentiable ops, the statistics recomputed from x (as x's gradient
  // depends on x through them), so that the second derivative is exact. Only for this
  // process's statistics: a subclass's (other processes' rows) has none, and differentiating
  // its gradient again throws naming the op.
  autograd::DifferentiableBackwardFn<T> differentiable;
  if (typeid(*statistics) == typeid(BatchNormStatistics<T>)) {
    differentiable = [is, io, eps, rows, f](const auto& g, const auto&, auto& grads) {
      const Shape xs = grads.input_shape(0);
      const std::vector<long> flat{long(rows), long(f)};
      const auto x = reshape(grads.input(0), flat);
      const auto gr = reshape(g, flat);
      const auto centred = x - reduce_mean(x, {0}, true);
      const auto inv = 1.0 / sqrt(reduce_mean(centred * centred, {0}, true) + eps);
      const auto xhat = centred * inv;
      if (is != std::size_t(-1) && grads.needs(is)) grads.set(is, reduce_sum(gr * xhat, {0}));
      if (io != std::size_t(-1) && grads.needs(io)) grads.set(io, reduce_sum(gr, {0}));
      if (grads.needs(0)) {
        // dx = a (g - mean(g) - xhat mean(g xhat)), a = scale inv.
        const auto a = is != std::size_t(-1) ? grads.input(is) * inv : inv;
        const auto dx =
            a * (gr - reduce_mean(gr, {0}, true) - xhat * reduce_mean(gr * xhat, {0}, true));
        grads.set(0, reshape(dx, std::vector<long>(xs.begin(), xs.end())));
      }
    };
  }
  BasicTensor<T> out = make_op(
      "fused_batch_norm", std::move(y), std::move(inputs),
      [x, scale, saved_mean, inv, rows, batch_rows, f, is, io, statistics, &loops](
          const auto& g, const auto&, auto& grads) {
        const T* px = x.value().data();
        const T* pg = g.data();
        const std::vector<T> mu_rep = repeat_to_period(saved_mean.value().data(), f);
        const T* iv = inv->data();
        // sums[0..f) = sum(g), sums[f..2f) = sum(g (x - mean)), over this process's rows.
        std::vector<T> sums(2 * f);
        const std::size_t len = period(f);
        sum_rows<T>(rows, f, 2, sums.data(), [&](std::size_t e, std::size_t n, T* acc) {
          loops.accumulate_grad(px + e, pg + e, mu_rep.data(), acc, acc + len, n);
        });
        if (is != std::size_t(-1) && grads.needs(is)) {
          // dscale = sum(g xhat), xhat = (x - mean) inv
          xt::xarray<T> ds = xt::xarray<T>::from_shape({f});
          for (std::size_t c = 0; c < f; ++c) ds(c) = sums[f + c] * iv[c];
          grads.set(is, std::move(ds));
        }
        if (io != std::size_t(-1) && grads.needs(io)) {
          xt::xarray<T> doff = xt::xarray<T>::from_shape({f});
          std::copy(sums.begin(), sums.begin() + std::ptrdiff_t(f), doff.begin());
          grads.set(io, std::move(doff));
        }
        // Whether x needs a gradient is the same on every process (the same model), so either
        // all combine their sums here or none does.
        if (!grads.needs(0)) return;
        // dx = a (g - mean(g) - (x - mean) inv^2 mean(g (x - mean))), a = scale inv.
        const T* s = scale.defined() ? scale.value().data() : nullptr;
        std::vector<T> a(f), mg(f), k(f);
        statistics->gradient_means(batch_rows, f, sums.data(), iv, mg.data(), k.data());
        for (std::size_t c = 0; c < f; ++c) a[c] = (s ? s[c] : T(1)) * iv[c];
        const std::vector<T> a_rep = repeat_to_period(a.data(), f);
        const std::vector<T> mg_rep = repeat_to_period(mg.data(), f), k_rep = repeat_to_period(k.data(), f);
        xt::xarray<T> dx = xt::xarray<T>::from_shape(x.value().shape());
        T* pdx = dx.data();
        kernels::parallel_blocks(rows, f, [&](std::size_t e, std::size_t n) {
          loops.input_grad(px + e, pg + e, mu_rep.data(), a_rep.data(), mg_rep.data(),
                           k_rep.data(), pdx + e, n);
        });
        grads.set(0, std::move(dx));
      },
      std::move(differentiable));
  return {out, mean_t, var_t};
}

template class BatchNormStatistics<float>;
template class BatchNormStatistics<double>;
template FusedBatchNorm<float> fused_batch_norm(
    const BasicTensor<float>&, const BasicTensor<float>&, const BasicTensor<float>&, double,
    std::shared_ptr<const BatchNormStatistics<float>>);
template FusedBatchNorm<double> fused_batch_norm(
    const BasicTensor<double>&, const BasicTensor<double>&, const BasicTensor<double>&, double,
    std::shared_ptr<const BatchNormStatistics<double>>);

}  // namespace xgrad
