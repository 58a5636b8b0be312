#pragma once
/// \file
/// nn::gradcheck_module: the gradient of a float64 module, with respect to its input and its
/// parameters, against central differences.
///
/// For each of `num_upstream` random upstream gradients u, the analytic gradient of
/// L = sum(u * module(x)) from backward() is compared, element by element, with
/// (L(p + eps) - L(p - eps)) / (2 eps) for the input x and every trainable parameter (or the
/// ones named), with gradcheck()'s error measure (|analytic - numeric| / max(1, |analytic|,
/// |numeric|)). The module runs in the mode it is in: training (BatchNorm through its batch
/// statistics) or eval.
///
/// Every evaluation sees the same module: before each forward pass the buffers (BatchNorm's
/// moving statistics) are put back and every nn::Dropout64 is set back to its mask counter,
/// so a dropout layer applies one fixed mask throughout; at the end both are as they were
/// and the parameters hold their values bit for bit (their gradients are cleared). A custom
/// module with randomness of its own must make it repeatable the same way.
///
/// When the check fails, the layer is found: every module called through operator() during
/// one forward pass is checked alone on the input it received there (with respect to that
/// input and its own parameters), and the innermost one that fails is named
/// (`ModuleGradcheckResult::layer`). A wrong VJP inside one layer shows up in the gradients
/// of every layer before it; this says where it is.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// How gradcheck_module() differentiates and what it checks.
struct ModuleGradcheckOptions {
  double eps = 1e-6;        ///< finite-difference step
  double tolerance = 1e-6;  ///< largest accepted error
  int num_upstream = 2;     ///< random upstream gradients tried
  std::uint64_t seed = 42;  ///< seeds the upstream draws
  bool check_input = true;  ///< also check the gradient with respect to the input
  /// Dotted names of the parameters to check ("0.kernel"); empty: every trainable one.
  std::vector<std::string> parameters;
  /// On failure, check each layer alone to name the one to blame (costs another check per
  /// layer).
  bool find_layer = true;
};

/// What gradcheck_module() found.
struct ModuleGradcheckResult {
  bool ok = true;        ///< every error within the tolerance
  double max_error = 0;  ///< worst error found
  /// Where the worst error is: "input" or a parameter's dotted name ("1.gamma").
  std::string worst;
  std::size_t index = 0;  ///< flat element index within that tensor
  double analytic = 0;    ///< the analytic gradient at that element
  double numeric = 0;     ///< the central difference at that element
  /// The worst error of every tensor checked, in order (the input first).
  std::vector<std::pair<std::string, double>> errors;
  /// On failure: the innermost layer whose own check fails, by label ("BatchNorm '1'"); empty
  /// when the check passed, find_layer was off, or no single layer fails alone.
  std::string layer;
  std::string message;  ///< a readable summary (for test failures)
};

/// Checks `module`'s gradients at input `x` (see the file's description). Throws
/// std::invalid_argument on an unknown or frozen parameter name, or when nothing is to be
/// checked.
ModuleGradcheckResult gradcheck_module(Module64& module, const Tensor64& x,
                                       const ModuleGradcheckOptions& options = {});

}  // namespace xgrad::nn
