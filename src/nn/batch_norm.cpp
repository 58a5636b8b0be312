#include "xgrad/nn/batch_norm.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "xgrad/autograd/tape.hpp"
#include "xgrad/nn/init.hpp"
#include "xgrad/ops/normalization.hpp"
#include "xgrad/ops/reduction.hpp"
#include "xgrad/ops/shape_ops.hpp"

namespace xgrad::nn {

template <class T>
BasicBatchNorm<T>::BasicBatchNorm(const BatchNormOptions& options)
    : BasicBatchNorm("BatchNorm", options, nullptr) {}

template <class T>
BasicBatchNorm<T>::BasicBatchNorm(const std::string& name, const BatchNormOptions& options,
                                  std::shared_ptr<const BatchNormStatistics<T>> statistics)
    : BasicModule<T>(name), options_(options), statistics_(std::move(statistics)) {
  const std::size_t f = options_.features();
  if (f == 0) throw std::invalid_argument(name + ": features must be positive");
  const float d = options_.decay();
  if (!(d >= 0.0f && d <= 1.0f)) {
    throw std::invalid_argument(name + ": decay must be in [0, 1] (Keras momentum; PyTorch "
                                "momentum m corresponds to decay 1 - m), got " +
                                std::to_string(d));
  }
  if (!(options_.eps() > 0.0f) || !std::isfinite(options_.eps())) {
    throw std::invalid_argument(name + ": eps must be finite and positive, got " +
                                std::to_string(options_.eps()));
  }
  // Statistics over a larger batch come from fused_batch_norm, which takes the last axis.
  if (statistics_ && options_.axis() != -1) {
    throw std::invalid_argument(name + ": the feature axis must be the last (axis -1), got " +
                                std::to_string(options_.axis()));
  }
  if (options_.scale()) gamma_ = this->register_parameter("gamma", Tensor(init::ones<T>({f})));
  if (options_.center()) beta_ = this->register_parameter("beta", Tensor(init::zeros<T>({f})));
  moving_mean_ = this->register_buffer("moving_mean", Tensor(init::zeros<T>({f})));
  moving_variance_ = this->register_buffer("moving_variance", Tensor(init::ones<T>({f})));
}

template <class T>
BasicTensor<T> BasicBatchNorm<T>::forward(const Tensor& x) {
  const Shape s = x.shape();
  const int rank = int(s.size());
  int axis = options_.axis();
  if (axis < 0) axis += rank;
  const std::size_t f = options_.features();
  const std::string layer = this->label() + " (" + std::to_string(f) + " features)";
  if (rank < 1 || axis < 0 || axis >= rank) {
    throw std::invalid_argument(layer + ": feature axis " + std::to_string(options_.axis()) +
                                " is out of range for input of shape " + to_string(s));
  }
  if (s[std::size_t(axis)] != f) {
    throw std::invalid_argument(layer + ": input " + to_string(s) + " has " +
                                std::to_string(s[std::size_t(axis)]) + " features on axis " +
                                std::to_string(options_.axis()) + ", expected " +
                                std::to_string(f));
  }
  const bool last = axis == rank - 1;
  // Parameters broadcast against x: [F] when the feature axis is last, else [F, 1, ..., 1].
  std::vector<long> bshape(std::size_t(rank - axis), 1L);
  bshape[0] = long(f);
  auto bcast = [&](const Tensor& t) {
    if (!t.defined() || last) return t;
    return reshape(t, bshape);
  };
  const Tensor gamma = bcast(gamma_), beta = bcast(beta_);
  const double eps = double(options_.eps());

  if (!this->is_training()) {
    return batch_normalization(x, bcast(moving_mean_), bcast(moving_variance_), beta, gamma, eps);
  }

  // An empty batch has no statistics: its NaN moments would poison the moving averages. (A
  // larger batch's source lets this process's part be empty.)
  if (x.size() == 0 && !statistics_) {
    throw std::invalid_argument(layer + ": a training batch needs at least one value per "
                                "feature, got input " + to_string(s));
  }
  // Feature axis last (dense [N, F], NHWC images): the fused kernel. Otherwise moments with
  // keepdims, which broadcast against x directly, and batch_normalization.
  Tensor y, batch_mean, batch_variance;
  if (last) {
    FusedBatchNorm<T> r = fused_batch_norm(x, gamma, beta, eps, statistics_);
    y = r.y;
    batch_mean = r.mean;
    batch_variance = r.variance;
  } else {
    Axes axes;
    for (int i = 0; i < rank; ++i) {
      if (i != axis) axes.push_back(i);
    }
    Moments<T> m = moments(x, axes, /*keepdims=*/true);
    y = batch_normalization(x, m.mean, m.variance, beta, gamma, eps);
    batch_mean = m.mean;
    batch_variance = m.variance;
  }

  {
    NoGradGuard no_grad;
    // NOTE: in place into the existing arrays (apache/singa PR #554); never rebind handles.
    const T d = T(options_.decay()), one_minus = T(1) - T(options_.decay());
    T* mm = moving_mean_.value().data();
    T* mv = moving_variance_.value().data();
    const T* bm = batch_mean.value().data();
    const T* bv = batch_variance.value().data();
    for (std::size_t i = 0; i < f; ++i) {
      mm[i] = mm[i] * d + bm[i] * one_minus;
      mv[i] = mv[i] * d + bv[i] * one_minus;
    }
  }
  return y;
}

template class BasicBatchNorm<float>;
template class BasicBatchNorm<double>;

}  // namespace xgrad::nn
