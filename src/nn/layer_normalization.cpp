#include "xgrad/nn/layer_normalization.hpp"

#include <string>

#include "check.hpp"
#include "xgrad/nn/init.hpp"
#include "xgrad/ops/normalization.hpp"
#include "xgrad/ops/reduction.hpp"

namespace xgrad::nn {

template <class T>
BasicTensor<T> layer_normalization(const BasicTensor<T>& x, const BasicTensor<T>& gamma,
                                   const BasicTensor<T>& beta, double eps) {
  check::check_min_rank("layer_normalization", {"x", x.shape()}, 1);
  // keepdims: [..., 1] statistics broadcast against x; gamma and beta [F] against the last axis.
  Moments<T> m = moments(x, Axes{-1}, /*keepdims=*/true);
  return batch_normalization(x, m.mean, m.variance, beta, gamma, eps);
}

template Tensor layer_normalization(const Tensor&, const Tensor&, const Tensor&, double);
template Tensor64 layer_normalization(const Tensor64&, const Tensor64&, const Tensor64&, double);

template <class T>
BasicLayerNormalization<T>::BasicLayerNormalization(const LayerNormalizationOptions& options)
    : BasicModule<T>("LayerNormalization"), options_(options) {
  check::check_positive_count("LayerNormalization", "features", options_.features());
  check::check_positive("LayerNormalization", "eps", options_.eps());
  const std::size_t f = options_.features();
  if (options_.scale()) gamma_ = this->register_parameter("gamma", Tensor(init::ones<T>({f})));
  if (options_.center()) beta_ = this->register_parameter("beta", Tensor(init::zeros<T>({f})));
}

template <class T>
BasicTensor<T> BasicLayerNormalization<T>::forward(const Tensor& x) {
  const Shape s = x.shape();
  check::check_shape(!s.empty() && s.back() == options_.features(), this->label(),
                     "expected input [..., " + std::to_string(options_.features()) + "]",
                     {{"input", s}});
  return layer_normalization(x, gamma_, beta_, options_.eps());
}

template class BasicLayerNormalization<float>;
template class BasicLayerNormalization<double>;

}  // namespace xgrad::nn
