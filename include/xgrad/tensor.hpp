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

namespace detail {
struct TensorAccess;  // the library's access to a handle's state (private)
}

/// A cheap handle (shared ownership) to a value, an optional gradient and a requires_grad
/// flag; copies refer to the same tensor. Use the Tensor (float) and Tensor64 (double) names.
template <class T>
class BasicTensor {
public:
  using value_type = T;                ///< the element type
  using array_type = xt::xarray<T>;    ///< the type of value() and grad()

  /// An undefined handle; most calls on it throw. Use `defined()` to test.
  BasicTensor() = default;
  /// Wraps a value. `requires_grad` makes it a leaf whose gradient backward() fills.
  BasicTensor(xt::xarray<T> value, bool requires_grad = false);  // NOLINT: implicit by design

  ///@{
  /// A new leaf of `shape` filled with 0, 1 or `fill`.
  static BasicTensor zeros(const Shape& shape, bool requires_grad = false);
  static BasicTensor ones(const Shape& shape, bool requires_grad = false);
  static BasicTensor full(const Shape& shape, T fill, bool requires_grad = false);
  ///@}
  /// A 0-d tensor holding `v`.
  static BasicTensor scalar(T v, bool requires_grad = false);

  /// False for a default-constructed handle.
  bool defined() const { return static_cast<bool>(impl_); }
  /// The value. Writing through it changes the tensor in place (used by optimizers).
  xt::xarray<T>& value() const;
  /// The accumulated gradient; throws if backward() has not reached this tensor.
  const xt::xarray<T>& grad() const;
  /// The gradient to write into (PyTorch's mutable_grad): a leaf without one gets an
  /// uninitialised array of the value's shape first, so fill every element. For code that
  /// computes gradients itself (data-parallel averaging); backward() accumulates into it.
  xt::xarray<T>& mutable_grad() const;
  /// Whether grad() has a value (backward() has reached this tensor since zero_grad()).
  bool has_grad() const;
  /// The value's shape.
  Shape shape() const;
  /// The number of axes (0 for a scalar).
  std::size_t dim() const;
  /// The number of elements.
  std::size_t size() const;
  /// The value of a one-element tensor.
  T item() const;

  /// Whether backward() computes a gradient for this tensor (a leaf's flag, or an op output
  /// with such an input).
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

  /// True when both handles refer to the same tensor (one is a copy of the other).
  bool is_same(const BasicTensor& other) const { return impl_ == other.impl_; }

  /// The shared state: value, gradient, flags and the producing op (defined in the library).
  struct Impl;

private:
  friend struct detail::TensorAccess;
  explicit BasicTensor(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  const Impl& checked() const;
  std::shared_ptr<Impl> impl_;
};

using Tensor = BasicTensor<float>;     ///< float32, the default
using Tensor64 = BasicTensor<double>;  ///< float64, for gradient checks

extern template class BasicTensor<float>;
extern template class BasicTensor<double>;

}  // namespace xgrad
