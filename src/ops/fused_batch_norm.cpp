// fused_batch_norm: per-feature batch statistics, normalisation and its gradient in a few
// passes over x, split over xgrad's threads by rows. Sums are taken per thread over
// contiguous row ranges and added in thread order: reproducible for a given thread count.
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/parallel.hpp"
#include "xgrad/autograd/function.hpp"
#include "xgrad/ops/normalization.hpp"

namespace xgrad {

namespace {

// Elements per thread below which waking a second thread costs more than it saves.
constexpr double kMinElementsPerThread = 16384;

/// Sums body(row, acc) over rows into one accumulator of `width` * F values per thread (the
/// body adds into acc[0, F), acc[F, 2F), ...), then adds those in thread order into `out`.
template <class T, class Body>
void sum_rows(std::size_t rows, std::size_t f, std::size_t width, T* out, Body&& body) {
  const int parts = kernels::threads_for(double(rows * f), kMinElementsPerThread);
  std::vector<T> partials(std::size_t(parts) * width * f, T(0));
  kernels::run_parts(parts, [&](int part, int count) {
    const auto r = kernels::split_range(rows, part, count);
    T* acc = partials.data() + std::size_t(part) * width * f;
    for (std::size_t row = r.begin; row < r.end; ++row) body(row, acc);
  });
  std::fill(out, out + width * f, T(0));
  for (int p = 0; p < parts; ++p) {
    const T* acc = partials.data() + std::size_t(p) * width * f;
    for (std::size_t i = 0; i < width * f; ++i) out[i] += acc[i];
  }
}

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
FusedBatchNorm<T> fused_batch_norm(const BasicTensor<T>& x, const BasicTensor<T>& scale,
                                   const BasicTensor<T>& offset, double eps) {
  if (!x.defined()) throw std::invalid_argument("fused_batch_norm: x must be defined");
  const Shape xs = x.shape();
  if (xs.empty()) throw std::invalid_argument("fused_batch_norm: x must have at least one axis, got shape []");
  const std::size_t f = xs.back(), n = num_elements(xs), rows = f == 0 ? 0 : n / f;
  if (rows == 0 || f == 0) {
    throw std::invalid_argument("fused_batch_norm: x shape " + to_string(xs) +
                                " has no values to take statistics over");
  }
  if (!(eps > 0)) throw std::invalid_argument("fused_batch_norm: eps must be > 0, got " + std::to_string(eps));
  check_param("scale", scale, xs, f);
  check_param("offset", offset, xs, f);

  const T* px = x.value().data();
  const T count = T(rows);
  // Two passes for the statistics (sum, then squared deviations): stable for large offsets.
  xt::xarray<T> mean = xt::xarray<T>::from_shape({f}), var = xt::xarray<T>::from_shape({f});
  sum_rows<T>(rows, f, 1, mean.data(), [&](std::size_t r, T* acc) {
    const T* xr = px + r * f;
    for (std::size_t c = 0; c < f; ++c) acc[c] += xr[c];
  });
  for (auto& m : mean) m /= count;
  const T* mu = mean.data();
  sum_rows<T>(rows, f, 1, var.data(), [&](std::size_t r, T* acc) {
    const T* xr = px + r * f;
    for (std::size_t c = 0; c < f; ++c) {
      const T d = xr[c] - mu[c];
      acc[c] += d * d;
    }
  });
  for (auto& v : var) v /= count;

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
  xt::xarray<T> y = xt::xarray<T>::from_shape(x.value().shape());
  T* py = y.data();
  kernels::parallel_for(rows, std::size_t(kMinElementsPerThread) / f + 1, [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) {
      const T* xr = px + r * f;
      T* yr = py + r * f;
      for (std::size_t c = 0; c < f; ++c) yr[c] = (xr[c] - mu[c]) * a[c] + b[c];
    }
  });

  BasicTensor<T> mean_t(mean), var_t(var);
  std::vector<BasicTensor<T>> inputs{x};
  const std::size_t is = scale.defined() ? inputs.size() : std::size_t(-1);
  if (scale.defined()) inputs.push_back(scale);
  const std::size_t io = offset.defined() ? inputs.size() : std::size_t(-1);
  if (offset.defined()) inputs.push_back(offset);
  auto saved_mean = mean_t;
  BasicTensor<T> out = make_op(
      "fused_batch_norm", std::move(y), std::move(inputs),
      [x, scale, saved_mean, inv, rows, f, is, io](const auto& g, const auto&, auto& grads) {
        const T* px = x.value().data();
        const T* pg = g.data();
        const T* mu = saved_mean.value().data();
        const T* iv = inv->data();
        // sums[0..f) = sum(g), sums[f..2f) = sum(g (x - mean)).
        std::vector<T> sums(2 * f);
        sum_rows<T>(rows, f, 2, sums.data(), [&](std::size_t r, T* acc) {
          const T* xr = px + r * f;
          const T* gr = pg + r * f;
          for (std::size_t c = 0; c < f; ++c) {
            acc[c] += gr[c];
            acc[f + c] += gr[c] * (xr[c] - mu[c]);
          }
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
        if (!grads.needs(0)) return;
        // dx = a (g - mean(g) - (x - mean) inv^2 mean(g (x - mean))), a = scale inv.
        const T* s = scale.defined() ? scale.value().data() : nullptr;
        std::vector<T> a(f), mg(f), k(f);
        for (std::size_t c = 0; c < f; ++c) {
          a[c] = (s ? s[c] : T(1)) * iv[c];
          mg[c] = sums[c] / T(rows);
          k[c] = iv[c] * iv[c] * sums[f + c] / T(rows);
        }
        xt::xarray<T> dx = xt::xarray<T>::from_shape(x.value().shape());
        T* pdx = dx.data();
        kernels::parallel_for(rows, std::size_t(kMinElementsPerThread) / f + 1, [&](std::size_t r0, std::size_t r1) {
          for (std::size_t r = r0; r < r1; ++r) {
            const T* xr = px + r * f;
            const T* gr = pg + r * f;
            T* dr = pdx + r * f;
            for (std::size_t c = 0; c < f; ++c) dr[c] = a[c] * (gr[c] - mg[c] - (xr[c] - mu[c]) * k[c]);
          }
        });
        grads.set(0, std::move(dx));
      });
  return {out, mean_t, var_t};
}

template FusedBatchNorm<float> fused_batch_norm(const BasicTensor<float>&, const BasicTensor<float>&,
                                                const BasicTensor<float>&, double);
template FusedBatchNorm<double> fused_batch_norm(const BasicTensor<double>&,
                                                 const BasicTensor<double>&,
                                                 const BasicTensor<double>&, double);

}  // namespace xgrad
