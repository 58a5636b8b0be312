#include "xgrad/nn/sequential.hpp"

#include <stdexcept>
#include <string>

namespace xgrad::nn {

template <class T>
std::shared_ptr<BasicModule<T>> BasicSequential<T>::add(std::shared_ptr<BasicModule<T>> module) {
  this->register_module(std::to_string(layers_.size()), module);
  layers_.push_back(module);
  return module;
}

template <class T>
std::shared_ptr<BasicModule<T>> BasicSequential<T>::at(std::size_t i) const {
  if (i >= layers_.size()) {
    throw std::out_of_range("Sequential::at: index " + std::to_string(i) + " but there are " +
                            std::to_string(layers_.size()) + " layers");
  }
  return layers_[i];
}

template <class T>
BasicTensor<T> BasicSequential<T>::forward(const Tensor& x) {
  Tensor y = x;
  for (auto& layer : layers_) y = (*layer)(y);
  return y;
}

template <class T>
std::vector<BasicTensor<T>> BasicSequential<T>::forward_all(const Tensor& x) {
  std::vector<Tensor> outs;
  outs.reserve(layers_.size());
  Tensor y = x;
  for (auto& layer : layers_) {
    y = (*layer)(y);
    outs.push_back(y);
  }
  return outs;
}

template class BasicSequential<float>;
template class BasicSequential<double>;

}  // namespace xgrad::nn
