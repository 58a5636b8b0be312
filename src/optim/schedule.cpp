#include "xgrad/optim/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "check.hpp"

namespace xgrad::optim {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

ConstantSchedule::ConstantSchedule(double learning_rate) : lr_(learning_rate) {
  check::check_non_negative("ConstantSchedule", "learning_rate", lr_);
}

double ConstantSchedule::operator()(std::int64_t) const { return lr_; }

PiecewiseConstantDecay::PiecewiseConstantDecay(std::vector<std::int64_t> boundaries,
                                               std::vector<double> values)
    : boundaries_(std::move(boundaries)), values_(std::move(values)) {
  if (values_.size() != boundaries_.size() + 1) {
    check::fail("PiecewiseConstantDecay", "needs one value more than boundaries, got " +
                                              std::to_string(boundaries_.size()) +
                                              " boundaries and " + std::to_string(values_.size()) +
                                              " values");
  }
  for (std::size_t i = 1; i < boundaries_.size(); ++i) {
    if (boundaries_[i] <= boundaries_[i - 1]) {
      check::fail("PiecewiseConstantDecay", "boundaries must be strictly increasing, got " +
                                                std::to_string(boundaries_[i - 1]) + " then " +
                                                std::to_string(boundaries_[i]));
    }
  }
  for (double v : values_) check::check_non_negative("PiecewiseConstantDecay", "every value", v);
}

double PiecewiseConstantDecay::operator()(std::int64_t step) const {
  // The first boundary >= step picks the value; none: the last value.
  auto it = std::lower_bound(boundaries_.begin(), boundaries_.end(), step);
  return values_[std::size_t(it - boundaries_.begin())];
}

ExponentialDecay::ExponentialDecay(double initial_learning_rate, std::int64_t decay_steps,
                                   double decay_rate, bool staircase)
    : initial_(initial_learning_rate), rate_(decay_rate), decay_steps_(decay_steps),
      staircase_(staircase) {
  check::check_non_negative("ExponentialDecay", "initial_learning_rate", initial_);
  check::check_positive_count("ExponentialDecay", "decay_steps", decay_steps_);
  check::check_positive("ExponentialDecay", "decay_rate", rate_);
}

double ExponentialDecay::operator()(std::int64_t step) const {
  double p = double(step) / double(decay_steps_);
  if (staircase_) p = std::floor(p);
  return initial_ * std::pow(rate_, p);
}

CosineDecay::CosineDecay(const CosineDecayOptions& options) : o_(options) {
  check::check_non_negative("CosineDecay", "initial_learning_rate", o_.initial_learning_rate());
  check::check_positive_count("CosineDecay", "decay_steps", o_.decay_steps());
  check::check_closed_unit_interval("CosineDecay", "alpha", o_.alpha());
  if (o_.warmup_steps() < 0) {
    check::fail("CosineDecay", "warmup_steps must be >= 0, got " + std::to_string(o_.warmup_steps()));
  }
  // Negative: no warm-up target; otherwise a rate like any other.
  if (o_.warmup_target() >= 0.0 || !std::isfinite(o_.warmup_target())) {
    check::check_non_negative("CosineDecay", "warmup_target", o_.warmup_target());
  }
}

CosineDecay::CosineDecay(double initial_learning_rate, std::int64_t decay_steps, double alpha)
    : CosineDecay(CosineDecayOptions(initial_learning_rate, decay_steps).alpha(alpha)) {}

double CosineDecay::operator()(std::int64_t step) const {
  const bool has_target = o_.warmup_target() >= 0.0;
  const double target = has_target ? o_.warmup_target() : o_.initial_learning_rate();
  if (has_target && step < o_.warmup_steps()) {
    return o_.initial_learning_rate() +
           (target - o_.initial_learning_rate()) * double(step) / double(o_.warmup_steps());
  }
  // Without a warm-up target TF ignores warmup_steps.
  const std::int64_t offset = has_target ? o_.warmup_steps() : 0;
  const double s = double(std::min(std::max<std::int64_t>(step - offset, 0), o_.decay_steps()));
  const double cosine = 0.5 * (1.0 + std::cos(kPi * s / double(o_.decay_steps())));
  return target * ((1.0 - o_.alpha()) * cosine + o_.alpha());
}

}  // namespace xgrad::optim
