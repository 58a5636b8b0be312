#include "xgrad/nn/flatten.hpp"

#include "check.hpp"
#include "xgrad/ops/shape_ops.hpp"

namespace xgrad::nn {

template <class T>
BasicTensor<T> BasicFlatten<T>::forward(const BasicTensor<T>& x) {
  check::check_min_rank(this->label(), {"input", x.shape()}, 1);
  return xgrad::flatten(x);
}

template class BasicFlatten<float>;
template class BasicFlatten<double>;

}  // namespace xgrad::nn
