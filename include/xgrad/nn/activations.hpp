#pragma once
/// \file
/// Activation modules (no parameters): Sigmoid, ReLU, Tanh, Softmax (last axis), LeakyReLU,
/// ELU, Softplus, GELU.
#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// xgrad::sigmoid as a module.
class Sigmoid : public Module {
public:
  Sigmoid() : Module("Sigmoid") {}
  Tensor forward(const Tensor& x) override;
};

/// xgrad::relu as a module.
class ReLU : public Module {
public:
  ReLU() : Module("ReLU") {}
  Tensor forward(const Tensor& x) override;
};

/// xgrad::tanh as a module.
class Tanh : public Module {
public:
  Tanh() : Module("Tanh") {}
  Tensor forward(const Tensor& x) override;
};

/// xgrad::softmax (over the last axis) as a module.
class Softmax : public Module {
public:
  Softmax() : Module("Softmax") {}
  Tensor forward(const Tensor& x) override;
};

/// xgrad::leaky_relu as a module: x for x >= 0, alpha x below.
/// NOTE: alpha defaults to 0.3, tf.keras.layers.LeakyReLU's default (tf.nn.leaky_relu: 0.2).
class LeakyReLU : public Module {
public:
  /// Throws std::invalid_argument when alpha is not finite.
  explicit LeakyReLU(double alpha = 0.3);
  Tensor forward(const Tensor& x) override;
  /// The slope below zero.
  double alpha() const { return alpha_; }

private:
  double alpha_;
};

/// xgrad::elu as a module: x for x > 0, exp(x) - 1 below (alpha 1, as tf.nn.elu).
class ELU : public Module {
public:
  ELU() : Module("ELU") {}
  Tensor forward(const Tensor& x) override;
};

/// xgrad::softplus as a module: log(1 + exp(x)).
class Softplus : public Module {
public:
  Softplus() : Module("Softplus") {}
  Tensor forward(const Tensor& x) override;
};

/// xgrad::gelu as a module; `approximate` picks the tanh form (tf.nn.gelu(approximate=)).
class GELU : public Module {
public:
  /// The exact form (through erf) by default, the tanh approximation if `approximate`.
  explicit GELU(bool approximate = false) : Module("GELU"), approximate_(approximate) {}
  Tensor forward(const Tensor& x) override;
  /// Whether the tanh approximation is used.
  bool approximate() const { return approximate_; }

private:
  bool approximate_;
};

}  // namespace xgrad::nn
