#pragma once
/// \file
/// Tensor: a cheap, shared handle to a value, an optional gradient and a requires_grad flag.
///
/// `Tensor` is float32, `Tensor64` is float64 (gradchecks run in float64). Copying a Tensor
/// copies the handle, not the data, as in PyTorch.
#include "xgrad/abi.hpp"

#include <memory>
#include <xtensor/xarray.hpp>

#include "xgrad/autograd/tape.hpp"
#include "xgrad/shape.hpp"

namespace xgrad {

namespace autograd {
template <class T>
class Node;
}

namespace detail {
/// An array of no elements, which allocates nothing: the placeholder for a gradient not yet
/// computed. (A default-constructed xt::xarray is a 0-D array of one element, allocated: about
/// 50 allocations per MLP training step came from those placeholders.)
template <class T>
xt::xarray<T> no_array() {
  return xt::xarray<T>::from_shape({0});
}

template <class T>
struct TensorImpl {
  /// Shared with the producing node, which may need the output in its backward.
  std::shared_ptr<xt::xarray<T>> value;
  xt::xarray<T> grad = no_array<T>();
  bool has_grad = false;
  bool requires_grad = false;
  /// The node that produced this tensor; null for leaves and constants.
  std::shared_ptr<autograd::Node<T>> grad_fn;

  /// Adds `g` to the leaf gradient, checking the shape (flashlight PR #109).
  void accumulate_grad(xt::xarray<T>&& g);
};
}  // namespace detail

template <class T>
class BasicTensor {
public:
  using value_type = T;
  using array_type = xt::xarray<T>;

  /// An undefined handle; most calls on it throw. Use `defined()` to test.
  BasicTensor() = default;
  /// Wraps a value. `requires_grad` makes it a leaf whose gradient backward() fills.
  BasicTensor(xt::xarray<T> value, bool requires_grad = false);  // NOLINT: implicit by design

  static BasicTensor zeros(const Shape& shape, bool requires_grad = false);
  static BasicTensor ones(const Shape& shape, bool requires_grad = false);
  static BasicTensor full(const Shape& shape, T fill, bool requires_grad = false);
  /// A 0-d tensor holding `v`.
  static BasicTensor scalar(T v, bool requires_grad = false);

  bool defined() const { return static_cast<bool>(impl_); }
  /// The value. Writing through it changes the tensor in place (used by optimizers).
  xt::xarray<T>& value() const;
  /// The accumulated gradient; throws if backward() has not reached this tensor.
  const xt::xarray<T>& grad() const;
  bool has_grad() const;
  Shape shape() const;
  std::size_t dim() const;
  std::size_t size() const;
  /// The value of a one-element tensor.
  T item() const;

  bool requires_grad() const;
  /// Marks a leaf as requiring (or not) a gradient. Throws on a non-leaf.
  BasicTensor& set_requires_grad(bool on = true);
  /// True for tensors not produced by a recorded op.
  bool is_leaf() const;
  /// Name of the op that produced this tensor, or "leaf".
  const char* op_name() const;

  /// Backpropagates from a one-element tensor (upstream gradient 1).
  void backward() const;
  /// Backpropagates with an upstream gradient of this tensor's shape.
  void backward(const xt::xarray<T>& upstream) const;
  /// Clears the accumulated gradient (leaf gradients accumulate across backward calls).
  void zero_grad() const;
  /// A new leaf sharing this tensor's value, cut from the graph, requires_grad false.
  BasicTensor detach() const;

  /// Internal: the shared state.
  const std::shared_ptr<detail::TensorImpl<T>>& impl() const { return impl_; }
  explicit BasicTensor(std::shared_ptr<detail::TensorImpl<T>> impl) : impl_(std::move(impl)) {}

private:
  const detail::TensorImpl<T>& checked() const;
  std::shared_ptr<detail::TensorImpl<T>> impl_;
};

using Tensor = BasicTensor<float>;
using Tensor64 = BasicTensor<double>;

extern template class BasicTensor<float>;
extern template class BasicTensor<double>;

}  // namespace xgrad
