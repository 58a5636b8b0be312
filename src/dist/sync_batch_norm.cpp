// sync_batch_norm: fused_batch_norm's passes over x (kernels/row_blocks.hpp) with the
// per-feature sums exchanged between ranks in between.
#include "xgrad/dist/sync_batch_norm.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/batch_norm_table.hpp"
#include "kernels/row_blocks.hpp"
#include "xgrad/autograd/function.hpp"
#include "xgrad/autograd/tape.hpp"
#include "xgrad/nn/init.hpp"

namespace xgrad::dist {

namespace {

using kernels::period;
using kernels::repeat_to_period;
using kernels::sum_rows;

// Every rank's `local` (the same length everywhere), rank after rank.
std::vector<double> gather(const Communicator& comm, const std::vector<double>& local) {
  std::vector<double> all(local.size() * std::size_t(comm.size()));
  check(MPI_Allgather(local.data(), int(local.size()), MPI_DOUBLE, all.data(), int(local.size()),
                      MPI_DOUBLE, comm.comm()),
        "MPI_Allgather");
  return all;
}

template <class T>
void check_param(const char* what, const BasicTensor<T>& p, const Shape& xs, std::size_t f) {
  if (p.defined() && (p.shape().size() != 1 || p.shape()[0] != f)) {
    throw std::invalid_argument(std::string("sync_batch_norm: ") + what + " shape " +
                                to_string(p.shape()) + " must be [" + std::to_string(f) +
                                "] for x shape " + to_string(xs));
  }
}

}  // namespace

template <class T>
FusedBatchNorm<T> sync_batch_norm(const Communicator& comm, const BasicTensor<T>& x,
                                  const BasicTensor<T>& scale, const BasicTensor<T>& offset,
                                  double eps) {
  if (!x.defined()) throw std::invalid_argument("sync_batch_norm: x must be defined");
  const Shape xs = x.shape();
  if (xs.empty() || xs.back() == 0) {
    throw std::invalid_argument("sync_batch_norm: x shape " + to_string(xs) +
                                " needs a last (feature) axis of at least one value");
  }
  if (!(eps > 0) || !std::isfinite(eps)) {
    throw std::invalid_argument("sync_batch_norm: eps must be finite and > 0, got " +
                                std::to_string(eps) + " (x shape " + to_string(xs) + ")");
  }
  const std::size_t f = xs.back(), rows = num_elements(xs) / f;
  check_param("scale", scale, xs, f);
  check_param("offset", offset, xs, f);

  // This rank's count, sums and centred sums of squares (two passes, as fused_batch_norm).
  const kernels::BatchNormTable<T>& loops = kernels::active<kernels::BatchNormTable<T>>();
  const T* px = x.value().data();
  std::vector<T> sum(f), m2(f);
  sum_rows<T>(rows, f, 1, sum.data(),
              [&](std::size_t e, std::size_t n, T* acc) { loops.accumulate(px + e, acc, n); });
  std::vector<T> local_mean(f, T(0));
  if (rows > 0) {
    for (std::size_t c = 0; c < f; ++c) local_mean[c] = sum[c] / T(rows);
  }
  const std::vector<T> lm_rep = repeat_to_period(local_mean.data(), f);
  sum_rows<T>(rows, f, 1, m2.data(), [&](std::size_t e, std::size_t n, T* acc) {
    loops.accumulate_sq_dev(px + e, lm_rep.data(), acc, n);
  });
  std::vector<double> mine(1 + 2 * f);
  mine[0] = double(rows);
  for (std::size_t c = 0; c < f; ++c) {
    mine[1 + c] = double(sum[c]);
    mine[1 + f + c] = double(m2[c]);
  }
  const std::vector<double> all = gather(comm, mine);

  // Global count, mean and M2 = sum_r [M2_r + n_r (mean_r - mean)^2], in rank order.
  double total = 0;
  std::vector<double> gsum(f, 0.0), gm2(f, 0.0);
  for (int r = 0; r < comm.size(); ++r) {
    const double* p = all.data() + std::size_t(r) * mine.size();
    total += p[0];
    for (std::size_t c = 0; c < f; ++c) gsum[c] += p[1 + c];
  }
  if (total == 0) {
    throw std::invalid_argument("sync_batch_norm: no rank has any example (x shape " +
                                to_string(xs) + " here)");
  }
  for (int r = 0; r < comm.size(); ++r) {
    const double* p = all.data() + std::size_t(r) * mine.size();
    if (p[0] == 0) continue;
    for (std::size_t c = 0; c < f; ++c) {
      const double d = p[1 + c] / p[0] - gsum[c] / total;
      gm2[c] += p[1 + f + c] + p[0] * d * d;
    }
  }
  xt::xarray<T> mean = xt::xarray<T>::from_shape({f}), var = xt::xarray<T>::from_shape({f});
  auto inv = std::make_shared<std::vector<T>>(f);
  std::vector<T> a(f), b(f);
  const T* s = scale.defined() ? scale.value().data() : nullptr;
  const T* o = offset.defined() ? offset.value().data() : nullptr;
  for (std::size_t c = 0; c < f; ++c) {
    mean(c) = T(gsum[c] / total);
    var(c) = T(gm2[c] / total);
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
  BasicTensor<T> out = make_op(
      "sync_batch_norm", std::move(y), std::move(inputs),
      [comm, x, scale, mean_t, inv, rows, f, is, io, total, &loops](const auto& g, const auto&,
                                                                    auto& grads) {
        const T* px = x.value().data();
        const T* pg = g.data();
        const std::vector<T> mu_rep = repeat_to_period(mean_t.value().data(), f);
        const T* iv = inv->data();
        // sums[0..f) = sum(g), sums[f..2f) = sum(g (x - mean)), over this rank's examples.
        std::vector<T> sums(2 * f);
        const std::size_t len = period(f);
        sum_rows<T>(rows, f, 2, sums.data(), [&](std::size_t e, std::size_t n, T* acc) {
          loops.accumulate_grad(px + e, pg + e, mu_rep.data(), acc, acc + len, n);
        });
        if (is != std::size_t(-1) && grads.needs(is)) {
          xt::xarray<T> ds = xt::xarray<T>::from_shape({f});
          for (std::size_t c = 0; c < f; ++c) ds(c) = sums[f + c] * iv[c];
          grads.set(is, std::move(ds));
        }
        if (io != std::size_t(-1) && grads.needs(io)) {
          xt::xarray<T> doff = xt::xarray<T>::from_shape({f});
          std::copy(sums.begin(), sums.begin() + std::ptrdiff_t(f), doff.begin());
          grads.set(io, std::move(doff));
        }
        // Whether x needs a gradient is the same on every rank (the same model), so either all
        // ranks gather here or none does.
        if (!grads.needs(0)) return;
        const std::vector<double> all = gather(comm, std::vector<double>(sums.begin(), sums.end()));
        std::vector<double> global(2 * f, 0.0);
        for (int r = 0; r < comm.size(); ++r) {
          for (std::size_t i = 0; i < 2 * f; ++i) global[i] += all[std::size_t(r) * 2 * f + i];
        }
        const T* s = scale.defined() ? scale.value().data() : nullptr;
        std::vector<T> a(f), mg(f), k(f);
        for (std::size_t c = 0; c < f; ++c) {
          a[c] = (s ? s[c] : T(1)) * iv[c];
          mg[c] = T(global[c] / total);
          k[c] = T(double(iv[c]) * double(iv[c]) * global[f + c] / total);
        }
        const std::vector<T> a_rep = repeat_to_period(a.data(), f);
        const std::vector<T> mg_rep = repeat_to_period(mg.data(), f), k_rep = repeat_to_period(k.data(), f);
        xt::xarray<T> dx = xt::xarray<T>::from_shape(x.value().shape());
        T* pdx = dx.data();
        kernels::parallel_blocks(rows, f, [&](std::size_t e, std::size_t n) {
          loops.input_grad(px + e, pg + e, mu_rep.data(), a_rep.data(), mg_rep.data(),
                           k_rep.data(), pdx + e, n);
        });
        grads.set(0, std::move(dx));
      });
  return {out, mean_t, var_t};
}

template FusedBatchNorm<float> sync_batch_norm(const Communicator&, const BasicTensor<float>&,
                                               const BasicTensor<float>&, const BasicTensor<float>&,
                                               double);
template FusedBatchNorm<double> sync_batch_norm(const Communicator&, const BasicTensor<double>&,
                                                const BasicTensor<double>&,
                                                const BasicTensor<double>&, double);

SyncBatchNorm::SyncBatchNorm(const nn::BatchNormOptions& options, const Communicator& comm)
    : Module("SyncBatchNorm"), options_(options), comm_(comm) {
  const std::size_t f = options_.features();
  if (f == 0) throw std::invalid_argument("SyncBatchNorm: features must be positive");
  if (options_.axis() != -1) {
    throw std::invalid_argument("SyncBatchNorm: the feature axis must be the last (axis -1), got " +
                                std::to_string(options_.axis()));
  }
  const float d = options_.decay();
  if (!(d >= 0.0f && d <= 1.0f)) {
    throw std::invalid_argument("SyncBatchNorm: decay must be in [0, 1], got " + std::to_string(d));
  }
  if (!(options_.eps() > 0.0f) || !std::isfinite(options_.eps())) {
    throw std::invalid_argument("SyncBatchNorm: eps must be finite and positive, got " +
                                std::to_string(options_.eps()));
  }
  if (options_.scale()) gamma_ = register_parameter("gamma", Tensor(nn::init::ones({f})));
  if (options_.center()) beta_ = register_parameter("beta", Tensor(nn::init::zeros({f})));
  moving_mean_ = register_buffer("moving_mean", Tensor(nn::init::zeros({f})));
  moving_variance_ = register_buffer("moving_variance", Tensor(nn::init::ones({f})));
}

Tensor SyncBatchNorm::forward(const Tensor& x) {
  const Shape s = x.shape();
  const std::size_t f = options_.features();
  if (s.empty() || s.back() != f) {
    throw std::invalid_argument(label() + " (" + std::to_string(f) + " features): input " +
                                to_string(s) + " must have " + std::to_string(f) +
                                " features on its last axis");
  }
  const double eps = double(options_.eps());
  if (!is_training()) return batch_normalization(x, moving_mean_, moving_variance_, beta_, gamma_, eps);

  FusedBatchNorm<float> r = sync_batch_norm(comm_, x, gamma_, beta_, eps);
  NoGradGuard no_grad;
  // In place (buffers are never rebound); the same global statistics on every rank.
  const float d = options_.decay(), one_minus = 1.0f - options_.decay();
  float* mm = moving_mean_.value().data();
  float* mv = moving_variance_.value().data();
  const float* bm = r.mean.value().data();
  const float* bv = r.variance.value().data();
  for (std::size_t i = 0; i < f; ++i) {
    mm[i] = mm[i] * d + bm[i] * one_minus;
    mv[i] = mv[i] * d + bv[i] * one_minus;
  }
  return r.y;
}

}  // namespace xgrad::dist
