#pragma once
/// \file
/// Activation modules (no parameters): Sigmoid, ReLU, Tanh, Softmax (last axis).
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

}  // namespace xgrad::nn
