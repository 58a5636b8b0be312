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
#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

namespace autograd {

/// The input gradients a backward function fills.
template <class T>
class Gradients {
public:
  /// `upstream`: the output gradient's storage, which take_upstream() hands out.
  Gradients(const char* op, const std::vector<std::shared_ptr<detail::TensorImpl<T>>>& inputs,
            xt::xarray<T>& upstream)
      : op_(op), inputs_(inputs), grads_(inputs.size(), detail::no_array<T>()),
        set_(inputs.size(), false),
        upstream_(upstream) {}

  std::size_t size() const { return grads_.size(); }
  /// Whether input `i` wants a gradient; skip the work otherwise.
  bool needs(std::size_t i) const { return inputs_.at(i)->requires_grad; }
  /// Shape of input `i`, for ops that reduce a broadcast gradient.
  Shape input_shape(std::size_t i) const { return to_shape(inputs_.at(i)->value->shape()); }
  /// Sets dL/d(input i); its shape must equal the input's.
  template <class E>
  void set(std::size_t i, E&& gradient) {
    xt::xarray<T> g(std::forward<E>(gradient));
    auto want = inputs_.at(i)->value->shape();
    if (g.shape() != want) {
      throw std::logic_error(std::string("backward of '") + op_ + "' gave input " +
                             std::to_string(i) + " a gradient of shape " +
                             to_string(to_shape(g.shape())) + ", expected " +
                             to_string(to_shape(want)));
    }
    grads_[i] = std::move(g);
    set_[i] = true;
  }
  /// The output gradient itself, moved out so that an op whose input gradient has the
  /// output's shape can reuse its buffer (pass it through, or overwrite it elementwise)
  /// instead of allocating and copying. The backward function's `grad_out` is empty
  /// afterwards: call this last, once.
  xt::xarray<T> take_upstream() {
    if (upstream_taken_) {
      throw std::logic_error(std::string("backward of '") + op_ + "' took the output gradient twice");
    }
    upstream_taken_ = true;
    return std::move(upstream_);
  }
  bool is_set(std::size_t i) const { return set_[i]; }
  xt::xarray<T>& take(std::size_t i) { return grads_[i]; }

private:
  const char* op_;
  const std::vector<std::shared_ptr<detail::TensorImpl<T>>>& inputs_;
  std::vector<xt::xarray<T>> grads_;
  std::vector<bool> set_;
  xt::xarray<T>& upstream_;
  bool upstream_taken_ = false;
};

template <class T>
using BackwardFn =
    std::function<void(const xt::xarray<T>& grad_out, const xt::xarray<T>& out, Gradients<T>&)>;

/// A recorded op: owns its inputs, its backward closure and, during backward, the gradient
/// arriving at its output.
template <class T>
class Node final : public NodeBase {
public:
  Node(const char* name, std::vector<std::shared_ptr<detail::TensorImpl<T>>> inputs,
       std::shared_ptr<const xt::xarray<T>> output, BackwardFn<T> backward)
      : NodeBase(name), inputs_(std::move(inputs)), output_(std::move(output)),
        backward_(std::move(backward)) {}

  bool has_pending_grad() const override { return has_grad_; }
  void accumulate(xt::xarray<T>&& g);
  void run_backward(Walk& walk) override;
  void release() override;
  void collect_inputs(std::vector<const NodeBase*>& producers,
                      std::vector<const void*>& leaves) const override;
  void clear_pending_grad() noexcept override;

private:
  std::vector<std::shared_ptr<detail::TensorImpl<T>>> inputs_;
  std::shared_ptr<const xt::xarray<T>> output_;
  BackwardFn<T> backward_;
  xt::xarray<T> grad_ = detail::no_array<T>();
  bool has_grad_ = false;
};

/// Throws when anomaly detection is on and `value` holds a NaN or an Inf.
template <class T>
void check_finite(const char* op, const xt::xarray<T>& value, const char* where);

}  // namespace autograd

/// Wraps `value` as the output of op `name`, recording `backward` on the tape when grad mode is
/// on and any input requires a gradient. This is the public way to define a new op.
template <class T, class F>
BasicTensor<T> make_op(const char* name, xt::xarray<T> value, std::vector<BasicTensor<T>> inputs,
                       F&& backward) {
  if (autograd::is_anomaly_detection_enabled()) autograd::check_finite(name, value, "forward");
  auto impl = std::make_shared<detail::TensorImpl<T>>();
  impl->value = std::make_shared<xt::xarray<T>>(std::move(value));
  bool any = false;
  if (autograd::is_grad_enabled()) {
    for (const auto& in : inputs) any = any || in.requires_grad();
  }
  if (any) {
    std::vector<std::shared_ptr<detail::TensorImpl<T>>> ins;
    ins.reserve(inputs.size());
    for (const auto& in : inputs) ins.push_back(in.impl());
    impl->requires_grad = true;
    impl->grad_fn = std::make_shared<autograd::Node<T>>(
        name, std::move(ins), impl->value, autograd::BackwardFn<T>(std::forward<F>(backward)));
    autograd::record(impl->grad_fn);
  }
  return BasicTensor<T>(std::move(impl));
}

}  // namespace xgrad
