#pragma once
// Private: the backward engine. The type-erased graph node, one backward walk, and the
// thread-local tape the walk runs over (xgrad/autograd/tape.hpp has the public part).
//
// Ownership follows the outputs: a Tensor owns the Node that produced it, a Node owns its
// inputs. The tape only keeps weak references, in creation order, so backward() can walk it
// in reverse without recursion and dropped graphs free themselves.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "xgrad/autograd/tape.hpp"

namespace xgrad::autograd {

class Walk;
class GradReadyHooks;

/// A leaf input that requires a gradient and has grad-ready hooks (grad_ready_hooks.hpp):
/// its key in a Walk (its tensor state's address) and its hooks, which keep the leaf alive
/// (the walk may release the last node holding it before the hooks fire).
struct HookedLeaf {
  const void* key;
  std::shared_ptr<GradReadyHooks> hooks;
};

/// Type-erased node of the autograd graph. Concrete nodes are `Node<T>` (function.hpp).
class NodeBase {
public:
  explicit NodeBase(const char* name);
  virtual ~NodeBase();
  NodeBase(const NodeBase&) = delete;
  NodeBase& operator=(const NodeBase&) = delete;

  const char* name() const { return name_; }
  std::uint64_t sequence_nr() const { return sequence_nr_; }
  bool released() const { return released_; }
  /// Throws std::logic_error (naming this op and the fix) if an earlier backward freed it.
  void check_not_released() const;
  /// True when a gradient for this node's output has arrived during the current backward.
  virtual bool has_pending_grad() const = 0;
  /// Runs the vector-Jacobian product and routes the input gradients: to input nodes as
  /// pending gradients (registered with `walk`), to leaves as the walk's pending leaf gradients.
  virtual void run_backward(Walk& walk) = 0;
  /// Frees saved values, the closure and the links to inputs; marks the node released.
  virtual void release() = 0;
  /// Appends the nodes producing this node's inputs to `producers`, and its inputs that are
  /// leaves requiring a gradient and carrying grad-ready hooks to `hooked_leaves`.
  virtual void collect_inputs(std::vector<const NodeBase*>& producers,
                              std::vector<HookedLeaf>& hooked_leaves) const = 0;
  /// Drops the pending gradient (after a failed backward), leaving the node as it was before.
  virtual void clear_pending_grad() noexcept = 0;

protected:
  bool released_ = false;

private:
  const char* name_;
  std::uint64_t sequence_nr_;
};

/// A leaf's gradient summed over one backward walk, added to the leaf only when the walk
/// succeeds (node.cpp holds the typed implementation).
class PendingLeafGrad {
public:
  virtual ~PendingLeafGrad() = default;
  /// Adds the sum to the leaf's gradient; allocates nothing, so it cannot fail.
  virtual void commit() noexcept = 0;
};

/// The state of one backward() call. Either it finishes (every reached node ran: the leaf
/// gradients are committed and the nodes released) or, when anything throws, its destructor
/// puts everything back: pending node gradients are dropped, leaf gradients stay untouched,
/// nodes stay unreleased. A failed backward therefore has no effect, and may be retried.
class Walk {
public:
  explicit Walk(std::shared_ptr<NodeBase> root) : root_(std::move(root)) {}
  ~Walk();
  Walk(const Walk&) = delete;
  Walk& operator=(const Walk&) = delete;

  /// Call before `node` first receives a pending gradient: it stays alive (and is cleaned up
  /// on failure) until the walk ends.
  void reached(std::shared_ptr<NodeBase> node) { reached_.push_back(std::move(node)); }
  /// The pending gradient of `leaf` (any stable key, the leaf's TensorImpl), or null.
  PendingLeafGrad* pending_leaf(const void* leaf) const;
  void add_pending_leaf(const void* leaf, std::unique_ptr<PendingLeafGrad> grad);
  /// Adds `leaf`'s gradient of this walk to the leaf now, not at finish(): for a leaf whose
  /// gradient is final and must be read during the walk (grad-ready hooks).
  /// It is then kept even if the walk fails later.
  void commit_leaf(const void* leaf);
  /// Counts a node whose backward ran.
  void ran() { ++ran_; }
  /// Commits the leaf gradients and releases the nodes; throws (before committing anything)
  /// if a reached node never ran, i.e. the graph was recorded on another thread's tape.
  void finish();

private:
  std::shared_ptr<NodeBase> root_;
  std::vector<std::shared_ptr<NodeBase>> reached_;
  std::unordered_map<const void*, std::unique_ptr<PendingLeafGrad>> leaves_;
  std::size_t ran_ = 0;
  bool finished_ = false;
};

/// Appends a node to this thread's tape.
void record(const std::shared_ptr<NodeBase>& node);

/// Walks this thread's tape backwards from `root` (which already holds its upstream gradient),
/// running every node a gradient reached, then releases them. All or nothing: if anything
/// throws (a backward function, anomaly detection, a shape check, bad_alloc), the exception
/// propagates and the graph, the tape and every leaf gradient are as they were before the
/// call, root included (its upstream gradient is dropped).
void run_backward_from(const std::shared_ptr<NodeBase>& root);

}  // namespace xgrad::autograd
