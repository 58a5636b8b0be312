#include "xgrad/nn/pooling.hpp"

#include <stdexcept>
#include <string>

#include "xgrad/ops/pooling.hpp"
#include "xgrad/ops/reduction.hpp"

namespace xgrad::nn {

namespace {
void check_nhwc(const Module& layer, const Tensor& x) {
  if (x.shape().size() != 4) {
    throw std::invalid_argument(layer.label() + ": expected NHWC input [N, H, W, C], got shape " +
                                to_string(x.shape()));
  }
}
}  // namespace

Pool2D::Pool2D(std::string type_name, const Pool2DOptions& options)
    : Module(std::move(type_name)),
      pool_size_(options.pool_size),
      strides_{options.strides[0] ? options.strides[0] : options.pool_size[0],
               options.strides[1] ? options.strides[1] : options.pool_size[1]},
      padding_(options.padding) {
  if (pool_size_[0] == 0 || pool_size_[1] == 0) {
    throw std::invalid_argument(name() + ": pool size must be positive, got [" +
                                std::to_string(pool_size_[0]) + ", " +
                                std::to_string(pool_size_[1]) + "]");
  }
}

void Pool2D::check_input(const Tensor& x) const { check_nhwc(*this, x); }

Tensor MaxPool2D::forward(const Tensor& x) {
  check_input(x);
  return max_pool2d(x, pool_size(), strides(), padding());
}

Tensor AvgPool2D::forward(const Tensor& x) {
  check_input(x);
  return avg_pool2d(x, pool_size(), strides(), padding());
}

Tensor GlobalAveragePooling2D::forward(const Tensor& x) {
  check_nhwc(*this, x);
  return reduce_mean(x, Axes{1, 2});
}

}  // namespace xgrad::nn
