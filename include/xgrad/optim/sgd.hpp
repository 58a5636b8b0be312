#pragma once
/// \file
/// optim::SGD with optional momentum.
#include "xgrad/optim/optimizer.hpp"
#include "xgrad/options.hpp"

namespace xgrad::optim {

/// Without momentum: p -= lr * g.
/// With momentum m (PyTorch form): v = m * v + g; p -= lr * v (v starts at 0).
/// NOTE: Keras writes v' = m v' - lr g; p += v'. For a constant lr the two are the same
/// update (v' = -lr v).
/// Weight decay wd (L2, PyTorch's SGD weight_decay): g is replaced by g + wd * p before the
/// update (the gradient of wd/2 |p|^2 added to the loss's), momentum included.
struct SGDOptions {
  /// The learning rate has no default.
  explicit SGDOptions(float lr) : lr_(lr) {}
  /// Learning rate. Must be finite and > 0.
  XGRAD_OPTION(float, lr);
  /// Default 0 (plain SGD). Must be in [0, 1).
  XGRAD_OPTION(float, momentum) = 0.0f;
  /// L2 weight decay. Default 0. Must be finite and >= 0.
  XGRAD_OPTION(float, weight_decay) = 0.0f;
};

/// SGD, with the update and the options described at SGDOptions. optim::SGD (float32) or
/// optim::SGD64 (float64).
template <class T>
class BasicSGD : public BasicOptimizer<T> {
public:
  /// The parameters' tensor type.
  using Tensor = BasicTensor<T>;
  /// Throws std::invalid_argument when lr <= 0, momentum is outside [0, 1) or weight_decay
  /// is negative or not finite.
  BasicSGD(std::vector<Tensor> params, const SGDOptions& options);
  /// Shorthand for SGD(params, SGDOptions(lr).momentum(momentum).weight_decay(weight_decay)).
  BasicSGD(std::vector<Tensor> params, float lr, float momentum = 0.0f, float weight_decay = 0.0f)
      : BasicSGD(std::move(params),
                 SGDOptions(lr).momentum(momentum).weight_decay(weight_decay)) {}
  void step() override;
  ///@{
  /// The options in use.
  float momentum() const { return momentum_; }
  float weight_decay() const { return weight_decay_; }
  ///@}

protected:
  /// Lists its state for checkpoints: "velocity".
  void collect_state(std::vector<typename BasicOptimizer<T>::StateArray>& arrays,
                     std::vector<typename BasicOptimizer<T>::StateCounter>& counters) override;

private:
  /// g + weight_decay * p into a scratch array; returns its data.
  const T* with_weight_decay(const T* g, const T* p, std::size_t n);
  float momentum_;
  float weight_decay_;
  std::vector<xt::xarray<T>> velocity_;
  std::vector<T> decayed_;
};

using SGD = BasicSGD<float>;     ///< float32 SGD
using SGD64 = BasicSGD<double>;  ///< float64 SGD
extern template class BasicSGD<float>;
extern template class BasicSGD<double>;

}  // namespace xgrad::optim
