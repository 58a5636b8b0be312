#include "xgrad/nn/flatten.hpp"

#include <stdexcept>

#include "xgrad/ops/shape_ops.hpp"

namespace xgrad::nn {

Tensor Flatten::forward(const Tensor& x) {
  if (x.shape().empty()) {
    throw std::invalid_argument(label() + ": expected input [N, ...], got a scalar (shape [])");
  }
  return xgrad::flatten(x);
}

}  // namespace xgrad::nn
