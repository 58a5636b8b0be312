#include "xgrad/autograd/grad_ready.hpp"

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <unordered_set>
#include <utility>

namespace xgrad::autograd {

namespace {

struct Registry {
  std::mutex mutex;
  std::uint64_t next_id = 1;
  std::unordered_map<const void*, std::vector<std::pair<std::uint64_t, GradReadyHook>>> hooks;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

template <class T>
std::uint64_t add_grad_ready_hook(const BasicTensor<T>& leaf, GradReadyHook hook) {
  if (!leaf.defined() || !leaf.is_leaf() || !leaf.requires_grad()) {
    throw std::invalid_argument("add_grad_ready_hook: the tensor must be a leaf that requires a "
                                "gradient");
  }
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  const std::uint64_t id = r.next_id++;
  r.hooks[leaf.impl().get()].emplace_back(id, std::move(hook));
  return id;
}

void remove_grad_ready_hook(std::uint64_t id) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (auto it = r.hooks.begin(); it != r.hooks.end(); ++it) {
    auto& list = it->second;
    for (auto h = list.begin(); h != list.end(); ++h) {
      if (h->first != id) continue;
      list.erase(h);
      if (list.empty()) r.hooks.erase(it);
      return;
    }
  }
}

GradReadyTracker::GradReadyTracker(const std::shared_ptr<NodeBase>& root) {
  Registry& r = registry();
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    if (r.hooks.empty()) return;
  }
  std::unordered_set<const NodeBase*> seen{root.get()};
  std::vector<const NodeBase*> stack{root.get()}, producers;
  std::vector<const void*> leaves;
  while (!stack.empty()) {
    const NodeBase* node = stack.back();
    stack.pop_back();
    producers.clear();
    node->collect_inputs(producers, leaves);
    for (const NodeBase* p : producers) {
      if (seen.insert(p).second) stack.push_back(p);
    }
  }
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const void* leaf : leaves) {
    if (r.hooks.count(leaf)) ++pending_[leaf];
  }
}

void GradReadyTracker::node_ran(const NodeBase& node, Walk& walk) {
  if (pending_.empty()) return;
  std::vector<const NodeBase*> producers;
  std::vector<const void*> leaves;
  node.collect_inputs(producers, leaves);
  for (const void* leaf : leaves) {
    auto it = pending_.find(leaf);
    if (it == pending_.end() || --it->second > 0) continue;
    pending_.erase(it);
    walk.commit_leaf(leaf);
    fire(leaf);
  }
}

void GradReadyTracker::walk_finished() {
  // Leaves whose consumers never got a gradient (sorted only so that runs repeat).
  std::vector<const void*> left;
  left.reserve(pending_.size());
  for (const auto& [leaf, count] : pending_) left.push_back(leaf);
  pending_.clear();
  std::sort(left.begin(), left.end());
  for (const void* leaf : left) fire(leaf);
}

void GradReadyTracker::fire(const void* leaf) {
  std::vector<GradReadyHook> to_call;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.hooks.find(leaf);
    if (it == r.hooks.end()) return;
    for (const auto& h : it->second) to_call.push_back(h.second);
  }
  // Called outside the lock: a hook may register or remove hooks.
  for (const auto& hook : to_call) hook();
}

template std::uint64_t add_grad_ready_hook(const BasicTensor<float>&, GradReadyHook);
template std::uint64_t add_grad_ready_hook(const BasicTensor<double>&, GradReadyHook);

}  // namespace xgrad::autograd
