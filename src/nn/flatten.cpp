#include "xgrad/nn/flatten.hpp"

#include "check.hpp"
#include "xgrad/ops/shape_ops.hpp"

namespace xgrad::nn {

Tensor Flatten::forward(const Tensor& x) {
  check::check_min_rank(label(), {"input", x.shape()}, 1);
  return xgrad::flatten(x);
}

}  // namespace xgrad::nn
