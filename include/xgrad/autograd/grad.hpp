#pragma once
/// \file
/// autograd::grad: gradients returned as tensors, optionally differentiable again
/// (torch.autograd.grad, a nested tf.GradientTape, jax.grad of jax.grad).
///
/// \code
/// Tensor64 x = Tensor64(xt::xarray<double>{0.5, -1.0}, true);
/// Tensor64 y = reduce_sum(x * x * x);
/// auto opts = autograd::GradOptions().create_graph(true);
/// Tensor64 dy = autograd::grad({y}, {x}, {}, opts)[0];  // 3 x^2, recorded
/// Tensor64 d2y = autograd::grad({reduce_sum(dy)}, {x})[0];  // 6 x
/// \endcode
///
/// Unlike backward(), grad() writes no leaf's grad(): the gradients are returned, so a graph
/// built with create_graph is owned by the returned tensors alone and freed with them.
#include <optional>
#include <vector>

#include "xgrad/options.hpp"
#include "xgrad/tensor.hpp"

namespace xgrad::autograd {

/// grad()'s options: `GradOptions().create_graph(true)`.
struct GradOptions {
  /// Record the computation of the gradients, so that they can be differentiated again
  /// (Hessian-vector products, gradient penalties). Default false.
  XGRAD_OPTION(bool, create_graph) = false;
  /// Keep the walked graph for another backward() or grad() over it. Unset: create_graph's
  /// value (as PyTorch). When false, the walked ops free their saved values afterwards.
  XGRAD_OPTION(std::optional<bool>, retain_graph);
  /// Return an undefined tensor for an input the outputs do not depend on, instead of
  /// throwing std::invalid_argument. Default false.
  XGRAD_OPTION(bool, allow_unused) = false;
};

///@{
/// The gradients of sum_k <grad_outputs[k], outputs[k]> with respect to each of `inputs`
/// (leaves or intermediate tensors), in order. `grad_outputs` may be empty when every output
/// has one element (the upstream gradient is then 1); otherwise one per output, of the
/// output's shape. No leaf's grad() is read or written. Throws std::invalid_argument on an
/// undefined tensor, an output or input that does not require a gradient, a shape mismatch,
/// or an input not reached (unless allow_unused); std::logic_error on a graph an earlier
/// backward freed. Ops reached but not leading to an input are skipped.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {},
                         const GradOptions& options = {});
std::vector<Tensor64> grad(const std::vector<Tensor64>& outputs,
                           const std::vector<Tensor64>& inputs,
                           const std::vector<Tensor64>& grad_outputs = {},
                           const GradOptions& options = {});
/// The same for either element type, named explicitly: `autograd::grad<double>(...)`.
template <class T>
std::vector<BasicTensor<T>> grad(const std::vector<BasicTensor<T>>& outputs,
                                 const std::vector<BasicTensor<T>>& inputs,
                                 const std::vector<BasicTensor<T>>& grad_outputs = {},
                                 const GradOptions& options = {});
///@}

/// \cond INTERNAL
extern template std::vector<Tensor> grad(const std::vector<Tensor>&, const std::vector<Tensor>&,
                                         const std::vector<Tensor>&, const GradOptions&);
extern template std::vector<Tensor64> grad(const std::vector<Tensor64>&,
                                           const std::vector<Tensor64>&,
                                           const std::vector<Tensor64>&, const GradOptions&);
/// \endcond

}  // namespace xgrad::autograd
