#include "xgrad/nn/pooling.hpp"

#include <string>

#include "check.hpp"
#include "xgrad/ops/pooling.hpp"
#include "xgrad/ops/reduction.hpp"

namespace xgrad::nn {

Pool2D::Pool2D(std::string type_name, const Pool2DOptions& options)
    : Module(std::move(type_name)),
      pool_size_(options.pool_size()),
      strides_{options.strides()[0] ? options.strides()[0] : options.pool_size()[0],
               options.strides()[1] ? options.strides()[1] : options.pool_size()[1]},
      padding_(options.padding()) {
  if (pool_size_[0] == 0 || pool_size_[1] == 0) {
    check::fail(name(), "pool_size must be > 0, got [" + std::to_string(pool_size_[0]) + ", " +
                            std::to_string(pool_size_[1]) + "]");
  }
}

void Pool2D::check_input(const Tensor& x) const {
  check::check_rank(label(), {"input", x.shape()}, 4, "NHWC");
}

Tensor MaxPool2D::forward(const Tensor& x) {
  check_input(x);
  return max_pool2d(x, pool_size(), strides(), padding());
}

Tensor AvgPool2D::forward(const Tensor& x) {
  check_input(x);
  return avg_pool2d(x, pool_size(), strides(), padding());
}

Tensor GlobalAveragePooling2D::forward(const Tensor& x) {
  check::check_rank(label(), {"input", x.shape()}, 4, "NHWC");
  return reduce_mean(x, Axes{1, 2});
}

}  // namespace xgrad::nn
