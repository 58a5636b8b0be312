#include <cmath>
#include <stdexcept>
#include <string>

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
    grad += g;
  } else {
    grad = std::move(g);
    has_grad = true;
  }
}

template struct TensorImpl<float>;
template struct TensorImpl<double>;

}  // namespace detail

namespace autograd {

template <class T>
void Node<T>::accumulate(xt::xarray<T>&& g) {
  if (has_grad_) {
    grad_ += g;
  } else {
    grad_ = std::move(g);
    has_grad_ = true;
  }
}

template <class T>
void Node<T>::run_backward(void (*keep_alive)(const std::shared_ptr<NodeBase>&)) {
  Gradients<T> grads(name(), inputs_, grad_);
  backward_(grad_, *output_, grads);
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    if (!grads.is_set(i) || !inputs_[i]->requires_grad) continue;
    xt::xarray<T>& g = grads.take(i);
    if (is_anomaly_detection_enabled()) check_finite(name(), g, "backward");
    auto& input = inputs_[i];
    if (input->grad_fn) {
      input->grad_fn->check_not_released();
      input->grad_fn->accumulate(std::move(g));
      keep_alive(input->grad_fn);
    } else {
      input->accumulate_grad(std::move(g));
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
