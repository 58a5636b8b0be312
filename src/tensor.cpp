#include "xgrad/tensor.hpp"

#include <stdexcept>
#include <string>

#include "autograd/node.hpp"

namespace xgrad {

template <class T>
BasicTensor<T>::BasicTensor(xt::xarray<T> value, bool requires_grad)
    : impl_(std::make_shared<Impl>()) {
  impl_->value = std::make_shared<xt::xarray<T>>(std::move(value));
  impl_->requires_grad = requires_grad;
}

template <class T>
BasicTensor<T> BasicTensor<T>::zeros(const Shape& shape, bool requires_grad) {
  return full(shape, T(0), requires_grad);
}

template <class T>
BasicTensor<T> BasicTensor<T>::ones(const Shape& shape, bool requires_grad) {
  return full(shape, T(1), requires_grad);
}

template <class T>
BasicTensor<T> BasicTensor<T>::full(const Shape& shape, T fill, bool requires_grad) {
  xt::xarray<T> v = xt::xarray<T>::from_shape(shape);
  v.fill(fill);
  return BasicTensor(std::move(v), requires_grad);
}

template <class T>
BasicTensor<T> BasicTensor<T>::scalar(T v, bool requires_grad) {
  return BasicTensor(xt::xarray<T>(v), requires_grad);
}

template <class T>
const typename BasicTensor<T>::Impl& BasicTensor<T>::checked() const {
  if (!impl_) throw std::logic_error("xgrad: use of an undefined Tensor (default-constructed)");
  return *impl_;
}

template <class T>
xt::xarray<T>& BasicTensor<T>::value() const {
  return *checked().value;
}

template <class T>
const xt::xarray<T>& BasicTensor<T>::grad() const {
  const auto& impl = checked();
  if (!impl.has_grad) {
    throw std::logic_error("grad(): this tensor has no gradient (shape " + to_string(shape()) +
                           "); only leaves with requires_grad get one, after backward()");
  }
  return impl.grad;
}

template <class T>
xt::xarray<T>& BasicTensor<T>::mutable_grad() const {
  auto& impl = const_cast<Impl&>(checked());
  if (!impl.has_grad || impl.grad.shape() != impl.value->shape()) {
    impl.grad = xt::xarray<T>::from_shape(impl.value->shape());
    impl.has_grad = true;
  }
  return impl.grad;
}

template <class T>
bool BasicTensor<T>::has_grad() const {
  return checked().has_grad;
}

template <class T>
Shape BasicTensor<T>::shape() const {
  return to_shape(checked().value->shape());
}

template <class T>
std::size_t BasicTensor<T>::dim() const {
  return checked().value->dimension();
}

template <class T>
std::size_t BasicTensor<T>::size() const {
  return checked().value->size();
}

template <class T>
T BasicTensor<T>::item() const {
  const auto& v = *checked().value;
  if (v.size() != 1) {
    throw std::invalid_argument("item(): tensor of shape " + to_string(shape()) +
                                " has " + std::to_string(v.size()) + " elements, expected 1");
  }
  return *v.begin();
}

template <class T>
bool BasicTensor<T>::requires_grad() const {
  return checked().requires_grad;
}

template <class T>
BasicTensor<T>& BasicTensor<T>::set_requires_grad(bool on) {
  checked();
  if (impl_->grad_fn) {
    throw std::logic_error(std::string("set_requires_grad: tensor produced by '") +
                           impl_->grad_fn->name() + "' is not a leaf; use detach() first");
  }
  impl_->requires_grad = on;
  return *this;
}

template <class T>
bool BasicTensor<T>::is_leaf() const {
  return !checked().grad_fn;
}

template <class T>
const char* BasicTensor<T>::op_name() const {
  return checked().grad_fn ? impl_->grad_fn->name() : "leaf";
}

template <class T>
void BasicTensor<T>::backward() const {
  if (size() != 1) {
    throw std::invalid_argument("backward(): called without an upstream gradient on a tensor of "
                                "shape " + to_string(shape()) +
                                "; reduce it to one element or pass backward(upstream)");
  }
  backward(xt::ones_like(value()));
}

template <class T>
void BasicTensor<T>::backward(const xt::xarray<T>& upstream) const {
  checked();
  auto& impl = *impl_;
  if (to_shape(upstream.shape()) != shape()) {
    throw std::invalid_argument("backward(upstream): upstream shape " +
                                to_string(to_shape(upstream.shape())) +
                                " differs from the tensor's shape " + to_string(shape()));
  }
  if (!impl.requires_grad) {
    throw std::logic_error("backward(): tensor of shape " + to_string(shape()) +
                           " does not require grad; no input of its ops had requires_grad "
                           "(or it was computed under NoGradGuard)");
  }
  if (!impl.grad_fn) {
    impl.accumulate_grad(xt::xarray<T>(upstream));
    return;
  }
  impl.grad_fn->check_not_released();  // before the upstream gradient is stored in it
  impl.grad_fn->accumulate(xt::xarray<T>(upstream));
  autograd::run_backward_from(impl.grad_fn);
}

template <class T>
void BasicTensor<T>::zero_grad() const {
  checked();
  auto& impl = *impl_;
  impl.grad = detail::no_array<T>();
  impl.has_grad = false;
}

template <class T>
BasicTensor<T> BasicTensor<T>::detach() const {
  auto impl = std::make_shared<Impl>();
  impl->value = checked().value;
  return BasicTensor(std::move(impl));
}

template class BasicTensor<float>;
template class BasicTensor<double>;

}  // namespace xgrad
