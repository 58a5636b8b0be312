#pragma once
/// \file
/// The thread-local tape: nodes in creation order, grad mode and NoGradGuard.
///
/// Ownership follows the outputs: a Tensor owns the Node that produced it, a Node owns its
/// inputs. The tape only keeps weak references, in creation order, so backward() can walk it
/// in reverse without recursion and dropped graphs free themselves.
#include <cstddef>
#include <cstdint>
#include <memory>

namespace xgrad {

namespace autograd {

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
  /// Runs the vector-Jacobian product and routes the input gradients.
  /// `keep_alive` receives every node that now holds a pending gradient.
  virtual void run_backward(void (*keep_alive)(const std::shared_ptr<NodeBase>&)) = 0;
  /// Frees saved values, the closure and the links to inputs; marks the node released.
  virtual void release() = 0;

protected:
  bool released_ = false;

private:
  const char* name_;
  std::uint64_t sequence_nr_;
};

/// Appends a node to this thread's tape.
void record(const std::shared_ptr<NodeBase>& node);

/// Walks this thread's tape backwards from `root` (which already holds its upstream gradient),
/// running every node a gradient reached, then releases them.
void run_backward_from(const std::shared_ptr<NodeBase>& root);

/// Number of Node objects alive in the process (for memory tests and leak checks).
std::size_t live_node_count();
/// Number of entries on this thread's tape (expired entries are compacted away).
std::size_t tape_size();

/// Whether ops record on the tape in this thread.
bool is_grad_enabled();
void set_grad_enabled(bool enabled);

/// Opt-in check that names the first op whose output is NaN or Inf (off by default).
bool is_anomaly_detection_enabled();
void set_anomaly_detection(bool enabled);

}  // namespace autograd

/// RAII: disables recording in this thread for its lifetime (nestable). Use it for evaluation
/// and parameter updates. Independent of Module::train()/eval().
class NoGradGuard {
public:
  NoGradGuard() : previous_(autograd::is_grad_enabled()) { autograd::set_grad_enabled(false); }
  ~NoGradGuard() { autograd::set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
  bool previous_;
};

}  // namespace xgrad
