#pragma once
/// \file
/// Activation modules (no parameters): Sigmoid, ReLU, Tanh, Softmax (last axis), LeakyReLU,
/// ELU, Softplus, GELU. Each is a class template on the element type (`BasicReLU<T>`) with a
/// float32 name (`ReLU`) and a float64 one (`ReLU64`).
#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// xgrad::sigmoid as a module.
template <class T>
class BasicSigmoid : public BasicModule<T> {
public:
  BasicSigmoid() : BasicModule<T>("Sigmoid") {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
};

/// xgrad::relu as a module.
template <class T>
class BasicReLU : public BasicModule<T> {
public:
  BasicReLU() : BasicModule<T>("ReLU") {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
};

/// xgrad::tanh as a module.
template <class T>
class BasicTanh : public BasicModule<T> {
public:
  BasicTanh() : BasicModule<T>("Tanh") {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
};

/// xgrad::softmax (over the last axis) as a module.
template <class T>
class BasicSoftmax : public BasicModule<T> {
public:
  BasicSoftmax() : BasicModule<T>("Softmax") {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
};

/// xgrad::leaky_relu as a module: x for x >= 0, alpha x below.
/// NOTE: alpha defaults to 0.3, tf.keras.layers.LeakyReLU's default (tf.nn.leaky_relu: 0.2).
template <class T>
class BasicLeakyReLU : public BasicModule<T> {
public:
  /// Throws std::invalid_argument when alpha is not finite.
  explicit BasicLeakyReLU(double alpha = 0.3);
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
  /// The slope below zero.
  double alpha() const { return alpha_; }

private:
  double alpha_;
};

/// xgrad::elu as a module: x for x > 0, exp(x) - 1 below (alpha 1, as tf.nn.elu).
template <class T>
class BasicELU : public BasicModule<T> {
public:
  BasicELU() : BasicModule<T>("ELU") {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
};

/// xgrad::softplus as a module: log(1 + exp(x)).
template <class T>
class BasicSoftplus : public BasicModule<T> {
public:
  BasicSoftplus() : BasicModule<T>("Softplus") {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
};

/// xgrad::gelu as a module; `approximate` picks the tanh form (tf.nn.gelu(approximate=)).
template <class T>
class BasicGELU : public BasicModule<T> {
public:
  /// The exact form (through erf) by default, the tanh approximation if `approximate`.
  explicit BasicGELU(bool approximate = false)
      : BasicModule<T>("GELU"), approximate_(approximate) {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
  /// Whether the tanh approximation is used.
  bool approximate() const { return approximate_; }

private:
  bool approximate_;
};

using Sigmoid = BasicSigmoid<float>;        ///< float32 Sigmoid
using Sigmoid64 = BasicSigmoid<double>;     ///< float64 Sigmoid
using ReLU = BasicReLU<float>;              ///< float32 ReLU
using ReLU64 = BasicReLU<double>;           ///< float64 ReLU
using Tanh = BasicTanh<float>;              ///< float32 Tanh
using Tanh64 = BasicTanh<double>;           ///< float64 Tanh
using Softmax = BasicSoftmax<float>;        ///< float32 Softmax
using Softmax64 = BasicSoftmax<double>;     ///< float64 Softmax
using LeakyReLU = BasicLeakyReLU<float>;    ///< float32 LeakyReLU
using LeakyReLU64 = BasicLeakyReLU<double>; ///< float64 LeakyReLU
using ELU = BasicELU<float>;                ///< float32 ELU
using ELU64 = BasicELU<double>;             ///< float64 ELU
using Softplus = BasicSoftplus<float>;      ///< float32 Softplus
using Softplus64 = BasicSoftplus<double>;   ///< float64 Softplus
using GELU = BasicGELU<float>;              ///< float32 GELU
using GELU64 = BasicGELU<double>;           ///< float64 GELU

extern template class BasicSigmoid<float>;
extern template class BasicReLU<float>;
extern template class BasicTanh<float>;
extern template class BasicSoftmax<float>;
extern template class BasicLeakyReLU<float>;
extern template class BasicELU<float>;
extern template class BasicSoftplus<float>;
extern template class BasicGELU<float>;
extern template class BasicSigmoid<double>;
extern template class BasicReLU<double>;
extern template class BasicTanh<double>;
extern template class BasicSoftmax<double>;
extern template class BasicLeakyReLU<double>;
extern template class BasicELU<double>;
extern template class BasicSoftplus<double>;
extern template class BasicGELU<double>;

}  // namespace xgrad::nn
