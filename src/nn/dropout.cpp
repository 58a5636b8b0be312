#include "xgrad/nn/dropout.hpp"

#include "check.hpp"
#include "splitmix.hpp"
#include "xgrad/nn/init.hpp"
#include "xgrad/ops/dropout.hpp"

namespace xgrad::nn {

template <class T>
BasicDropout<T>::BasicDropout(const DropoutOptions& options)
    : BasicModule<T>("Dropout"),
      rate_(options.rate()),
      seed_(options.seed() ? *options.seed() : default_generator()()) {
  check::check_unit_interval("Dropout", "rate", rate_);
}

template <class T>
BasicTensor<T> BasicDropout<T>::forward(const BasicTensor<T>& x) {
  if (!this->is_training() || rate_ == 0.0f) return x;
  const std::uint64_t mask_seed = splitmix64(seed_ ^ splitmix64(calls_++));
  return dropout(x, double(rate_), mask_seed);
}

template class BasicDropout<float>;
template class BasicDropout<double>;

}  // namespace xgrad::nn
