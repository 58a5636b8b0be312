#include "xgrad/nn/dropout.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "xgrad/nn/init.hpp"
#include "xgrad/ops/dropout.hpp"

namespace xgrad::nn {

namespace {
void check_rate(float rate) {
  if (!(rate >= 0.0f && rate < 1.0f)) {  // NaN fails too
    throw std::invalid_argument("Dropout: rate must be in [0, 1), got " + std::to_string(rate));
  }
}

/// splitmix64's finaliser: consecutive call numbers give unrelated mask seeds.
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

Dropout::Dropout(float rate) : Dropout(rate, default_generator()()) {}

Dropout::Dropout(float rate, std::uint64_t seed) : Module("Dropout"), rate_(rate), seed_(seed) {
  check_rate(rate);
}

Tensor Dropout::forward(const Tensor& x) {
  if (!is_training() || rate_ == 0.0f) return x;
  const std::uint64_t mask_seed = mix(seed_ ^ mix(calls_++));
  return dropout(x, double(rate_), mask_seed);
}

}  // namespace xgrad::nn
