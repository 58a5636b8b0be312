#pragma once
/// \file
/// optim::Optimizer: the base of SGD, Adam/AdamW and RMSprop.
///
/// An optimizer holds handles to the parameters it updates (usually `module.parameters()`).
/// `step()` runs under NoGradGuard, updates each value in place and skips a parameter that
/// has no gradient (backward never reached it) or whose trainable flag is off
/// (requires_grad false, see nn::Module::set_trainable). It does not depend on the module's
/// train/eval mode.
///
/// The learning rate is either fixed (`set_lr` between steps) or follows a schedule
/// (`set_schedule`): each step first sets lr to schedule(iterations()), then counts itself.
///
/// Every optimizer is a class template on the parameters' element type: optim::SGD is
/// BasicSGD<float>, optim::SGD64 BasicSGD<double> (the same update, in double, for a model
/// built with nn::Module64). Hyperparameters and the learning rate are floats in both.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "xgrad/optim/schedule.hpp"
#include "xgrad/tensor.hpp"

namespace xgrad::optim {

/// The base of every optimizer (see the file's description); a new optimizer implements step()
/// and collect_state(). optim::Optimizer (float32) or optim::Optimizer64 (float64).
template <class T>
class BasicOptimizer {
public:
  /// The parameters' element type.
  using value_type = T;
  /// The parameters' tensor type.
  using Tensor = BasicTensor<T>;
  /// This class, by the name a subclass's constructor calls it: `Optimizer("Mine", params)`.
  using Optimizer = BasicOptimizer;
  /// Throws std::invalid_argument on an empty list, an undefined/non-leaf tensor or a
  /// tensor listed twice (it would be updated twice per step). `name` ("SGD", "Adam")
  /// starts every error message.
  BasicOptimizer(std::string name, std::vector<Tensor> params);
  /// The same, with error messages starting "optimizer".
  explicit BasicOptimizer(std::vector<Tensor> params)
      : BasicOptimizer("optimizer", std::move(params)) {}
  virtual ~BasicOptimizer() = default;

  /// Clears every parameter's gradient.
  void zero_grad();
  /// One update of every parameter that has a gradient and is trainable.
  virtual void step() = 0;

  /// The parameters it updates, in the order given.
  const std::vector<Tensor>& params() const { return params_; }
  /// "SGD", "Adam", ...: the start of every error message.
  const std::string& name() const { return name_; }
  /// The learning rate the next step uses (with a schedule: schedule(iterations())).
  float lr() const;
  /// Changes the learning rate (between steps); must be finite and > 0. Throws
  /// std::logic_error while a schedule is set (clear it with set_schedule(nullptr)).
  void set_lr(float lr);
  /// Follows `schedule` from the next step on; nullptr goes back to the fixed rate (the
  /// last scheduled one).
  void set_schedule(std::shared_ptr<const LearningRateSchedule> schedule);
  /// The schedule in use; nullptr for a fixed rate.
  const std::shared_ptr<const LearningRateSchedule>& schedule() const { return schedule_; }
  /// Steps taken so far (Keras' `optimizer.iterations`); the schedules' step argument.
  std::int64_t iterations() const { return iterations_; }

  /// Checkpoint support: the optimizer's state besides the parameters. An array slot of
  /// parameter i ("m", "v", "velocity", ...) may be empty (not yet allocated: zeros).
  struct StateArray {
    std::size_t param;         ///< index into params()
    std::string slot;          ///< "m", "v", "velocity", ...
    xt::xarray<T>* array;      ///< the optimizer's own array, read and written in place
  };
  /// A counter of parameter i ("t"), or of the optimizer itself when param == kNoParam.
  struct StateCounter {
    std::size_t param;    ///< index into params(), or kNoParam
    std::string name;     ///< "t", ...
    std::int64_t* value;  ///< the optimizer's own counter, read and written in place
  };
  /// StateCounter::param of a counter that belongs to the optimizer, not to a parameter.
  static constexpr std::size_t kNoParam = static_cast<std::size_t>(-1);
  /// Every state array, for checkpoints.
  std::vector<StateArray> state_arrays();
  /// Every state counter, for checkpoints.
  std::vector<StateCounter> state_counters();
  /// Sets the fixed learning rate a checkpoint recorded (ignored under a schedule).
  void restore_lr(float lr);

protected:
  /// True when parameter i is to be updated this step.
  bool should_update(std::size_t i) const;
  /// Called first by every step(): the scheduled learning rate into lr_, then counts the step.
  void begin_step();
  /// Each optimizer lists its slots and per-parameter counters.
  virtual void collect_state(std::vector<StateArray>& arrays, std::vector<StateCounter>& counters);
  std::string name_;            ///< name()
  std::vector<Tensor> params_;  ///< params()
  float lr_ = 0.0f;             ///< the rate of the step being taken (set by begin_step)

private:
  std::shared_ptr<const LearningRateSchedule> schedule_;
  std::int64_t iterations_ = 0;
};

using Optimizer = BasicOptimizer<float>;     ///< float32 optimizers' base
using Optimizer64 = BasicOptimizer<double>;  ///< float64 optimizers' base
extern template class BasicOptimizer<float>;
extern template class BasicOptimizer<double>;

/// tf.clip_by_global_norm on the gradients of `params`: norm = sqrt(sum of every squared
/// gradient element) over the parameters that have a gradient; when norm > max_norm each
/// gradient is scaled in place by max_norm / norm. Returns the norm before clipping.
/// A non-finite norm is returned with the gradients left as they are (skip the step).
/// Throws std::invalid_argument when max_norm is not finite and > 0.
float clip_by_global_norm(const std::vector<Tensor>& params, float max_norm);
/// The same on arrays of gradients held by the caller.
float clip_by_global_norm(std::vector<xt::xarray<float>>& gradients, float max_norm);
/// The same for float64 parameters.
double clip_by_global_norm(const std::vector<Tensor64>& params, double max_norm);
/// The same for float64 arrays.
double clip_by_global_norm(std::vector<xt::xarray<double>>& gradients, double max_norm);

}  // namespace xgrad::optim
