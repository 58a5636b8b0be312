#include "xgrad/nn/sequential.hpp"

#include <stdexcept>
#include <string>

namespace xgrad::nn {

std::shared_ptr<Module> Sequential::add(std::shared_ptr<Module> module) {
  register_module(std::to_string(layers_.size()), module);
  layers_.push_back(module);
  return module;
}

std::shared_ptr<Module> Sequential::at(std::size_t i) const {
  if (i >= layers_.size()) {
    throw std::out_of_range("Sequential::at: index " + std::to_string(i) + " but there are " +
                            std::to_string(layers_.size()) + " layers");
  }
  return layers_[i];
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor y = x;
  for (auto& layer : layers_) y = (*layer)(y);
  return y;
}

std::vector<Tensor> Sequential::forward_all(const Tensor& x) {
  std::vector<Tensor> outs;
  outs.reserve(layers_.size());
  Tensor y = x;
  for (auto& layer : layers_) {
    y = (*layer)(y);
    outs.push_back(y);
  }
  return outs;
}

}  // namespace xgrad::nn
