#include "xgrad/nn/dense.hpp"

#include <stdexcept>

#include "xgrad/nn/init.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/ops/linalg.hpp"

namespace xgrad::nn {

Dense::Dense(std::size_t in_features, std::size_t out_features, bool use_bias)
    : Dense(in_features, out_features, use_bias, default_generator()) {}

Dense::Dense(std::size_t in_features, std::size_t out_features, bool use_bias,
             std::mt19937_64& rng)
    : Module("Dense"), in_(in_features), out_(out_features) {
  if (in_ == 0 || out_ == 0) {
    throw std::invalid_argument("Dense: in_features and out_features must be positive, got " +
                                std::to_string(in_) + " and " + std::to_string(out_));
  }
  kernel_ = register_parameter("kernel", Tensor(init::glorot_uniform({in_, out_}, rng)));
  if (use_bias) bias_ = register_parameter("bias", Tensor(init::zeros({out_})));
}

Tensor Dense::forward(const Tensor& x) {
  Shape s = x.shape();
  if (s.size() != 2 || s[1] != in_) {
    throw std::invalid_argument(label() + " (" + std::to_string(in_) + " -> " +
                                std::to_string(out_) + "): expected input [N, " +
                                std::to_string(in_) + "], got " + to_string(s) +
                                (s.size() > 2 ? " (flatten images first)" : ""));
  }
  return bias_.defined() ? xw_plus_b(x, kernel_, bias_) : matmul(x, kernel_);
}

}  // namespace xgrad::nn
