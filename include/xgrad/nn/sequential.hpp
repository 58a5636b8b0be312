#pragma once
/// \file
/// nn::Sequential: children "0", "1", ... applied in order.
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// A chain of modules: forward(x) applies each child in the order they were added.
/// nn::Sequential (float32) or nn::Sequential64 (float64).
template <class T>
class BasicSequential : public BasicModule<T> {
public:
  /// The tensor type of this precision.
  using Tensor = BasicTensor<T>;
  BasicSequential() : BasicModule<T>("Sequential") {}

  /// Appends a module under the name std::to_string(size()). Returns it.
  std::shared_ptr<BasicModule<T>> add(std::shared_ptr<BasicModule<T>> module);
  /// Appends a copy of (or moves in) a concrete module: `model.add(nn::Dense(784, 100))`.
  /// Returns a handle to the stored module, with its concrete type.
  template <class M,
            class = std::enable_if_t<std::is_base_of<BasicModule<T>, std::decay_t<M>>::value>>
  std::shared_ptr<std::decay_t<M>> add(M&& module) {
    auto p = std::make_shared<std::decay_t<M>>(std::forward<M>(module));
    add(std::static_pointer_cast<BasicModule<T>>(p));
    return p;
  }

  /// The number of layers.
  std::size_t size() const { return layers_.size(); }
  /// Layer i; throws std::out_of_range.
  std::shared_ptr<BasicModule<T>> at(std::size_t i) const;
  /// at(i).
  std::shared_ptr<BasicModule<T>> operator[](std::size_t i) const { return at(i); }
  /// Layer i cast to its concrete type; throws std::invalid_argument on a wrong type.
  template <class M>
  std::shared_ptr<M> at(std::size_t i) const {
    auto p = std::dynamic_pointer_cast<M>(at(i));
    if (!p) throw std::invalid_argument("Sequential::at: layer " + std::to_string(i) + " is a " +
                                        at(i)->name() + ", not the requested type");
    return p;
  }

  /// Chains every layer. An empty Sequential returns x.
  Tensor forward(const Tensor& x) override;
  /// Like forward, returning the output of every layer (element i = output of layer i;
  /// the last element is the model output).
  std::vector<Tensor> forward_all(const Tensor& x);

private:
  std::vector<std::shared_ptr<BasicModule<T>>> layers_;
};

using Sequential = BasicSequential<float>;     ///< float32 Sequential
using Sequential64 = BasicSequential<double>;  ///< float64 Sequential
extern template class BasicSequential<float>;
extern template class BasicSequential<double>;

}  // namespace xgrad::nn
