#include "xgrad/nn/conv2d.hpp"

#include <stdexcept>
#include <string>

#include "xgrad/nn/init.hpp"
#include "xgrad/ops/elementwise.hpp"

namespace xgrad::nn {

Conv2D::Conv2D(std::size_t in_channels, std::size_t out_channels, std::size_t kernel_size,
               std::size_t stride, Padding padding, bool use_bias)
    : Conv2D(in_channels, out_channels, kernel_size, stride, padding, use_bias,
             default_generator()) {}

Conv2D::Conv2D(std::size_t in_channels, std::size_t out_channels, std::size_t kernel_size,
               std::size_t stride, Padding padding, bool use_bias, std::mt19937_64& rng)
    : Module("Conv2D"), in_(in_channels), out_(out_channels), k_(kernel_size), stride_(stride),
      padding_(padding) {
  if (in_ == 0 || out_ == 0 || k_ == 0 || stride_ == 0) {
    throw std::invalid_argument("Conv2D: channels, kernel size and stride must be positive, got in=" +
                                std::to_string(in_) + " out=" + std::to_string(out_) + " kernel=" +
                                std::to_string(k_) + " stride=" + std::to_string(stride_));
  }
  kernel_ = register_parameter("kernel", Tensor(init::glorot_uniform({k_, k_, in_, out_}, rng)));
  if (use_bias) bias_ = register_parameter("bias", Tensor(init::zeros({out_})));
}

Tensor Conv2D::forward(const Tensor& x) {
  Shape s = x.shape();
  const std::string layer = label() + " (" + std::to_string(in_) + " -> " +
                            std::to_string(out_) + ", kernel " + std::to_string(k_) + ")";
  if (s.size() != 4 || s[3] != in_) {
    throw std::invalid_argument(layer + ": expected NHWC input [N, H, W, " +
                                std::to_string(in_) + "], got " + to_string(s));
  }
  if (padding_ == Padding::Valid && (s[1] < k_ || s[2] < k_)) {
    throw std::invalid_argument(layer + ": input " + to_string(s) + " is smaller than the " +
                                std::to_string(k_) + "x" + std::to_string(k_) +
                                " kernel with VALID padding");
  }
  Tensor y = conv2d(x, kernel_, {stride_, stride_}, padding_);
  return bias_.defined() ? add(y, bias_) : y;
}

}  // namespace xgrad::nn
