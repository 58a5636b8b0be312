#include "xgrad/nn/activations.hpp"

#include "check.hpp"
#include "xgrad/ops/activation.hpp"

namespace xgrad::nn {

Tensor Sigmoid::forward(const Tensor& x) { return xgrad::sigmoid(x); }
Tensor ReLU::forward(const Tensor& x) { return xgrad::relu(x); }
Tensor Tanh::forward(const Tensor& x) { return xgrad::tanh(x); }
Tensor Softmax::forward(const Tensor& x) {
  check::check_min_rank(label(), {"input", x.shape()}, 1);
  return xgrad::softmax(x);
}

LeakyReLU::LeakyReLU(double alpha) : Module("LeakyReLU"), alpha_(alpha) {
  check::check_finite("LeakyReLU", "alpha", alpha);
}
Tensor LeakyReLU::forward(const Tensor& x) { return xgrad::leaky_relu(x, alpha_); }
Tensor ELU::forward(const Tensor& x) { return xgrad::elu(x); }
Tensor Softplus::forward(const Tensor& x) { return xgrad::softplus(x); }
Tensor GELU::forward(const Tensor& x) { return xgrad::gelu(x, approximate_); }

}  // namespace xgrad::nn
