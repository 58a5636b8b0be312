// gradgradcheck: gradcheck applied to the gradient function (PyTorch's method).
#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include "xgrad/autograd/grad.hpp"
#include "xgrad/autograd/gradcheck.hpp"
#include "xgrad/autograd/tape.hpp"
#include "xgrad/ops/shape_ops.hpp"
#include "xgrad/ops/slicing.hpp"

namespace xgrad {

GradcheckResult gradgradcheck(const std::function<Tensor64(const std::vector<Tensor64>&)>& f,
                              const std::vector<Tensor64>& inputs,
                              const GradcheckOptions& options) {
  const bool any_marked = std::any_of(inputs.begin(), inputs.end(), [](const Tensor64& t) {
    return t.defined() && t.requires_grad();
  });
  std::vector<Tensor64> args;
  for (const auto& in : inputs) {
    const bool check = in.defined() && (!any_marked || in.requires_grad());
    args.push_back(in.defined() ? Tensor64(xt::xarray<double>(in.value()), check) : in);
  }
  // The upstream gradient: random normal, never all ones (it would hide terms that sum to 0).
  Shape out_shape;
  {
    NoGradGuard no_grad;
    out_shape = f(args).shape();
  }
  std::mt19937_64 rng(options.seed ^ 0x9e3779b97f4a7c15ULL);
  std::normal_distribution<double> normal(0.0, 1.0);
  xt::xarray<double> u = xt::xarray<double>::from_shape(out_shape);
  for (auto& v : u) v = normal(rng);
  args.push_back(Tensor64(std::move(u), true));

  // (inputs, u) -> the gradients of <u, f(inputs)> with respect to the checked inputs, flat
  // and joined: one tensor for gradcheck. gradcheck evaluates it under NoGradGuard for its
  // differences, so grad mode is turned on inside.
  auto gradient = [&f](const std::vector<Tensor64>& vars) {
    const bool previous = autograd::is_grad_enabled();
    autograd::set_grad_enabled(true);
    try {
      std::vector<Tensor64> xs(vars.begin(), vars.end() - 1), wrt;
      for (const auto& x : xs) {
        if (x.defined() && x.requires_grad()) wrt.push_back(x);
      }
      Tensor64 out = f(xs);
      if (!out.requires_grad()) {
        throw std::invalid_argument("gradgradcheck: the function's output does not depend on "
                                    "any input that requires grad");
      }
      auto grads = autograd::grad({out}, wrt, {vars.back()},
                                          autograd::GradOptions().create_graph(true).allow_unused(true));
      std::vector<Tensor64> flat;
      for (std::size_t i = 0; i < grads.size(); ++i) {
        // An input the output does not use has a zero gradient.
        flat.push_back(grads[i].defined() ? reshape(grads[i], {-1})
                                          : Tensor64(xt::zeros<double>({wrt[i].size()})));
      }
      Tensor64 joined = flat.size() == 1 ? flat[0] : concat(flat, 0);
      autograd::set_grad_enabled(previous);
      return joined;
    } catch (...) {
      autograd::set_grad_enabled(previous);
      throw;
    }
  };
  // The recorded gradient must equal backward()'s: gradcheck below checks only its
  // derivatives, which a differentiable backward off by a constant factor passes.
  {
    std::vector<Tensor64> xs(args.begin(), args.end() - 1), wrt;
    std::vector<std::size_t> wrt_index;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (xs[i].defined() && xs[i].requires_grad()) {
        wrt.push_back(xs[i]);
        wrt_index.push_back(i);
      }
    }
    const Tensor64 out = f(xs);
    const auto base = autograd::GradOptions().allow_unused(true);
    const auto plain =
        autograd::grad({out}, wrt, {args.back()}, autograd::GradOptions(base).retain_graph(true));
    const auto recorded =
        autograd::grad({out}, wrt, {args.back()}, autograd::GradOptions(base).create_graph(true));
    for (std::size_t k = 0; k < wrt.size(); ++k) {
      if (plain[k].defined() != recorded[k].defined()) {
        throw std::logic_error("gradgradcheck: input " + std::to_string(wrt_index[k]) +
                               " has a gradient from one backward and none from the other");
      }
      if (!plain[k].defined()) continue;
      const auto& a = plain[k].value();
      const auto& b = recorded[k].value();
      for (std::size_t j = 0; j < a.size(); ++j) {
        const double err = std::abs(a.data()[j] - b.data()[j]) /
                           std::max({1.0, std::abs(a.data()[j]), std::abs(b.data()[j])});
        if (!(err <= options.tolerance)) {
          GradcheckResult mismatch;
          mismatch.ok = false;
          mismatch.max_error = std::isnan(err) ? INFINITY : err;
          mismatch.input = wrt_index[k];
          mismatch.index = j;
          mismatch.analytic = b.data()[j];
          mismatch.numeric = a.data()[j];
          std::ostringstream msg;
          msg.precision(10);
          msg << "gradgradcheck FAILED: the differentiable backward's gradient of input "
              << wrt_index[k] << ", element " << j << " is " << b.data()[j]
              << ", backward()'s is " << a.data()[j] << " (error " << err << ")";
          mismatch.message = msg.str();
          return mismatch;
        }
      }
    }
  }

  GradcheckResult result = gradcheck(gradient, args, options);
  result.message = "grad" + result.message;
  return result;
}

}  // namespace xgrad
