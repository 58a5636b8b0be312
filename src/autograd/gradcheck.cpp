#include "xgrad/autograd/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>

#include "xgrad/autograd/tape.hpp"

namespace xgrad {

namespace {

double weighted_sum(const Tensor64& out, const xt::xarray<double>& u) {
  double s = 0;
  const auto& v = out.value();
  auto it = u.begin();
  for (double x : v) s += x * *it++;
  return s;
}

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor64(const std::vector<Tensor64>&)>& f,
                          const std::vector<Tensor64>& inputs, const GradcheckOptions& options) {
  bool any_marked = std::any_of(inputs.begin(), inputs.end(),
                                [](const Tensor64& t) { return t.defined() && t.requires_grad(); });
  std::vector<Tensor64> x;
  std::vector<bool> checked;
  for (const auto& in : inputs) {
    bool check = in.defined() && (!any_marked || in.requires_grad());
    checked.push_back(check);
    x.push_back(in.defined() ? Tensor64(xt::xarray<double>(in.value()), check) : in);
  }
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  GradcheckResult result;
  for (int trial = 0; trial < options.num_upstream; ++trial) {
    for (auto& t : x) {
      if (t.defined()) t.zero_grad();
    }
    Tensor64 out = f(x);
    xt::xarray<double> u = xt::xarray<double>::from_shape(out.value().shape());
    for (auto& v : u) v = normal(rng);
    if (!out.requires_grad()) {
      throw std::invalid_argument("gradcheck: the function's output does not depend on any input "
                                  "that requires grad");
    }
    out.backward(u);
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!checked[i]) continue;
      auto& value = x[i].value();
      xt::xarray<double> analytic = x[i].has_grad() ? x[i].grad() : xt::zeros_like(value);
      // Grad mode stays on: f may itself take a gradient (autograd::grad inside a penalty).
      for (std::size_t j = 0; j < value.size(); ++j) {
        double* p = value.data() + j;
        const double saved = *p;
        *p = saved + options.eps;
        double plus = weighted_sum(f(x), u);
        *p = saved - options.eps;
        double minus = weighted_sum(f(x), u);
        *p = saved;
        double numeric = (plus - minus) / (2 * options.eps);
        double a = analytic.data()[j];
        double err = std::abs(a - numeric) / std::max({1.0, std::abs(a), std::abs(numeric)});
        if (std::isnan(err) || err > result.max_error) {
          result.max_error = std::isnan(err) ? INFINITY : err;
          result.input = i;
          result.index = j;
          result.analytic = a;
          result.numeric = numeric;
        }
      }
    }
  }
  result.ok = result.max_error <= options.tolerance;
  std::ostringstream msg;
  msg.precision(10);
  msg << "gradcheck " << (result.ok ? "passed" : "FAILED") << ": worst error " << result.max_error
      << " (tolerance " << options.tolerance << ") at input " << result.input << ", element "
      << result.index << ": analytic " << result.analytic << ", numeric " << result.numeric;
  result.message = msg.str();
  return result;
}

}  // namespace xgrad
