#include "autograd/engine.hpp"

#include "autograd/grad_ready_hooks.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace xgrad::autograd {

namespace {

struct TapeEntry {
  std::uint64_t sequence_nr;
  std::weak_ptr<NodeBase> node;
};

struct Tape {
  std::vector<TapeEntry> entries;
  std::size_t size_after_compaction = 0;

  // Drops entries whose node died or was already run; amortised O(1) per record.
  void compact() {
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [](const TapeEntry& e) {
                                   auto n = e.node.lock();
                                   return !n || n->released();
                                 }),
                  entries.end());
    size_after_compaction = entries.size();
  }
};

thread_local Tape tape;
thread_local bool grad_enabled = true;
thread_local std::uint64_t next_sequence_nr = 0;
std::atomic<std::size_t> nodes_alive{0};
std::atomic<bool> anomaly_detection{false};

}  // namespace

NodeBase::NodeBase(const char* name) : name_(name), sequence_nr_(next_sequence_nr++) {
  nodes_alive.fetch_add(1, std::memory_order_relaxed);
}

NodeBase::~NodeBase() { nodes_alive.fetch_sub(1, std::memory_order_relaxed); }

void NodeBase::check_not_released() const {
  if (released_) {
    throw std::logic_error(std::string("backward: the graph through '") + name_ +
                           "' has already been freed by an earlier backward(); "
                           "recompute the forward pass before calling backward() again");
  }
}

void record(const std::shared_ptr<NodeBase>& node) {
  if (tape.entries.size() >= 64 && tape.entries.size() >= 2 * tape.size_after_compaction) {
    tape.compact();
  }
  tape.entries.push_back({node->sequence_nr(), node});
}

Walk::~Walk() {
  if (finished_) return;
  // Something threw: undo the walk. Nodes that ran only consumed their pending gradient
  // (their saved values are freed by release(), which never happened), so dropping every
  // pending gradient restores the graph; the uncommitted leaf gradients go with leaves_.
  root_->clear_pending_grad();
  for (auto& node : reached_) node->clear_pending_grad();
}

PendingLeafGrad* Walk::pending_leaf(const void* leaf) const {
  auto it = leaves_.find(leaf);
  return it == leaves_.end() ? nullptr : it->second.get();
}

void Walk::add_pending_leaf(const void* leaf, std::unique_ptr<PendingLeafGrad> grad) {
  leaves_.emplace(leaf, std::move(grad));
}

void Walk::commit_leaf(const void* leaf) {
  auto it = leaves_.find(leaf);
  if (it == leaves_.end()) return;
  it->second->commit();
  leaves_.erase(it);
}

void Walk::finish() {
  if (ran_ != reached_.size() + 1) {
    // Some node holding a gradient never ran: it is not on this thread's tape.
    auto on_tape = [](const std::shared_ptr<NodeBase>& node) {
      return std::any_of(tape.entries.begin(), tape.entries.end(),
                         [&](const TapeEntry& e) { return e.node.lock() == node; });
    };
    const NodeBase* stranger = on_tape(root_) ? nullptr : root_.get();
    for (std::size_t i = 0; !stranger && i < reached_.size(); ++i) {
      if (!on_tape(reached_[i])) stranger = reached_[i].get();
    }
    throw std::logic_error(std::string("backward: op '") +
                           (stranger ? stranger->name() : "?") +
                           "' was recorded on another thread; a graph must be built and "
                           "backpropagated on the same thread");
  }
  finished_ = true;
  for (auto& leaf : leaves_) leaf.second->commit();
  root_->release();
  for (auto& node : reached_) node->release();
}

void run_backward_from(const std::shared_ptr<NodeBase>& root) {
  root->check_not_released();
  Walk walk(root);
  auto& entries = tape.entries;
  // Entries are sorted by sequence number; nothing created after the root can feed it.
  auto end = std::upper_bound(entries.begin(), entries.end(), root->sequence_nr(),
                              [](std::uint64_t s, const TapeEntry& e) { return s < e.sequence_nr; });
  GradReadyTracker grad_ready(root);  // data-parallel hooks; inert when none is registered
  for (auto it = end; it != entries.begin();) {
    --it;
    auto node = it->node.lock();
    if (!node || !node->has_pending_grad()) continue;
    node->run_backward(walk);
    walk.ran();
    grad_ready.node_ran(*node, walk);
  }
  walk.finish();
  // Leaves the walk could reach but whose consumers got no gradient: final only now.
  grad_ready.walk_finished();
  tape.compact();
}

std::size_t live_node_count() { return nodes_alive.load(std::memory_order_relaxed); }
std::size_t tape_size() { return tape.entries.size(); }
bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }
bool is_anomaly_detection_enabled() { return anomaly_detection.load(std::memory_order_relaxed); }
void set_anomaly_detection(bool enabled) { anomaly_detection.store(enabled); }

}  // namespace xgrad::autograd
