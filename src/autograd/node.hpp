#pragma once
// Private: a recorded op (xgrad/autograd/function.hpp's make_op creates them).
#include <memory>
#include <vector>

#include "autograd/engine.hpp"
#include "autograd/tensor_impl.hpp"
#include "xgrad/autograd/function.hpp"

namespace xgrad::autograd {

template <class T>
struct OpInputs {
  std::vector<std::shared_ptr<xgrad::detail::TensorImpl<T>>> list;
};

/// A recorded op: owns its inputs, its backward closure and, during backward, the gradient
/// arriving at its output.
template <class T>
class Node final : public NodeBase {
public:
  Node(const char* name, std::vector<std::shared_ptr<xgrad::detail::TensorImpl<T>>> inputs,
       std::shared_ptr<const xt::xarray<T>> output, BackwardFn<T> backward,
       DifferentiableBackwardFn<T> differentiable_backward = nullptr)
      : NodeBase(name), inputs_{std::move(inputs)}, output_(std::move(output)),
        backward_(std::move(backward)),
        differentiable_backward_(std::move(differentiable_backward)) {}
  /// Frees the part of the graph that only this node kept alive, with a work list rather than
  /// recursion (as PyTorch's deleteNode): a dropped 1,000,000-op chain needs no deep stack.
  ~Node() override;

  bool has_pending_grad() const override { return has_grad_; }
  void accumulate(xt::xarray<T>&& g);
  void run_backward(Walk& walk) override;
  void release() override;
  void collect_inputs(std::vector<const NodeBase*>& producers,
                      std::vector<HookedLeaf>& hooked_leaves) const override;
  void clear_pending_grad() noexcept override;

  /// The recorded inputs (autograd::grad walks the graph through them).
  const OpInputs<T>& inputs() const { return inputs_; }
  /// The output's state, known to the node without owning it (the output owns the node).
  void set_output(const std::shared_ptr<xgrad::detail::TensorImpl<T>>& output) { output_impl_ = output; }
  /// The input gradients for output gradient `g`, as tensors (undefined where an input needs
  /// none), for autograd::grad. With `create_graph` they are recorded: by the differentiable
  /// backward when the op has one; otherwise the array backward's results are wrapped in an
  /// op whose own backward throws, naming this op. Leaves the node as it was.
  std::vector<BasicTensor<T>> input_gradients(const BasicTensor<T>& g, bool create_graph);

private:
  /// Drops the closure and the inputs; moves the nodes of inputs that only this node held onto
  /// `orphans`, so that dropping the inputs frees no node (which would recurse).
  void detach_inputs(std::vector<std::shared_ptr<Node>>& orphans);

  OpInputs<T> inputs_;
  std::shared_ptr<const xt::xarray<T>> output_;
  BackwardFn<T> backward_;
  DifferentiableBackwardFn<T> differentiable_backward_;
  std::weak_ptr<xgrad::detail::TensorImpl<T>> output_impl_;
  xt::xarray<T> grad_ = xgrad::detail::no_array<T>();
  bool has_grad_ = false;
};

/// Throws when anomaly detection is on and `value` holds a NaN or an Inf.
template <class T>
void check_finite(const char* op, const xt::xarray<T>& value, const char* where);

}  // namespace xgrad::autograd
