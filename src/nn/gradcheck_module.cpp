#include "xgrad/nn/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

#include "nn/module_calls.hpp"
#include "xgrad/autograd/tape.hpp"
#include "xgrad/nn/dropout.hpp"

namespace xgrad::nn {

namespace {

/// The state a forward pass may change besides its output: buffers (BatchNorm's moving
/// statistics, updated in training mode) and dropout mask counters. Put back before every
/// evaluation, so each sees the same module, and at the end.
class Snapshot {
public:
  explicit Snapshot(Module64& m) {
    for (auto& kv : m.named_buffers()) buffers_.emplace_back(kv.second, kv.second.value());
    collect_dropouts(m);
  }
  void restore() const {
    for (const auto& b : buffers_) {
      auto& dst = b.first.value();
      std::copy(b.second.begin(), b.second.end(), dst.begin());
    }
    for (const auto& d : dropouts_) d.first->set_calls(d.second);
  }

private:
  void collect_dropouts(Module64& m) {
    if (auto* d = dynamic_cast<Dropout64*>(&m)) dropouts_.emplace_back(d, d->calls());
    for (auto& kv : m.named_children()) collect_dropouts(*kv.second);
  }
  std::vector<std::pair<Tensor64, xt::xarray<double>>> buffers_;
  std::vector<std::pair<Dropout64*, std::uint64_t>> dropouts_;
};

struct Target {
  std::string name;
  Tensor64 tensor;
};

double weighted_sum(const Tensor64& out, const xt::xarray<double>& u) {
  double s = 0;
  auto it = u.begin();
  for (double v : out.value()) s += v * *it++;
  return s;
}

/// The central-difference check of d sum(u * m(x)) / d target for every target.
ModuleGradcheckResult check(Module64& m, const Tensor64& x, const std::vector<Target>& targets,
                            const ModuleGradcheckOptions& options, const Snapshot& snapshot) {
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  ModuleGradcheckResult result;
  std::vector<double> worst(targets.size(), 0.0);
  for (int trial = 0; trial < options.num_upstream; ++trial) {
    for (const auto& t : targets) t.tensor.zero_grad();
    snapshot.restore();
    Tensor64 out = m(x);
    if (!out.requires_grad()) {
      throw std::invalid_argument("gradcheck_module: the output of " + m.label() +
                                  " depends on nothing checked");
    }
    xt::xarray<double> u = xt::xarray<double>::from_shape(out.value().shape());
    for (auto& v : u) v = normal(rng);
    out.backward(u);
    for (std::size_t k = 0; k < targets.size(); ++k) {
      const Tensor64& t = targets[k].tensor;
      auto& value = t.value();
      const xt::xarray<double> analytic = t.has_grad() ? t.grad() : xt::zeros_like(value);
      NoGradGuard no_grad;
      for (std::size_t j = 0; j < value.size(); ++j) {
        double* p = value.data() + j;
        const double saved = *p;
        *p = saved + options.eps;
        snapshot.restore();
        const double plus = weighted_sum(m(x), u);
        *p = saved - options.eps;
        snapshot.restore();
        const double minus = weighted_sum(m(x), u);
        *p = saved;
        const double numeric = (plus - minus) / (2 * options.eps);
        const double a = analytic.data()[j];
        double err = std::abs(a - numeric) / std::max({1.0, std::abs(a), std::abs(numeric)});
        if (std::isnan(err)) err = INFINITY;
        worst[k] = std::max(worst[k], err);
        if (err > result.max_error || (result.worst.empty() && err >= result.max_error)) {
          result.max_error = err;
          result.worst = targets[k].name;
          result.index = j;
          result.analytic = a;
          result.numeric = numeric;
        }
      }
    }
  }
  snapshot.restore();
  for (std::size_t k = 0; k < targets.size(); ++k) {
    result.errors.emplace_back(targets[k].name, worst[k]);
  }
  result.ok = result.max_error <= options.tolerance;
  return result;
}

/// Every module called through operator() below the top one, with a copy of its first input.
struct CallRecorder : detail::CallObserver<double> {
  const Module64* top = nullptr;
  std::vector<std::pair<Module64*, xt::xarray<double>>> calls;
  std::set<const Module64*> seen;
  void on_call(Module64& m, const Tensor64& in, const Tensor64&) override {
    if (&m == top || !seen.insert(&m).second) return;
    calls.emplace_back(&m, in.value());
  }
};

/// The innermost layer whose own check fails, by label; "" if none does alone.
std::string find_layer(Module64& top, const Tensor64& x, const ModuleGradcheckOptions& options,
                       const Snapshot& snapshot) {
  CallRecorder recorder;
  recorder.top = &top;
  {
    NoGradGuard no_grad;
    detail::ObserveCalls<double> observe(&recorder);
    snapshot.restore();
    top(x);
  }
  snapshot.restore();
  ModuleGradcheckOptions alone = options;
  alone.find_layer = false;
  std::vector<const Module64*> failing;
  for (auto& [layer, input] : recorder.calls) {
    std::vector<Target> targets{{"input", Tensor64(input, /*requires_grad=*/true)}};
    for (auto& kv : layer->named_parameters()) {
      if (kv.second.requires_grad()) targets.push_back({kv.first, kv.second});
    }
    try {
      if (!check(*layer, targets[0].tensor, targets, alone, snapshot).ok) failing.push_back(layer);
    } catch (const std::invalid_argument&) {
      // A layer whose output does not depend on its input or parameters cannot be blamed.
    }
  }
  for (const Module64* candidate : failing) {
    const std::string prefix = candidate->registered_name() + ".";
    const bool has_failing_child = std::any_of(failing.begin(), failing.end(), [&](const Module64* f) {
      return f->registered_name().compare(0, prefix.size(), prefix) == 0;
    });
    if (!has_failing_child) return candidate->label();
  }
  return "";
}

}  // namespace

ModuleGradcheckResult gradcheck_module(Module64& module, const Tensor64& x,
                                       const ModuleGradcheckOptions& options) {
  if (!x.defined()) throw std::invalid_argument("gradcheck_module: the input is undefined");
  std::vector<Target> targets;
  Tensor64 input(xt::xarray<double>(x.value()), options.check_input);
  if (options.check_input) targets.push_back({"input", input});
  if (options.parameters.empty()) {
    for (auto& kv : module.named_parameters()) {
      if (kv.second.requires_grad()) targets.push_back({kv.first, kv.second});
    }
  } else {
    for (const auto& name : options.parameters) {
      Tensor64 p;
      try {
        p = module.parameter(name);
      } catch (const std::out_of_range& e) {
        throw std::invalid_argument(std::string("gradcheck_module: ") + e.what());
      }
      if (!p.requires_grad()) {
        throw std::invalid_argument("gradcheck_module: parameter '" + name + "' of " +
                                    module.label() + " is frozen (set_trainable)");
      }
      targets.push_back({name, p});
    }
  }
  if (targets.empty()) {
    throw std::invalid_argument("gradcheck_module: nothing to check in " + module.label() +
                                " (no trainable parameter and check_input off)");
  }
  const Snapshot snapshot(module);
  // Buffers, mask counters and gradients as they were, whatever happens.
  struct Restore {
    const Snapshot& snapshot;
    Module64& module;
    ~Restore() {
      snapshot.restore();
      for (auto& p : module.parameters()) p.zero_grad();
    }
  } restore{snapshot, module};

  ModuleGradcheckResult result = check(module, input, targets, options, snapshot);
  if (!result.ok && options.find_layer) result.layer = find_layer(module, input, options, snapshot);
  std::ostringstream msg;
  msg.precision(10);
  msg << "gradcheck_module " << (result.ok ? "passed" : "FAILED") << " on " << module.label()
      << (module.is_training() ? " (training mode)" : " (eval mode)") << ": worst error "
      << result.max_error << " (tolerance " << options.tolerance << ") at " << result.worst
      << ", element " << result.index << ": analytic " << result.analytic << ", numeric "
      << result.numeric;
  if (!result.ok && options.find_layer) {
    msg << "; " << (result.layer.empty() ? "no single layer fails alone"
                                         : "the layer that fails alone: " + result.layer);
  }
  result.message = msg.str();
  return result;
}

}  // namespace xgrad::nn
