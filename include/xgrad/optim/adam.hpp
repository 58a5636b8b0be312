#pragma once
/// \file
/// optim::Adam (Kingma & Ba), bias-corrected, in TensorFlow/Keras' form.
#include <cstdint>

#include "xgrad/optim/optimizer.hpp"
#include "xgrad/options.hpp"

namespace xgrad::optim {

/// At step t (1, 2, ...), per element:
///   m = beta1 m + (1 - beta1) g
///   v = beta2 v + (1 - beta2) g^2
///   p -= lr_t m / (sqrt(v) + eps),   lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)
/// This is the bias correction as TensorFlow/Keras apply it (the "epsilon hat" form of the
/// paper's section 2). PyTorch computes lr m_hat / (sqrt(v_hat) + eps) instead; the two
/// differ only in how eps is scaled.
/// NOTE: eps defaults to 1e-7, the TF/Keras default; PyTorch's default is 1e-8.
/// m and v start at zero; t counts per parameter (a parameter skipped for lack of a
/// gradient does not advance its own t).
struct AdamOptions {
  /// Learning rate. Default 0.001. Must be finite and > 0.
  XGRAD_OPTION(float, lr) = 0.001f;
  /// Decay of the first moment. Default 0.9. Must be in [0, 1).
  XGRAD_OPTION(float, beta1) = 0.9f;
  /// Decay of the second moment. Default 0.999. Must be in [0, 1).
  XGRAD_OPTION(float, beta2) = 0.999f;
  /// Default 1e-7 (Keras). Must be finite and > 0 (an exactly-zero gradient would give 0 / 0).
  XGRAD_OPTION(float, eps) = 1e-7f;
};

/// Adam, with the update and the options described at AdamOptions. optim::Adam (float32) or
/// optim::Adam64 (float64).
template <class T>
class BasicAdam : public BasicOptimizer<T> {
public:
  /// The parameters' tensor type.
  using Tensor = BasicTensor<T>;
  /// Throws std::invalid_argument when lr <= 0, a beta is outside [0, 1) or eps <= 0.
  BasicAdam(std::vector<Tensor> params, const AdamOptions& options);
  /// Shorthand for Adam(params, AdamOptions().lr(lr).beta1(beta1).beta2(beta2).eps(eps)).
  explicit BasicAdam(std::vector<Tensor> params, float lr = 0.001f, float beta1 = 0.9f,
                     float beta2 = 0.999f, float eps = 1e-7f)
      : BasicAdam(std::move(params), AdamOptions().lr(lr).beta1(beta1).beta2(beta2).eps(eps)) {}
  void step() override;

  ///@{
  /// The options in use.
  float beta1() const { return beta1_; }
  float beta2() const { return beta2_; }
  float eps() const { return eps_; }
  ///@}
  /// Decoupled weight decay (AdamW); 0 for Adam.
  float weight_decay() const { return weight_decay_; }

protected:
  /// For AdamW: `name` starts the error messages.
  BasicAdam(std::string name, std::vector<Tensor> params, const AdamOptions& options);
  /// Lists its state for checkpoints: "m", "v" and "t".
  void collect_state(std::vector<typename BasicOptimizer<T>::StateArray>& arrays,
                     std::vector<typename BasicOptimizer<T>::StateCounter>& counters) override;
  /// AdamW's decay; checked by AdamW's constructor.
  float weight_decay_ = 0.0f;

private:
  float beta1_, beta2_, eps_;
  std::vector<xt::xarray<T>> m_, v_;
  std::vector<std::int64_t> t_;
};

/// AdamW (Loshchilov & Hutter), as tf.keras.optimizers.AdamW: before Adam's update each
/// parameter decays by itself, decoupled from the gradient and its moments:
///   p -= lr * weight_decay * p
/// with lr the current (scheduled) learning rate, not Adam's bias-corrected lr_t.
/// NOTE: weight_decay defaults to 0.004 (Keras); PyTorch's AdamW default is 0.01.
struct AdamWOptions {
  /// Learning rate. Default 0.001. Must be finite and > 0.
  XGRAD_OPTION(float, lr) = 0.001f;
  /// Decoupled decay. Default 0.004 (Keras). Must be finite and >= 0.
  XGRAD_OPTION(float, weight_decay) = 0.004f;
  /// As AdamOptions.
  XGRAD_OPTION(float, beta1) = 0.9f;
  /// As AdamOptions.
  XGRAD_OPTION(float, beta2) = 0.999f;
  /// As AdamOptions.
  XGRAD_OPTION(float, eps) = 1e-7f;
};

/// AdamW, with the decay described at AdamWOptions. optim::AdamW (float32) or
/// optim::AdamW64 (float64).
template <class T>
class BasicAdamW : public BasicAdam<T> {
public:
  /// The parameters' tensor type.
  using Tensor = BasicTensor<T>;
  /// Throws std::invalid_argument as Adam does, and when weight_decay is negative or not
  /// finite.
  BasicAdamW(std::vector<Tensor> params, const AdamWOptions& options);
  /// Shorthand for AdamW(params, AdamWOptions().lr(lr).weight_decay(weight_decay)...).
  explicit BasicAdamW(std::vector<Tensor> params, float lr = 0.001f, float weight_decay = 0.004f,
                      float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-7f)
      : BasicAdamW(std::move(params), AdamWOptions()
                                     .lr(lr)
                                     .weight_decay(weight_decay)
                                     .beta1(beta1)
                                     .beta2(beta2)
                                     .eps(eps)) {}
};

using Adam = BasicAdam<float>;       ///< float32 Adam
using Adam64 = BasicAdam<double>;    ///< float64 Adam
using AdamW = BasicAdamW<float>;     ///< float32 AdamW
using AdamW64 = BasicAdamW<double>;  ///< float64 AdamW
extern template class BasicAdam<float>;
extern template class BasicAdam<double>;
extern template class BasicAdamW<float>;
extern template class BasicAdamW<double>;

}  // namespace xgrad::optim
