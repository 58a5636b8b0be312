#include "xgrad/nn/pooling.hpp"

#include <string>

#include "check.hpp"
#include "xgrad/ops/pooling.hpp"
#include "xgrad/ops/reduction.hpp"

namespace xgrad::nn {

template <class T>
BasicPool2D<T>::BasicPool2D(std::string type_name, const Pool2DOptions& options)
    : BasicModule<T>(std::move(type_name)),
      pool_size_(options.pool_size()),
      strides_{options.strides()[0] ? options.strides()[0] : options.pool_size()[0],
               options.strides()[1] ? options.strides()[1] : options.pool_size()[1]},
      padding_(options.padding()) {
  if (pool_size_[0] == 0 || pool_size_[1] == 0) {
    check::fail(this->name(), "pool_size must be > 0, got [" + std::to_string(pool_size_[0]) + ", " +
                            std::to_string(pool_size_[1]) + "]");
  }
}

template <class T>
void BasicPool2D<T>::check_input(const BasicTensor<T>& x) const {
  check::check_rank(this->label(), {"input", x.shape()}, 4, "NHWC");
}

template <class T>
BasicTensor<T> BasicMaxPool2D<T>::forward(const BasicTensor<T>& x) {
  this->check_input(x);
  return max_pool2d(x, this->pool_size(), this->strides(), this->padding());
}

template <class T>
BasicTensor<T> BasicAvgPool2D<T>::forward(const BasicTensor<T>& x) {
  this->check_input(x);
  return avg_pool2d(x, this->pool_size(), this->strides(), this->padding());
}

template <class T>
BasicTensor<T> BasicGlobalAveragePooling2D<T>::forward(const BasicTensor<T>& x) {
  check::check_rank(this->label(), {"input", x.shape()}, 4, "NHWC");
  return reduce_mean(x, Axes{1, 2});
}

template class BasicPool2D<float>;
template class BasicPool2D<double>;
template class BasicMaxPool2D<float>;
template class BasicMaxPool2D<double>;
template class BasicAvgPool2D<float>;
template class BasicAvgPool2D<double>;
template class BasicGlobalAveragePooling2D<float>;
template class BasicGlobalAveragePooling2D<double>;

}  // namespace xgrad::nn
