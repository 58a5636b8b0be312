#include "xgrad/nn/dropout.hpp"

#include "check.hpp"
#include "xgrad/nn/init.hpp"
#include "xgrad/ops/dropout.hpp"

namespace xgrad::nn {

namespace {
/// splitmix64's finaliser: consecutive call numbers give unrelated mask seeds.
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

Dropout::Dropout(const DropoutOptions& options)
    : Module("Dropout"),
      rate_(options.rate()),
      seed_(options.seed() ? *options.seed() : default_generator()()) {
  check::check_unit_interval("Dropout", "rate", rate_);
}

Tensor Dropout::forward(const Tensor& x) {
  if (!is_training() || rate_ == 0.0f) return x;
  const std::uint64_t mask_seed = mix(seed_ ^ mix(calls_++));
  return dropout(x, double(rate_), mask_seed);
}

}  // namespace xgrad::nn
