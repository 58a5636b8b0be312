#pragma once
// Private: what a Tensor handle points to, and the library's access to it. Installed headers
// only forward-declare BasicTensor<T>::Impl; the library, xgrad_dist and the tests include this.
#include <memory>
#include <stdexcept>
#include <string>

#include <xtensor/xarray.hpp>
#include <xtensor/xnoalias.hpp>

#include "autograd/grad_ready_hooks.hpp"
#include "xgrad/tensor.hpp"

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
}  // namespace detail

template <class T>
struct BasicTensor<T>::Impl {
  /// Shared with the producing node, which may need the output in its backward.
  std::shared_ptr<xt::xarray<T>> value;
  xt::xarray<T> grad = detail::no_array<T>();
  bool has_grad = false;
  bool requires_grad = false;
  /// The node that produced this tensor; null for leaves and constants.
  std::shared_ptr<autograd::Node<T>> grad_fn;
  /// A leaf's grad-ready hooks (empty for almost every tensor).
  autograd::GradReadyHooks grad_ready_hooks;

  /// Adds `g` to the leaf gradient, checking the shape (flashlight PR #109).
  void accumulate_grad(xt::xarray<T>&& g) {
    if (g.shape() != value->shape()) {
      throw std::logic_error("gradient accumulation: gradient of shape " +
                             to_string(to_shape(g.shape())) + " for a tensor of shape " +
                             to_string(to_shape(value->shape())));
    }
    if (has_grad) {
      xt::noalias(grad) += g;  // in place: no temporary, so a committed sum cannot fail
    } else {
      grad = std::move(g);
      has_grad = true;
    }
  }
};

namespace detail {

template <class T>
using TensorImpl = typename BasicTensor<T>::Impl;

/// The library's way in and out of a handle (BasicTensor's friend).
struct TensorAccess {
  template <class T>
  static const std::shared_ptr<TensorImpl<T>>& impl(const BasicTensor<T>& t) {
    return t.impl_;
  }
  template <class T>
  static BasicTensor<T> wrap(std::shared_ptr<TensorImpl<T>> impl) {
    return BasicTensor<T>(std::move(impl));
  }
};

/// The shared state behind `t` (null for an undefined handle).
template <class T>
const std::shared_ptr<TensorImpl<T>>& impl_of(const BasicTensor<T>& t) {
  return TensorAccess::impl(t);
}

}  // namespace detail
}  // namespace xgrad
