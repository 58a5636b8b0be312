#include "xgrad/autograd/tape.hpp"

#include "xgrad/autograd/grad_ready.hpp"

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
thread_local std::vector<std::shared_ptr<NodeBase>>* walk_keep_alive = nullptr;
std::atomic<std::size_t> nodes_alive{0};
std::atomic<bool> anomaly_detection{false};

void keep_alive_during_walk(const std::shared_ptr<NodeBase>& node) {
  if (walk_keep_alive) walk_keep_alive->push_back(node);
}

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

void run_backward_from(const std::shared_ptr<NodeBase>& root) {
  root->check_not_released();
  auto& entries = tape.entries;
  // Entries are sorted by sequence number; nothing created after the root can feed it.
  auto end = std::upper_bound(entries.begin(), entries.end(), root->sequence_nr(),
                              [](std::uint64_t s, const TapeEntry& e) { return s < e.sequence_nr; });
  std::vector<std::shared_ptr<NodeBase>> keep{root};  // nodes holding gradients stay alive
  std::vector<std::shared_ptr<NodeBase>>* outer = walk_keep_alive;
  walk_keep_alive = &keep;
  std::vector<std::shared_ptr<NodeBase>> ran;
  GradReadyTracker grad_ready(root);
  try {
    for (auto it = end; it != entries.begin();) {
      --it;
      auto node = it->node.lock();
      if (!node || !node->has_pending_grad()) continue;
      node->run_backward(&keep_alive_during_walk);
      grad_ready.node_ran(*node);
      ran.push_back(std::move(node));
    }
    grad_ready.walk_finished();
  } catch (...) {
    walk_keep_alive = outer;
    throw;
  }
  walk_keep_alive = outer;
  for (auto& node : ran) node->release();
  ran.clear();
  keep.clear();
  tape.compact();
}

std::size_t live_node_count() { return nodes_alive.load(std::memory_order_relaxed); }
std::size_t tape_size() { return tape.entries.size(); }
bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }
bool is_anomaly_detection_enabled() { return anomaly_detection.load(std::memory_order_relaxed); }
void set_anomaly_detection(bool enabled) { anomaly_detection.store(enabled); }

}  // namespace xgrad::autograd
