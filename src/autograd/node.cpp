#include "autograd/node.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include <xtensor/xnoalias.hpp>

namespace xgrad::autograd {

using xgrad::detail::TensorImpl;

namespace {

// A leaf's gradient over one walk: the contributions are summed here, and added to the leaf
// only when the whole walk succeeded (so a failed backward leaves the leaf untouched).
template <class T>
class LeafGradSum final : public PendingLeafGrad {
public:
  LeafGradSum(std::shared_ptr<TensorImpl<T>> leaf, xt::xarray<T>&& g)
      : leaf_(std::move(leaf)), sum_(std::move(g)) {}
  void add(const xt::xarray<T>& g) { xt::noalias(sum_) += g; }
  void commit() noexcept override { leaf_->accumulate_grad(std::move(sum_)); }

private:
  std::shared_ptr<TensorImpl<T>> leaf_;
  xt::xarray<T> sum_;
};

}  // namespace

// Gradients: the part of make_op's interface that touches the inputs' state.

template <class T>
Gradients<T>::Gradients(const char* op, const OpInputs<T>& inputs, xt::xarray<T>& upstream)
    : op_(op), inputs_(inputs), grads_(inputs.list.size(), xgrad::detail::no_array<T>()),
      set_(inputs.list.size(), false), upstream_(upstream) {}

template <class T>
bool Gradients<T>::needs(std::size_t i) const {
  return inputs_.list.at(i)->requires_grad;
}

template <class T>
Shape Gradients<T>::input_shape(std::size_t i) const {
  return to_shape(inputs_.list.at(i)->value->shape());
}

template <class T>
void Gradients<T>::set_array(std::size_t i, xt::xarray<T>&& g) {
  const auto& want = inputs_.list.at(i)->value->shape();
  if (g.shape() != want) {
    throw std::logic_error(std::string("backward of '") + op_ + "' gave input " +
                           std::to_string(i) + " a gradient of shape " +
                           to_string(to_shape(g.shape())) + ", expected " +
                           to_string(to_shape(want)));
  }
  grads_[i] = std::move(g);
  set_[i] = true;
}

template <class T>
xt::xarray<T> Gradients<T>::take_upstream() {
  if (upstream_taken_) {
    throw std::logic_error(std::string("backward of '") + op_ + "' took the output gradient twice");
  }
  upstream_taken_ = true;
  return std::move(upstream_);
}

// TensorGradients: what a differentiable backward fills.

template <class T>
TensorGradients<T>::TensorGradients(const char* op, const OpInputs<T>& inputs)
    : op_(op), inputs_(inputs), grads_(inputs.list.size()) {}

template <class T>
bool TensorGradients<T>::needs(std::size_t i) const {
  return inputs_.list.at(i)->requires_grad;
}

template <class T>
Shape TensorGradients<T>::input_shape(std::size_t i) const {
  return to_shape(inputs_.list.at(i)->value->shape());
}

template <class T>
BasicTensor<T> TensorGradients<T>::input(std::size_t i) const {
  return xgrad::detail::TensorAccess::wrap<T>(inputs_.list.at(i));
}

template <class T>
void TensorGradients<T>::set(std::size_t i, BasicTensor<T> g) {
  const auto& want = inputs_.list.at(i)->value->shape();
  if (!g.defined() || g.value().shape() != want) {
    throw std::logic_error(std::string("differentiable backward of '") + op_ + "' gave input " +
                           std::to_string(i) + " a gradient of shape " +
                           (g.defined() ? to_string(g.shape()) : std::string("(undefined)")) +
                           ", expected " + to_string(to_shape(want)));
  }
  grads_[i] = std::move(g);
}

// make_op's outcomes.

template <class T>
BasicTensor<T> unrecorded_output(const char* name, xt::xarray<T>&& value) {
  if (is_anomaly_detection_enabled()) check_finite(name, value, "forward");
  auto impl = std::make_shared<TensorImpl<T>>();
  impl->value = std::make_shared<xt::xarray<T>>(std::move(value));
  return xgrad::detail::TensorAccess::wrap<T>(std::move(impl));
}

template <class T>
BasicTensor<T> recorded_output(const char* name, xt::xarray<T>&& value,
                               const std::vector<BasicTensor<T>>& inputs,
                               BackwardFn<T>&& backward,
                               DifferentiableBackwardFn<T>&& differentiable_backward) {
  if (is_anomaly_detection_enabled()) check_finite(name, value, "forward");
  auto impl = std::make_shared<TensorImpl<T>>();
  impl->value = std::make_shared<xt::xarray<T>>(std::move(value));
  std::vector<std::shared_ptr<TensorImpl<T>>> ins;
  ins.reserve(inputs.size());
  for (const auto& in : inputs) ins.push_back(xgrad::detail::impl_of(in));
  impl->requires_grad = true;
  impl->grad_fn = std::make_shared<Node<T>>(name, std::move(ins), impl->value, std::move(backward),
                                            std::move(differentiable_backward));
  impl->grad_fn->set_output(impl);
  record(impl->grad_fn);
  return xgrad::detail::TensorAccess::wrap<T>(std::move(impl));
}

// Node.

template <class T>
Node<T>::~Node() {
  std::vector<std::shared_ptr<Node>> orphans;
  detach_inputs(orphans);
  while (!orphans.empty()) {
    std::shared_ptr<Node> node = std::move(orphans.back());
    orphans.pop_back();
    // Still held elsewhere (a backward walk in progress): that holder frees it later.
    if (node.use_count() == 1) node->detach_inputs(orphans);
    // `node` is freed here with no inputs left, so its destructor does not go deeper.
  }
}

template <class T>
void Node<T>::detach_inputs(std::vector<std::shared_ptr<Node>>& orphans) {
  // The closures first: they usually hold the same inputs, which would otherwise look shared.
  backward_ = nullptr;
  differentiable_backward_ = nullptr;
  for (auto& input : inputs_.list) {
    if (input.use_count() == 1 && input->grad_fn) orphans.push_back(std::move(input->grad_fn));
  }
  inputs_.list.clear();
}

template <class T>
void Node<T>::accumulate(xt::xarray<T>&& g) {
  if (has_grad_) {
    xt::noalias(grad_) += g;
  } else {
    grad_ = std::move(g);
    has_grad_ = true;
  }
}

template <class T>
void Node<T>::run_backward(Walk& walk) {
  Gradients<T> grads(name(), inputs_, grad_);
  backward_(grad_, *output_, grads);
  for (std::size_t i = 0; i < inputs_.list.size(); ++i) {
    if (!grads.set_[i] || !inputs_.list[i]->requires_grad) continue;
    xt::xarray<T>& g = grads.grads_[i];
    if (is_anomaly_detection_enabled()) check_finite(name(), g, "backward");
    auto& input = inputs_.list[i];
    if (input->grad_fn) {
      input->grad_fn->check_not_released();
      // Registered before the gradient lands, so a failure from here on is undone.
      if (!input->grad_fn->has_pending_grad()) walk.reached(input->grad_fn);
      input->grad_fn->accumulate(std::move(g));
    } else if (auto* sum = static_cast<LeafGradSum<T>*>(walk.pending_leaf(input.get()))) {
      sum->add(g);
    } else {
      walk.add_pending_leaf(input.get(), std::make_unique<LeafGradSum<T>>(input, std::move(g)));
    }
  }
}

template <class T>
void Node<T>::release() {
  inputs_.list.clear();
  inputs_.list.shrink_to_fit();
  output_.reset();
  backward_ = nullptr;
  differentiable_backward_ = nullptr;
  grad_ = xgrad::detail::no_array<T>();
  has_grad_ = false;
  released_ = true;
}

template <class T>
void Node<T>::collect_inputs(std::vector<const NodeBase*>& producers,
                             std::vector<HookedLeaf>& hooked_leaves) const {
  for (const auto& input : inputs_.list) {
    if (input->grad_fn) {
      producers.push_back(input->grad_fn.get());
    } else if (input->requires_grad && !input->grad_ready_hooks.empty()) {
      // Aliasing: points to the hooks, owns the leaf.
      hooked_leaves.push_back({input.get(), {input, &input->grad_ready_hooks}});
    }
  }
}

template <class T>
void Node<T>::clear_pending_grad() noexcept {
  grad_ = xgrad::detail::no_array<T>();
  has_grad_ = false;
}

namespace {

// Sets grad mode for a scope (NoGradGuard's opposite, for the create_graph walk).
class GradModeScope {
public:
  explicit GradModeScope(bool on) : previous_(is_grad_enabled()) { set_grad_enabled(on); }
  ~GradModeScope() { set_grad_enabled(previous_); }
  GradModeScope(const GradModeScope&) = delete;
  GradModeScope& operator=(const GradModeScope&) = delete;

private:
  bool previous_;
};

// The gradient of an op without a differentiable backward, under create_graph: its value is
// right, and it is recorded so that differentiating through it fails loudly, naming the op.
template <class T>
BasicTensor<T> without_second_derivative(const char* op, xt::xarray<T>&& value,
                                          std::vector<BasicTensor<T>> depends_on) {
  return make_op("gradient_without_second_derivative", std::move(value), std::move(depends_on),
                 [op](const auto&, const auto&, auto&) {
                   throw std::logic_error(
                       std::string("op '") + op +
                       "' has no differentiable backward: its gradient (from autograd::grad "
                       "with create_graph) cannot be differentiated again");
                 });
}

}  // namespace

template <class T>
std::vector<BasicTensor<T>> Node<T>::input_gradients(const BasicTensor<T>& g, bool create_graph) {
  check_not_released();
  const std::size_t n = inputs_.list.size();
  if (create_graph && differentiable_backward_) {
    // Alive: the graph being walked holds it (as an output or as another node's input).
    BasicTensor<T> out = xgrad::detail::TensorAccess::wrap<T>(output_impl_.lock());
    TensorGradients<T> grads(name(), inputs_);
    GradModeScope recording(true);
    differentiable_backward_(g, out, grads);
    for (std::size_t i = 0; i < n; ++i) {
      if (!inputs_.list[i]->requires_grad) grads.grads_[i] = BasicTensor<T>();
    }
    return std::move(grads.grads_);
  }
  // The array backward on a copy of the upstream: it may take and overwrite its buffer, and
  // `g` may be held elsewhere (a returned gradient, a retained graph).
  xt::xarray<T> upstream = g.value();
  Gradients<T> grads(name(), inputs_, upstream);
  {
    GradModeScope not_recording(false);
    backward_(upstream, *output_, grads);
  }
  std::vector<BasicTensor<T>> result(n);
  std::vector<BasicTensor<T>> depends_on;
  if (create_graph) {
    depends_on.push_back(g);
    for (const auto& input : inputs_.list) {
      depends_on.push_back(xgrad::detail::TensorAccess::wrap<T>(input));
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!grads.set_[i] || !inputs_.list[i]->requires_grad) continue;
    if (is_anomaly_detection_enabled()) check_finite(name(), grads.grads_[i], "backward");
    if (create_graph) {
      GradModeScope recording(true);
      result[i] = without_second_derivative<T>(name(), std::move(grads.grads_[i]), depends_on);
    } else {
      result[i] = BasicTensor<T>(std::move(grads.grads_[i]));
    }
  }
  return result;
}

template <class T>
void check_finite(const char* op, const xt::xarray<T>& value, const char* where) {
  const T* p = value.data();
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!std::isfinite(p[i])) {
      const char* what = std::isnan(p[i]) ? "NaN" : p[i] > 0 ? "+Inf" : "-Inf";
      throw std::runtime_error(std::string("anomaly detection: the ") + where + " of op '" + op +
                               "' produced " + what + " (element " + std::to_string(i) +
                               " of a tensor of shape " + to_string(to_shape(value.shape())) +
                               ")");
    }
  }
}

template class Gradients<float>;
template class Gradients<double>;
template class TensorGradients<float>;
template class TensorGradients<double>;
template class Node<float>;
template class Node<double>;
template BasicTensor<float> unrecorded_output(const char*, xt::xarray<float>&&);
template BasicTensor<double> unrecorded_output(const char*, xt::xarray<double>&&);
template BasicTensor<float> recorded_output(const char*, xt::xarray<float>&&,
                                            const std::vector<BasicTensor<float>>&,
                                            BackwardFn<float>&&, DifferentiableBackwardFn<float>&&);
template BasicTensor<double> recorded_output(const char*, xt::xarray<double>&&,
                                             const std::vector<BasicTensor<double>>&,
                                             BackwardFn<double>&&, DifferentiableBackwardFn<double>&&);
template void check_finite<float>(const char*, const xt::xarray<float>&, const char*);
template void check_finite<double>(const char*, const xt::xarray<double>&, const char*);

}  // namespace xgrad::autograd
