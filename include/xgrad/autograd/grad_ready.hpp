#pragma once
/// \file
/// Grad-ready hooks: "the gradient of this leaf is final for this backward()".
///
/// Data-parallel training starts reducing a group of gradients while backward() is still
/// running, as soon as nothing left to run can add to them. A hook registered on a leaf fires
/// once per backward walk whose graph reaches the leaf: right after the last node consuming it
/// has run, or at the end of the walk for a leaf that the walk could reach but no gradient did
/// (its gradient is then whatever it was before). Leaves outside the graph get no call.
/// backward() is all or nothing for other leaves; a hooked leaf's gradient is added to it just
/// before its hook fires, so if the walk fails afterwards that leaf keeps it (a data-parallel
/// job ends on such a failure anyway: dist::Session aborts it).
///
/// \code
///   auto id = autograd::add_grad_ready_hook(weight, [&] { start_reducing(weight.grad()); });
///   loss.backward();                      // the hook runs inside, once
///   autograd::remove_grad_ready_hook(id);
/// \endcode
///
/// Cost: nothing when no hook is registered; otherwise one pass over the graph before the walk.
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad::autograd {

using GradReadyHook = std::function<void()>;

/// Registers `hook` on the leaf `leaf` (a tensor with requires_grad and no producing op);
/// returns an id for remove_grad_ready_hook. Throws std::invalid_argument on a non-leaf.
template <class T>
std::uint64_t add_grad_ready_hook(const BasicTensor<T>& leaf, GradReadyHook hook);
/// Removes a hook; unknown ids are ignored.
void remove_grad_ready_hook(std::uint64_t id);

/// Used by the backward walk: counts, before the walk, how many edges from nodes of the graph
/// lead to each hooked leaf, and fires a leaf's hooks when its count reaches zero.
class GradReadyTracker {
public:
  explicit GradReadyTracker(const std::shared_ptr<NodeBase>& root);
  /// After `node` ran its backward (its gradients have reached its inputs): a hooked leaf
  /// whose last consumer this was gets its gradient from `walk` now, then its hooks fire.
  void node_ran(const NodeBase& node, Walk& walk);
  /// After the walk: fires the hooks of leaves whose counts did not reach zero.
  void walk_finished();

private:
  void fire(const void* leaf);
  std::unordered_map<const void*, int> pending_;
};

}  // namespace xgrad::autograd
