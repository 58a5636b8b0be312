#include "xgrad/nn/activations.hpp"

#include <stdexcept>

#include "xgrad/ops/activation.hpp"

namespace xgrad::nn {

Tensor Sigmoid::forward(const Tensor& x) { return xgrad::sigmoid(x); }
Tensor ReLU::forward(const Tensor& x) { return xgrad::relu(x); }
Tensor Tanh::forward(const Tensor& x) { return xgrad::tanh(x); }
Tensor Softmax::forward(const Tensor& x) {
  if (x.shape().empty()) {
    throw std::invalid_argument(label() + ": expected input with a class axis, got a scalar "
                                "(shape [])");
  }
  return xgrad::softmax(x);
}

}  // namespace xgrad::nn
