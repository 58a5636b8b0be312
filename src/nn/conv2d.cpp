#include "xgrad/nn/conv2d.hpp"

#include <string>

#include "check.hpp"
#include "xgrad/nn/init.hpp"
#include "xgrad/ops/elementwise.hpp"

namespace xgrad::nn {

template <class T>
BasicConv2D<T>::BasicConv2D(const Conv2DOptions& options)
    : BasicConv2D(options, default_generator()) {}

template <class T>
BasicConv2D<T>::BasicConv2D(const Conv2DOptions& options, std::mt19937_64& rng)
    : BasicModule<T>("Conv2D"), options_(options) {
  check::check_positive_count("Conv2D", "in_channels", options_.in_channels());
  check::check_positive_count("Conv2D", "out_channels", options_.out_channels());
  check::check_positive_count("Conv2D", "kernel_size", options_.kernel_size());
  check::check_positive_count("Conv2D", "stride", options_.stride());
  const std::size_t k = kernel_size(), in = in_channels(), out = out_channels();
  kernel_ =
      this->register_parameter("kernel", Tensor(init::glorot_uniform<T>({k, k, in, out}, rng)));
  if (options_.use_bias()) bias_ = this->register_parameter("bias", Tensor(init::zeros<T>({out})));
}

template <class T>
BasicTensor<T> BasicConv2D<T>::forward(const Tensor& x) {
  const std::size_t in_ = in_channels(), out_ = out_channels(), k_ = kernel_size();
  Shape s = x.shape();
  const std::string layer = this->label() + " (" + std::to_string(in_) + " -> " +
                            std::to_string(out_) + ", kernel " + std::to_string(k_) + ")";
  check::check_shape(s.size() == 4 && s[3] == in_, layer,
                     "expected NHWC input [N, H, W, " + std::to_string(in_) + "]", {{"input", s}});
  check::check_shape(padding() != Padding::Valid || (s[1] >= k_ && s[2] >= k_), layer,
                     "with VALID padding the input must be at least the " + std::to_string(k_) +
                         "x" + std::to_string(k_) + " kernel",
                     {{"input", s}});
  Tensor y = conv2d(x, kernel_, {stride(), stride()}, padding());
  return bias_.defined() ? add(y, bias_) : y;
}

template class BasicConv2D<float>;
template class BasicConv2D<double>;

}  // namespace xgrad::nn
