#include "xgrad/nn/activations.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

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

LeakyReLU::LeakyReLU(double alpha) : Module("LeakyReLU"), alpha_(alpha) {
  if (!std::isfinite(alpha)) {
    throw std::invalid_argument("LeakyReLU: alpha must be finite, got " + std::to_string(alpha));
  }
}
Tensor LeakyReLU::forward(const Tensor& x) { return xgrad::leaky_relu(x, alpha_); }
Tensor ELU::forward(const Tensor& x) { return xgrad::elu(x); }
Tensor Softplus::forward(const Tensor& x) { return xgrad::softplus(x); }
Tensor GELU::forward(const Tensor& x) { return xgrad::gelu(x, approximate_); }

}  // namespace xgrad::nn
