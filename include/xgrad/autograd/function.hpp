#pragma once
/// \file
/// make_op: how every differentiable op (built-in or user-defined) records on the tape.
///
/// An op computes its value, then calls `make_op(name, value, {inputs...}, backward)`.
/// `backward(grad_out, out, grads)` receives dL/d(output) and the output value, and calls
/// `grads.set(i, dL/d(input i))` for each input `i` with `grads.needs(i)`. Nothing is recorded
/// when grad mode is off or no input requires a gradient; the closure is then dropped at once.
///
/// \code
/// // y = x^3, dy/dx = 3 x^2
/// Tensor64 cube(const Tensor64& x) {
///   xt::xarray<double> y = x.value() * x.value() * x.value();
///   return make_op("cube", std::move(y), {x},
///       [x](const auto& g, const auto& out, auto& grads) {
///         grads.set(0, g * 3.0 * x.value() * x.value());
///       });
/// }
/// \endcode
///
/// An op whose gradient may itself be differentiated (autograd::grad with create_graph, see
/// grad.hpp) also passes a *differentiable backward*: the same vector-Jacobian product written
/// with xgrad's own ops on tensors, so that what it computes is recorded in turn.
///
/// \code
/// return make_op("cube", std::move(y), {x},
///     [x](const auto& g, const auto&, auto& grads) { grads.set(0, g * 3.0 * x.value() * x.value()); },
///     [](const auto& g, const auto&, auto& grads) {
///       const auto& x = grads.input(0);
///       grads.set(0, g * (x * x) * 3.0);
///     });
/// \endcode
///
/// The array backward stays the one backward() runs. Without a differentiable backward, the
/// op's gradient is still computed under create_graph, but differentiating through it again
/// throws an error naming the op (never a silent zero).
#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

namespace autograd {

template <class T>
class Node;

template <class T>
struct OpInputs;  // a recorded op's inputs (private)

/// The input gradients a backward function fills.
template <class T>
class Gradients {
public:
  /// The op's number of inputs.
  std::size_t size() const { return grads_.size(); }
  /// Whether input `i` wants a gradient; skip the work otherwise.
  bool needs(std::size_t i) const;
  /// Shape of input `i`, for ops that reduce a broadcast gradient.
  Shape input_shape(std::size_t i) const;
  /// Sets dL/d(input i); its shape must equal the input's.
  template <class E>
  void set(std::size_t i, E&& gradient) {
    set_array(i, xt::xarray<T>(std::forward<E>(gradient)));
  }
  /// The output gradient itself, moved out so that an op whose input gradient has the
  /// output's shape can reuse its buffer (pass it through, or overwrite it elementwise)
  /// instead of allocating and copying. The backward function's `grad_out` is empty
  /// afterwards: call this last, once.
  xt::xarray<T> take_upstream();

private:
  template <class>
  friend class Node;
  /// `upstream`: the output gradient's storage, which take_upstream() hands out.
  Gradients(const char* op, const OpInputs<T>& inputs, xt::xarray<T>& upstream);
  void set_array(std::size_t i, xt::xarray<T>&& gradient);

  const char* op_;
  const OpInputs<T>& inputs_;
  std::vector<xt::xarray<T>> grads_;
  std::vector<bool> set_;
  xt::xarray<T>& upstream_;
  bool upstream_taken_ = false;
};

/// An op's vector-Jacobian product: fills `Gradients` from the output's gradient and value.
template <class T>
using BackwardFn =
    std::function<void(const xt::xarray<T>& grad_out, const xt::xarray<T>& out, Gradients<T>&)>;

/// The input gradients a differentiable backward fills, as tensors.
template <class T>
class TensorGradients {
public:
  /// The op's number of inputs.
  std::size_t size() const { return grads_.size(); }
  /// Whether input `i` wants a gradient; skip the work otherwise.
  bool needs(std::size_t i) const;
  /// Shape of input `i`.
  Shape input_shape(std::size_t i) const;
  /// Input `i` itself, as recorded: a gradient built from it is differentiable with respect to
  /// it (and to whatever produced it).
  BasicTensor<T> input(std::size_t i) const;
  /// Sets dL/d(input i); its shape must equal the input's.
  void set(std::size_t i, BasicTensor<T> gradient);

private:
  template <class>
  friend class Node;
  TensorGradients(const char* op, const OpInputs<T>& inputs);

  const char* op_;
  const OpInputs<T>& inputs_;
  std::vector<BasicTensor<T>> grads_;
};

/// An op's vector-Jacobian product written with differentiable ops: fills `TensorGradients`
/// from the output's gradient and the output itself (both tensors in the graph).
template <class T>
using DifferentiableBackwardFn = std::function<void(
    const BasicTensor<T>& grad_out, const BasicTensor<T>& out, TensorGradients<T>&)>;

/// Whether an op on `inputs` records: grad mode is on and an input requires a gradient.
template <class T>
bool records(const std::vector<BasicTensor<T>>& inputs) {
  if (!is_grad_enabled()) return false;
  for (const auto& in : inputs) {
    if (in.requires_grad()) return true;
  }
  return false;
}

/// make_op's two outcomes (node.cpp): a tensor recorded with `backward` on this thread's tape,
/// or a plain result. Both run the forward anomaly check.
template <class T>
BasicTensor<T> recorded_output(const char* name, xt::xarray<T>&& value,
                               const std::vector<BasicTensor<T>>& inputs, BackwardFn<T>&& backward,
                               DifferentiableBackwardFn<T>&& differentiable_backward = nullptr);
/// The plain result of an op that does not record.
template <class T>
BasicTensor<T> unrecorded_output(const char* name, xt::xarray<T>&& value);

}  // namespace autograd

/// Wraps `value` as the output of op `name`, recording `backward` on the tape when grad mode is
/// on and any input requires a gradient. This is the public way to define a new op.
template <class T, class F>
BasicTensor<T> make_op(const char* name, xt::xarray<T> value, std::vector<BasicTensor<T>> inputs,
                       F&& backward) {
  if (!autograd::records(inputs)) return autograd::unrecorded_output<T>(name, std::move(value));
  return autograd::recorded_output<T>(name, std::move(value), inputs,
                                      autograd::BackwardFn<T>(std::forward<F>(backward)));
}

/// make_op with a differentiable backward as well (see the file's description): `backward`
/// serves backward(), `differentiable_backward` autograd::grad with create_graph.
template <class T, class F, class G>
BasicTensor<T> make_op(const char* name, xt::xarray<T> value, std::vector<BasicTensor<T>> inputs,
                       F&& backward, G&& differentiable_backward) {
  if (!autograd::records(inputs)) return autograd::unrecorded_output<T>(name, std::move(value));
  return autograd::recorded_output<T>(
      name, std::move(value), inputs, autograd::BackwardFn<T>(std::forward<F>(backward)),
      autograd::DifferentiableBackwardFn<T>(std::forward<G>(differentiable_backward)));
}

}  // namespace xgrad
