#pragma once
/// \file
/// XGRAD_OPTION: the one way every options class (layers, optimizers, schedules) declares an
/// option, as PyTorch's C++ frontend does with TORCH_ARG. Each option is a setter that returns
/// the options object, so calls chain, and a getter of the same name:
///
/// \code
///   struct PoolOptions {
///     XGRAD_OPTION(std::size_t, size) = 2;   // the default follows the macro
///     XGRAD_OPTION(bool, ceil) = false;
///   };
///   auto o = PoolOptions().size(3).ceil(true);
///   o.size();  // 3
/// \endcode
///
/// The macro leaves the class in `private:` (the stored member), so declare constructors and
/// any other public members before the options.

/// Declares option `name` of type `type`: `name(v)` sets it and returns `*this`, `name()`
/// reads it; the stored member is `name##_`. Write `= default_value;` after the macro (an
/// option without a default must be set by every constructor).
#define XGRAD_OPTION(type, name)             \
 public:                                     \
  auto& name(const type& new_value) {        \
    this->name##_ = new_value;               \
    return *this;                            \
  }                                          \
  const type& name() const { return name##_; } \
                                             \
 private:                                    \
  type name##_
