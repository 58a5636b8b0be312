#include "xgrad/nn/flatten.hpp"

#include "xgrad/ops/shape_ops.hpp"

namespace xgrad::nn {

Tensor Flatten::forward(const Tensor& x) { return xgrad::flatten(x); }

}  // namespace xgrad::nn
