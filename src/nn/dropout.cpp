#include "xgrad/nn/dropout.hpp"

#include "check.hpp"
#include "splitmix.hpp"
#include "xgrad/nn/init.hpp"
#include "xgrad/ops/dropout.hpp"

namespace xgrad::nn {

Dropout::Dropout(const DropoutOptions& options)
    : Module("Dropout"),
      rate_(options.rate()),
      seed_(options.seed() ? *options.seed() : default_generator()()) {
  check::check_unit_interval("Dropout", "rate", rate_);
}

Tensor Dropout::forward(const Tensor& x) {
  if (!is_training() || rate_ == 0.0f) return x;
  const std::uint64_t mask_seed = splitmix64(seed_ ^ splitmix64(calls_++));
  return dropout(x, double(rate_), mask_seed);
}

}  // namespace xgrad::nn
