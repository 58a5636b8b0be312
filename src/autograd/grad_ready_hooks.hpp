#pragma once
// Private: the grad-ready hooks of one leaf (xgrad/autograd/grad_ready.hpp), stored in the
// leaf's state, and the walk's bookkeeping that fires them.
#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "autograd/engine.hpp"
#include "xgrad/autograd/grad_ready.hpp"

namespace xgrad::autograd {

/// The hooks of one leaf. Adding, removing and firing may run on different threads (one
/// process-wide lock, held only to copy or edit a list, never while a hook runs).
class GradReadyHooks {
public:
  GradReadyHooks() = default;
  GradReadyHooks(const GradReadyHooks&) = delete;
  GradReadyHooks& operator=(const GradReadyHooks&) = delete;
  ~GradReadyHooks();

  std::uint64_t add(GradReadyHook hook);
  /// Whether `id` was there.
  bool remove(std::uint64_t id);
  bool empty() const;
  /// Calls every hook (a copy of the list: a hook may add or remove hooks).
  void fire() const;

  /// Hooks registered on any leaf of the process: the walk skips all hook work at zero.
  static std::size_t registered();

private:
  std::vector<std::pair<std::uint64_t, GradReadyHook>> hooks_;
};

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
  struct Pending {
    std::shared_ptr<GradReadyHooks> hooks;
    int consumers;
  };
  std::unordered_map<const void*, Pending> pending_;
};

}  // namespace xgrad::autograd
