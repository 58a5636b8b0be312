#include "xgrad/nn/activations.hpp"

#include "check.hpp"
#include "xgrad/ops/activation.hpp"

namespace xgrad::nn {

template <class T>
BasicTensor<T> BasicSigmoid<T>::forward(const BasicTensor<T>& x) { return xgrad::sigmoid(x); }
template <class T>
BasicTensor<T> BasicReLU<T>::forward(const BasicTensor<T>& x) { return xgrad::relu(x); }
template <class T>
BasicTensor<T> BasicTanh<T>::forward(const BasicTensor<T>& x) { return xgrad::tanh(x); }
template <class T>
BasicTensor<T> BasicSoftmax<T>::forward(const BasicTensor<T>& x) {
  check::check_min_rank(this->label(), {"input", x.shape()}, 1);
  return xgrad::softmax(x);
}

template <class T>
BasicLeakyReLU<T>::BasicLeakyReLU(double alpha) : BasicModule<T>("LeakyReLU"), alpha_(alpha) {
  check::check_finite("LeakyReLU", "alpha", alpha);
}
template <class T>
BasicTensor<T> BasicLeakyReLU<T>::forward(const BasicTensor<T>& x) {
  return xgrad::leaky_relu(x, alpha_);
}
template <class T>
BasicTensor<T> BasicELU<T>::forward(const BasicTensor<T>& x) { return xgrad::elu(x); }
template <class T>
BasicTensor<T> BasicSoftplus<T>::forward(const BasicTensor<T>& x) { return xgrad::softplus(x); }
template <class T>
BasicTensor<T> BasicGELU<T>::forward(const BasicTensor<T>& x) {
  return xgrad::gelu(x, approximate_);
}

#define XGRAD_ACTIVATION_INSTANTIATE(T) \
  template class BasicSigmoid<T>;       \
  template class BasicReLU<T>;          \
  template class BasicTanh<T>;          \
  template class BasicSoftmax<T>;       \
  template class BasicLeakyReLU<T>;     \
  template class BasicELU<T>;           \
  template class BasicSoftplus<T>;      \
  template class BasicGELU<T>;
XGRAD_ACTIVATION_INSTANTIATE(float)
XGRAD_ACTIVATION_INSTANTIATE(double)

}  // namespace xgrad::nn
