// autograd::grad: a backward walk whose gradients are tensors (xgrad/autograd/grad.hpp).
//
// Separate from backward()'s array walk (tape.cpp), which stays the fast path: this one sums
// gradients with differentiable ops and, under create_graph, runs each op's differentiable
// backward so the gradients are recorded in turn. It changes no leaf's grad() and no node's
// state, so a failure part-way leaves everything as it was.
#include "xgrad/autograd/grad.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "autograd/node.hpp"
#include "xgrad/ops/elementwise.hpp"

namespace xgrad::autograd {

namespace {

using xgrad::detail::TensorImpl;

template <class T>
void accumulate(BasicTensor<T>& sum, const BasicTensor<T>& g) {
  sum = sum.defined() ? add(sum, g) : g;
}

std::invalid_argument grad_error(const std::string& what) {
  return std::invalid_argument("autograd::grad: " + what);
}

// The ops reachable from the outputs, latest first: an op's inputs were all created before it,
// so this order runs every op after all the ops its output feeds.
// Held by shared_ptr: releasing one op (retain_graph false) must not free another still listed.
template <class T>
std::vector<std::shared_ptr<Node<T>>> reachable_latest_first(
    const std::vector<BasicTensor<T>>& outputs) {
  std::vector<std::shared_ptr<Node<T>>> order, stack;
  std::unordered_set<const Node<T>*> seen;
  for (const auto& out : outputs) {
    const auto& node = xgrad::detail::impl_of(out)->grad_fn;
    if (node && seen.insert(node.get()).second) stack.push_back(node);
  }
  while (!stack.empty()) {
    std::shared_ptr<Node<T>> node = std::move(stack.back());
    stack.pop_back();
    node->check_not_released();
    for (const auto& input : node->inputs().list) {
      const auto& producer = input->grad_fn;
      if (producer && seen.insert(producer.get()).second) stack.push_back(producer);
    }
    order.push_back(std::move(node));
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a->sequence_nr() > b->sequence_nr();
  });
  return order;
}

template <class T>
std::vector<BasicTensor<T>> grad_walk(const std::vector<BasicTensor<T>>& outputs,
                                 const std::vector<BasicTensor<T>>& inputs,
                                 const std::vector<BasicTensor<T>>& grad_outputs,
                                 const GradOptions& options) {
  if (outputs.empty()) throw grad_error("no outputs");
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size()) {
    throw grad_error(std::to_string(grad_outputs.size()) + " grad_outputs for " +
                     std::to_string(outputs.size()) + " outputs");
  }
  std::vector<BasicTensor<T>> upstream(outputs.size());
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const auto& out = outputs[k];
    const std::string which = "output " + std::to_string(k);
    if (!out.defined()) throw grad_error(which + " is undefined");
    if (!out.requires_grad()) {
      throw grad_error(which + " does not require a gradient (no input of its computation does)");
    }
    if (grad_outputs.empty() || !grad_outputs[k].defined()) {
      if (out.size() != 1) {
        throw grad_error(which + " has shape " + to_string(out.shape()) +
                         "; give a grad_output for a tensor of more than one element");
      }
      upstream[k] = BasicTensor<T>::ones(out.shape());
    } else {
      if (grad_outputs[k].shape() != out.shape()) {
        throw grad_error("grad_output " + std::to_string(k) + " has shape " +
                         to_string(grad_outputs[k].shape()) + ", its output " +
                         to_string(out.shape()));
      }
      upstream[k] = grad_outputs[k];
    }
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) throw grad_error("input " + std::to_string(i) + " is undefined");
    if (!inputs[i].requires_grad()) {
      throw grad_error("input " + std::to_string(i) + " (shape " + to_string(inputs[i].shape()) +
                       ") does not require a gradient");
    }
  }

  const bool create_graph = options.create_graph();
  const bool retain_graph = options.retain_graph().value_or(create_graph);
  // Without create_graph nothing is recorded: the gradients come back as plain values.
  const bool previous_grad_mode = is_grad_enabled();
  struct RestoreGradMode {
    bool previous;
    ~RestoreGradMode() { set_grad_enabled(previous); }
  } restore{previous_grad_mode};
  set_grad_enabled(create_graph);

  const std::vector<std::shared_ptr<Node<T>>> order = reachable_latest_first(outputs);

  // Where each requested input's gradient is read: a leaf's is summed as it arrives; an
  // intermediate tensor's is its producer's summed output gradient, read when that op runs.
  std::unordered_map<const TensorImpl<T>*, std::vector<std::size_t>> leaf_targets;
  std::unordered_map<const Node<T>*, std::vector<std::size_t>> node_targets;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& impl = xgrad::detail::impl_of(inputs[i]);
    if (impl->grad_fn) {
      node_targets[impl->grad_fn.get()].push_back(i);
    } else {
      leaf_targets[impl.get()].push_back(i);
    }
  }

  // Only ops on a path to a requested input run (earliest first, inputs before consumers).
  std::unordered_set<const Node<T>*> leads_to_input;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node<T>* node = it->get();
    bool leads = node_targets.count(node) > 0;
    for (const auto& input : node->inputs().list) {
      if (leads) break;
      leads = input->grad_fn ? leads_to_input.count(input->grad_fn.get()) > 0
                             : leaf_targets.count(input.get()) > 0;
    }
    if (leads) leads_to_input.insert(node);
  }

  std::vector<BasicTensor<T>> result(inputs.size());
  std::unordered_map<const Node<T>*, BasicTensor<T>> pending;
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const auto& impl = xgrad::detail::impl_of(outputs[k]);
    if (impl->grad_fn) {
      accumulate(pending[impl->grad_fn.get()], upstream[k]);
    } else if (auto t = leaf_targets.find(impl.get()); t != leaf_targets.end()) {
      for (std::size_t i : t->second) accumulate(result[i], upstream[k]);
    }
  }

  for (const auto& node_ptr : order) {
    Node<T>* node = node_ptr.get();
    auto found = pending.find(node);
    if (found == pending.end()) continue;
    const BasicTensor<T> g = std::move(found->second);
    pending.erase(found);
    if (auto t = node_targets.find(node); t != node_targets.end()) {
      for (std::size_t i : t->second) result[i] = g;
    }
    if (!leads_to_input.count(node)) continue;
    std::vector<BasicTensor<T>> input_grads = node->input_gradients(g, create_graph);
    const auto& node_inputs = node->inputs().list;
    for (std::size_t j = 0; j < node_inputs.size(); ++j) {
      if (!input_grads[j].defined()) continue;
      const auto& input = node_inputs[j];
      if (input->grad_fn) {
        if (leads_to_input.count(input->grad_fn.get())) {
          accumulate(pending[input->grad_fn.get()], input_grads[j]);
        }
      } else if (auto t = leaf_targets.find(input.get()); t != leaf_targets.end()) {
        for (std::size_t i : t->second) accumulate(result[i], input_grads[j]);
      }
    }
  }

  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!result[i].defined()) {
      if (options.allow_unused()) continue;
      throw grad_error("input " + std::to_string(i) + " (shape " + to_string(inputs[i].shape()) +
                       ") is not used in computing the outputs; set allow_unused to get an "
                       "undefined gradient for it");
    }
    // Without create_graph a gradient may still be a caller's tensor (a grad_output passed
    // through): hand back a value of its own, cut from any graph.
    if (!create_graph) result[i] = BasicTensor<T>(xt::xarray<T>(result[i].value()));
  }
  if (!retain_graph) {
    for (const auto& node : order) node->release();
  }
  return result;
}

}  // namespace

template <class T>
std::vector<BasicTensor<T>> grad(const std::vector<BasicTensor<T>>& outputs,
                                 const std::vector<BasicTensor<T>>& inputs,
                                 const std::vector<BasicTensor<T>>& grad_outputs,
                                 const GradOptions& options) {
  return grad_walk(outputs, inputs, grad_outputs, options);
}

template std::vector<Tensor> grad(const std::vector<Tensor>&, const std::vector<Tensor>&,
                                  const std::vector<Tensor>&, const GradOptions&);
template std::vector<Tensor64> grad(const std::vector<Tensor64>&, const std::vector<Tensor64>&,
                                    const std::vector<Tensor64>&, const GradOptions&);

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, const GradOptions& options) {
  return grad_walk(outputs, inputs, grad_outputs, options);
}

std::vector<Tensor64> grad(const std::vector<Tensor64>& outputs,
                           const std::vector<Tensor64>& inputs,
                           const std::vector<Tensor64>& grad_outputs, const GradOptions& options) {
  return grad_walk(outputs, inputs, grad_outputs, options);
}

}  // namespace xgrad::autograd
