#include "xgrad/nn/layer_normalization.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "xgrad/nn/init.hpp"
#include "xgrad/ops/normalization.hpp"
#include "xgrad/ops/reduction.hpp"

namespace xgrad::nn {

template <class T>
BasicTensor<T> layer_normalization(const BasicTensor<T>& x, const BasicTensor<T>& gamma,
                                   const BasicTensor<T>& beta, double eps) {
  if (x.shape().empty()) {
    throw std::invalid_argument("layer_normalization: expected input [..., features], got a "
                                "scalar (shape [])");
  }
  // keepdims: [..., 1] statistics broadcast against x; gamma and beta [F] against the last axis.
  Moments<T> m = moments(x, Axes{-1}, /*keepdims=*/true);
  return batch_normalization(x, m.mean, m.variance, beta, gamma, eps);
}

template Tensor layer_normalization(const Tensor&, const Tensor&, const Tensor&, double);
template Tensor64 layer_normalization(const Tensor64&, const Tensor64&, const Tensor64&, double);

LayerNormalization::LayerNormalization(const LayerNormalizationOptions& options)
    : Module("LayerNormalization"), options_(options) {
  if (options_.features == 0) {
    throw std::invalid_argument("LayerNormalization: features must be > 0");
  }
  if (!(options_.eps > 0.0f) || !std::isfinite(options_.eps)) {
    throw std::invalid_argument("LayerNormalization: eps must be finite and > 0, got " +
                                std::to_string(options_.eps));
  }
  const std::size_t f = options_.features;
  if (options_.scale) gamma_ = register_parameter("gamma", Tensor(init::ones({f})));
  if (options_.center) beta_ = register_parameter("beta", Tensor(init::zeros({f})));
}

Tensor LayerNormalization::forward(const Tensor& x) {
  const Shape s = x.shape();
  if (s.empty() || s.back() != options_.features) {
    throw std::invalid_argument(label() + ": expected input [..., " +
                                std::to_string(options_.features) + "], got shape " +
                                to_string(s));
  }
  return layer_normalization(x, gamma_, beta_, options_.eps);
}

}  // namespace xgrad::nn
