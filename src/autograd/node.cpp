#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include <xtensor/xnoalias.hpp>

#include "xgrad/autograd/function.hpp"

namespace xgrad {

namespace detail {

template <class T>
void TensorImpl<T>::accumulate_grad(xt::xarray<T>&& g) {
  if (g.shape() != value->shape()) {
    throw std::logic_error("gradient accumulation: gradient of shape " +
                           to_string(to_shape(g.shape())) + " for a tensor of shape " +
                           to_string(to_shape(value->shape())));
  }
  if (has_grad) {
    xt::noalias(grad) += g;  // in place: no temporary, so a committed sum cannot fail
  } else {
    grad = std::move(g);
    has_grad = true;
  }
}

template struct TensorImpl<float>;
template struct TensorImpl<double>;

}  // namespace detail

namespace autograd {

namespace {

// A leaf's gradient over one walk: the contributions are summed here, and added to the leaf
// only when the whole walk succeeded (so a failed backward leaves the leaf untouched).
template <class T>
class LeafGradSum final : public PendingLeafGrad {
public:
  LeafGradSum(std::shared_ptr<detail::TensorImpl<T>> leaf, xt::xarray<T>&& g)
      : leaf_(std::move(leaf)), sum_(std::move(g)) {}
  void add(const xt::xarray<T>& g) { xt::noalias(sum_) += g; }
  void commit() noexcept override { leaf_->accumulate_grad(std::move(sum_)); }

private:
  std::shared_ptr<detail::TensorImpl<T>> leaf_;
  xt::xarray<T> sum_;
};

}  // namespace

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
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    if (!grads.is_set(i) || !inputs_[i]->requires_grad) continue;
    xt::xarray<T>& g = grads.take(i);
    if (is_anomaly_detection_enabled()) check_finite(name(), g, "backward");
    auto& input = inputs_[i];
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
  inputs_.clear();
  inputs_.shrink_to_fit();
  output_.reset();
  backward_ = nullptr;
  grad_ = detail::no_array<T>();
  has_grad_ = false;
  released_ = true;
}

template <class T>
void Node<T>::collect_inputs(std::vector<const NodeBase*>& producers,
                             std::vector<const void*>& leaves) const {
  for (const auto& input : inputs_) {
    if (input->grad_fn) {
      producers.push_back(input->grad_fn.get());
    } else if (input->requires_grad) {
      leaves.push_back(input.get());
    }
  }
}

template <class T>
void Node<T>::clear_pending_grad() noexcept {
  grad_ = detail::no_array<T>();
  has_grad_ = false;
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

template class Node<float>;
template class Node<double>;
template void check_finite<float>(const char*, const xt::xarray<float>&, const char*);
template void check_finite<double>(const char*, const xt::xarray<double>&, const char*);

}  // namespace autograd
}  // namespace xgrad
