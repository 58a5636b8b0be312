#include "xgrad/nn/dense.hpp"

#include <string>

#include "check.hpp"
#include "xgrad/nn/init.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/ops/linalg.hpp"

namespace xgrad::nn {

template <class T>
BasicDense<T>::BasicDense(const DenseOptions& options) : BasicDense(options, default_generator()) {}

template <class T>
BasicDense<T>::BasicDense(const DenseOptions& options, std::mt19937_64& rng)
    : BasicModule<T>("Dense"), options_(options) {
  check::check_positive_count("Dense", "in_features", options_.in_features());
  check::check_positive_count("Dense", "out_features", options_.out_features());
  const std::size_t in = in_features(), out = out_features();
  kernel_ = this->register_parameter("kernel", Tensor(init::glorot_uniform<T>({in, out}, rng)));
  if (options_.use_bias()) bias_ = this->register_parameter("bias", Tensor(init::zeros<T>({out})));
}

template <class T>
BasicTensor<T> BasicDense<T>::forward(const Tensor& x) {
  const std::size_t in_ = in_features(), out_ = out_features();
  Shape s = x.shape();
  if (s.size() != 2 || s[1] != in_) {
    const std::string layer =
        this->label() + " (" + std::to_string(in_) + " -> " + std::to_string(out_) + ")";
    check::check_shape(false, layer,
                       "expected input [N, " + std::to_string(in_) + "]" +
                           (s.size() > 2 ? " (flatten images first)" : ""),
                       {{"input", s}});
  }
  return bias_.defined() ? xw_plus_b(x, kernel_, bias_) : matmul(x, kernel_);
}

template class BasicDense<float>;
template class BasicDense<double>;

}  // namespace xgrad::nn
