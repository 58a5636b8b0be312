#pragma once
/// \file
/// gradcheck and gradgradcheck: analytic first and second derivatives against central
/// differences, in float64.
///
/// For each of `num_upstream` random upstream gradients u (never all ones: a sum loss hides
/// bugs in ops whose outputs sum to a constant, such as softmax), the analytic gradient of
/// L = sum(u * f(inputs)) from backward() is compared element by element with
/// (L(x + eps) - L(x - eps)) / (2 eps). Error = |analytic - numeric| / max(1, |analytic|,
/// |numeric|): relative for large gradients, absolute near zero.
///
/// Only float64 is accepted: in float32 rounding error swamps the differences
/// (pytorch/pytorch#8659).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// How gradcheck() differentiates and what it accepts.
struct GradcheckOptions {
  double eps = 1e-6;         ///< finite-difference step
  double tolerance = 1e-6;   ///< largest accepted error
  int num_upstream = 2;      ///< random upstream gradients tried
  std::uint64_t seed = 42;   ///< seeds the upstream draws
};

/// What gradcheck() found.
struct GradcheckResult {
  bool ok = true;             ///< every error within the tolerance
  double max_error = 0;       ///< worst error found
  std::size_t input = 0;      ///< which input it was in
  std::size_t index = 0;      ///< flat element index within that input
  double analytic = 0;        ///< the analytic gradient at that element
  double numeric = 0;         ///< the central difference at that element
  std::string message;        ///< a readable summary (for test failures)
};

/// Checks the gradient of `f` with respect to every input that has requires_grad set (all
/// inputs if none has). The inputs are copied; the caller's tensors are left untouched.
GradcheckResult gradcheck(const std::function<Tensor64(const std::vector<Tensor64>&)>& f,
                          const std::vector<Tensor64>& inputs, const GradcheckOptions& options = {});

/// Checks the gradient of the gradient (torch.autograd.gradgradcheck): with a random upstream
/// gradient u of f's output shape, the function (inputs, u) -> d<u, f(inputs)>/d(inputs),
/// computed by autograd::grad with create_graph, goes through gradcheck(): its own gradient
/// (the second derivatives of f, and the first with respect to u) against central differences
/// of the gradient. The inputs checked are chosen as gradcheck() chooses them; u is checked
/// too. In the result, `input` numbers the inputs, then u (index inputs.size()). First, the
/// recorded gradient must equal backward()'s (same error measure and tolerance), or the
/// result fails naming the input and element: a differentiable backward off by a constant
/// factor has right derivatives, and only this comparison sees it.
GradcheckResult gradgradcheck(const std::function<Tensor64(const std::vector<Tensor64>&)>& f,
                              const std::vector<Tensor64>& inputs,
                              const GradcheckOptions& options = {});

}  // namespace xgrad
