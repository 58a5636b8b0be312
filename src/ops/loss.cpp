#include "xgrad/ops/loss.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/vmath.hpp"
#include "xgrad/autograd/function.hpp"

namespace xgrad {

namespace {

template <class T>
void check_same_shape(const char* op, const BasicTensor<T>& labels, const BasicTensor<T>& logits) {
  if (labels.value().shape() != logits.value().shape()) {
    throw std::invalid_argument(std::string(op) + ": labels shape " + to_string(labels.shape()) +
                                " and logits shape " + to_string(logits.shape()) + " differ");
  }
}

}  // namespace

template <class T>
BasicTensor<T> softmax_cross_entropy_with_logits(const BasicTensor<T>& labels,
                                                 const BasicTensor<T>& logits) {
  const char* name = "softmax_cross_entropy_with_logits";
  check_same_shape(name, labels, logits);
  const auto& xv = logits.value();
  if (xv.dimension() == 0) {
    throw std::invalid_argument(std::string(name) + ": expected at least 1-D logits, got shape " +
                                to_string(logits.shape()));
  }
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
    const T m = kernels::max(px + r * c, c);
    for (std::size_t j = 0; j < c; ++j) lp[r * c + j] = px[r * c + j] - m;
  }
  {
    std::vector<T> e(rows * c), log_sums(rows);
    kernels::exp(lp, e.data(), rows * c);
    for (std::size_t r = 0; r < rows; ++r) log_sums[r] = kernels::sum(e.data() + r * c, c);
    kernels::log(log_sums.data(), log_sums.data(), rows);
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
                     kernels::exp(lp, o, rows * c);  // softmax = e^log_softmax
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
                     kernels::sigmoid(px, o, n);
                     for (std::size_t i = 0; i < n; ++i) o[i] = pg[i] * (o[i] - pz[i]);
                     grads.set(1, std::move(gx));
                   }
                 });
}

#define XGRAD_INSTANTIATE(T)                                                                   \
  template BasicTensor<T> softmax_cross_entropy_with_logits(const BasicTensor<T>&,             \
                                                            const BasicTensor<T>&);            \
  template BasicTensor<T> sigmoid_cross_entropy_with_logits(const BasicTensor<T>&,             \
                                                            const BasicTensor<T>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
