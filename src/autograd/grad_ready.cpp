#include "xgrad/autograd/grad_ready.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <unordered_set>
#include <utility>

#include "autograd/grad_ready_hooks.hpp"
#include "autograd/tensor_impl.hpp"

namespace xgrad::autograd {

namespace {

// One lock for every leaf's list: registration is rare, and a walk only copies a list.
std::mutex& hooks_mutex() {
  static std::mutex m;
  return m;
}
std::atomic<std::uint64_t> next_id{1};
std::atomic<std::size_t> registered_hooks{0};

}  // namespace

GradReadyHooks::~GradReadyHooks() {
  registered_hooks.fetch_sub(hooks_.size(), std::memory_order_relaxed);
}

std::uint64_t GradReadyHooks::add(GradReadyHook hook) {
  const std::uint64_t id = next_id.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(hooks_mutex());
  hooks_.emplace_back(id, std::move(hook));
  registered_hooks.fetch_add(1, std::memory_order_relaxed);
  return id;
}

bool GradReadyHooks::remove(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(hooks_mutex());
  for (auto h = hooks_.begin(); h != hooks_.end(); ++h) {
    if (h->first != id) continue;
    hooks_.erase(h);
    registered_hooks.fetch_sub(1, std::memory_order_relaxed);
    return true;
  }
  return false;
}

bool GradReadyHooks::empty() const {
  std::lock_guard<std::mutex> lock(hooks_mutex());
  return hooks_.empty();
}

void GradReadyHooks::fire() const {
  std::vector<GradReadyHook> to_call;
  {
    std::lock_guard<std::mutex> lock(hooks_mutex());
    for (const auto& h : hooks_) to_call.push_back(h.second);
  }
  // Called outside the lock: a hook may register or remove hooks.
  for (const auto& hook : to_call) hook();
}

std::size_t GradReadyHooks::registered() {
  return registered_hooks.load(std::memory_order_relaxed);
}

template <class T>
std::uint64_t add_grad_ready_hook(const BasicTensor<T>& leaf, GradReadyHook hook) {
  if (!leaf.defined() || !leaf.is_leaf() || !leaf.requires_grad()) {
    throw std::invalid_argument("add_grad_ready_hook: the tensor must be a leaf that requires a "
                                "gradient");
  }
  return detail::impl_of(leaf)->grad_ready_hooks.add(std::move(hook));
}

template <class T>
void remove_grad_ready_hook(const BasicTensor<T>& leaf, std::uint64_t id) {
  if (leaf.defined()) detail::impl_of(leaf)->grad_ready_hooks.remove(id);
}

GradReadyTracker::GradReadyTracker(const std::shared_ptr<NodeBase>& root) {
  if (GradReadyHooks::registered() == 0) return;
  std::unordered_set<const NodeBase*> seen{root.get()};
  std::vector<const NodeBase*> stack{root.get()}, producers;
  std::vector<HookedLeaf> leaves;
  while (!stack.empty()) {
    const NodeBase* node = stack.back();
    stack.pop_back();
    producers.clear();
    node->collect_inputs(producers, leaves);
    for (const NodeBase* p : producers) {
      if (seen.insert(p).second) stack.push_back(p);
    }
  }
  for (const HookedLeaf& leaf : leaves) {
    auto [it, fresh] = pending_.try_emplace(leaf.key, Pending{leaf.hooks, 0});
    ++it->second.consumers;
  }
}

void GradReadyTracker::node_ran(const NodeBase& node, Walk& walk) {
  if (pending_.empty()) return;
  std::vector<const NodeBase*> producers;
  std::vector<HookedLeaf> leaves;
  node.collect_inputs(producers, leaves);
  for (const HookedLeaf& leaf : leaves) {
    auto it = pending_.find(leaf.key);
    if (it == pending_.end() || --it->second.consumers > 0) continue;
    pending_.erase(it);
    walk.commit_leaf(leaf.key);
    leaf.hooks->fire();
  }
}

void GradReadyTracker::walk_finished() {
  // Leaves whose consumers never got a gradient (sorted only so that runs repeat).
  std::vector<std::pair<const void*, std::shared_ptr<GradReadyHooks>>> left;
  left.reserve(pending_.size());
  for (auto& [key, pending] : pending_) left.emplace_back(key, std::move(pending.hooks));
  pending_.clear();
  std::sort(left.begin(), left.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& leaf : left) leaf.second->fire();
}

template std::uint64_t add_grad_ready_hook(const BasicTensor<float>&, GradReadyHook);
template std::uint64_t add_grad_ready_hook(const BasicTensor<double>&, GradReadyHook);
template void remove_grad_ready_hook(const BasicTensor<float>&, std::uint64_t);
template void remove_grad_ready_hook(const BasicTensor<double>&, std::uint64_t);

}  // namespace xgrad::autograd
