#pragma once
/// \file
/// optim::Optimizer: the base of SGD and Adam.
///
/// An optimizer holds handles to the parameters it updates (usually `module.parameters()`).
/// `step()` runs under NoGradGuard, updates each value in place and skips a parameter that
/// has no gradient (backward never reached it) or whose trainable flag is off
/// (requires_grad false, see nn::Module::set_trainable). It does not depend on the module's
/// train/eval mode.
#include <string>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad::optim {

class Optimizer {
public:
  /// Throws std::invalid_argument on an empty list, an undefined/non-leaf tensor or a
  /// tensor listed twice (it would be updated twice per step). `name` ("SGD", "Adam")
  /// starts every error message.
  Optimizer(std::string name, std::vector<Tensor> params);
  explicit Optimizer(std::vector<Tensor> params) : Optimizer("optimizer", std::move(params)) {}
  virtual ~Optimizer() = default;

  /// Clears every parameter's gradient.
  void zero_grad();
  /// One update of every parameter that has a gradient and is trainable.
  virtual void step() = 0;

  const std::vector<Tensor>& params() const { return params_; }
  const std::string& name() const { return name_; }
  float lr() const { return lr_; }
  /// Changes the learning rate (schedules); must be > 0.
  void set_lr(float lr);

protected:
  /// True when parameter i is to be updated this step.
  bool should_update(std::size_t i) const;
  std::string name_;
  std::vector<Tensor> params_;
  float lr_ = 0.0f;
};

}  // namespace xgrad::optim
