#pragma once
/// \file
/// Learning-rate schedules (tf.keras.optimizers.schedules): the learning rate as a function
/// of the optimizer's step count, which starts at 0 for the first step.
///
/// Any optimizer takes one (`opt.set_schedule(...)`); before each step it sets its learning
/// rate to `schedule(iterations())`. Every constructor throws std::invalid_argument on a
/// negative or non-finite rate or a bad step count, naming the schedule.
#include <cstdint>
#include <memory>
#include <vector>

#include "xgrad/options.hpp"

namespace xgrad::optim {

/// The base of the schedules an optimizer follows (Optimizer::set_schedule).
class LearningRateSchedule {
public:
  virtual ~LearningRateSchedule() = default;
  /// The learning rate for step `step` (0 for the first step).
  virtual double operator()(std::int64_t step) const = 0;
};

/// The same rate at every step.
class ConstantSchedule : public LearningRateSchedule {
public:
  /// Always `learning_rate`.
  explicit ConstantSchedule(double learning_rate);
  double operator()(std::int64_t step) const override;

private:
  double lr_;
};

/// tf.keras.optimizers.schedules.PiecewiseConstantDecay: values[0] while step <=
/// boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i], values.back()
/// after the last boundary. Boundaries strictly increasing; values.size() ==
/// boundaries.size() + 1.
class PiecewiseConstantDecay : public LearningRateSchedule {
public:
  /// Throws std::invalid_argument unless the sizes and the order are as above.
  PiecewiseConstantDecay(std::vector<std::int64_t> boundaries, std::vector<double> values);
  double operator()(std::int64_t step) const override;

private:
  std::vector<std::int64_t> boundaries_;
  std::vector<double> values_;
};

/// tf.keras.optimizers.schedules.ExponentialDecay:
///   lr = initial * decay_rate ^ (step / decay_steps)
/// with the exponent floored (integer division) when `staircase`.
class ExponentialDecay : public LearningRateSchedule {
public:
  /// decay_steps > 0, decay_rate > 0.
  ExponentialDecay(double initial_learning_rate, std::int64_t decay_steps, double decay_rate,
                   bool staircase = false);
  double operator()(std::int64_t step) const override;

private:
  double initial_, rate_;
  std::int64_t decay_steps_;
  bool staircase_;
};

/// tf.keras.optimizers.schedules.CosineDecay with its linear warm-up (TF >= 2.13):
/// - step < warmup_steps: initial + (warmup_target - initial) * step / warmup_steps;
/// - after: target * ((1 - alpha) * 0.5 (1 + cos(pi s / decay_steps)) + alpha), with
///   s = min(step - warmup_steps, decay_steps) and target = warmup_target (the initial rate
///   when there is no warm-up).
/// So the rate ramps from `initial` to `warmup_target`, then falls to alpha * target.
/// Without a warm-up target, warmup_steps is ignored (as in TF).
/// Set fluently: `CosineDecayOptions(0.0, 10000).warmup_steps(500).warmup_target(1e-3)`.
struct CosineDecayOptions {
  /// The two options without a default.
  CosineDecayOptions(double initial_learning_rate, std::int64_t decay_steps)
      : initial_learning_rate_(initial_learning_rate), decay_steps_(decay_steps) {}
  /// The rate at step 0. Must be finite and >= 0.
  XGRAD_OPTION(double, initial_learning_rate);
  /// Steps of the cosine (after the warm-up). Must be > 0.
  XGRAD_OPTION(std::int64_t, decay_steps);
  /// The final rate as a fraction of the peak. Default 0. Must be in [0, 1].
  XGRAD_OPTION(double, alpha) = 0.0;
  /// Default 0. Must be >= 0.
  XGRAD_OPTION(std::int64_t, warmup_steps) = 0;
  /// The peak reached at the end of the warm-up; negative (the default): no warm-up target
  /// (the initial rate).
  XGRAD_OPTION(double, warmup_target) = -1.0;
};

/// The cosine decay described at CosineDecayOptions.
class CosineDecay : public LearningRateSchedule {
public:
  /// Throws std::invalid_argument on an option outside its range.
  explicit CosineDecay(const CosineDecayOptions& options);
  /// No warm-up: decays from `initial_learning_rate` to alpha times it over decay_steps.
  CosineDecay(double initial_learning_rate, std::int64_t decay_steps, double alpha = 0.0);
  double operator()(std::int64_t step) const override;

private:
  CosineDecayOptions o_;
};

}  // namespace xgrad::optim
