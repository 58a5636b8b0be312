#pragma once
// Private: the optimizers' per-element update loops for an element type. float32 runs the
// vectorised kernels of kernels/optimizer_table.hpp (one per instruction set); float64, used
// for gradient checks and precision comparisons, runs the same formulas as plain loops.
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "kernels/optimizer_table.hpp"

namespace xgrad::optim::detail {

/// The float64 counterpart of kernels::OptimizerTable: the same members, on doubles.
struct OptimizerLoops64 {
  static void sgd(double* p, const double* g, double lr, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) p[k] -= lr * g[k];
  }
  static void sgd_momentum(double* p, double* v, const double* g, double momentum, double lr,
                           std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
      v[k] = momentum * v[k] + g[k];
      p[k] -= lr * v[k];
    }
  }
  static void add_weight_decay(double* out, const double* g, const double* p, double wd,
                               std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) out[k] = g[k] + wd * p[k];
  }
  static void decay(double* p, double factor, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) p[k] -= factor * p[k];
  }
  static void adam(double* p, double* m, double* v, const double* g, double beta1, double beta2,
                   double lr_t, double eps, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
      const double gk = g[k];
      m[k] = beta1 * m[k] + (1.0 - beta1) * gk;
      v[k] = beta2 * v[k] + (1.0 - beta2) * gk * gk;
      p[k] -= lr_t * m[k] / (std::sqrt(v[k]) + eps);
    }
  }
  static void rmsprop(double* p, double* ms, double* mg, double* mom, const double* g, double rho,
                      double momentum, double eps, double lr, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
      const double gk = g[k];
      ms[k] = rho * ms[k] + (1.0 - rho) * gk * gk;
      double denom = ms[k] + eps;
      if (mg) {
        mg[k] = rho * mg[k] + (1.0 - rho) * gk;
        denom = ms[k] - mg[k] * mg[k] + eps;
      }
      const double inc = lr * gk / std::sqrt(denom);
      if (mom) {
        mom[k] = momentum * mom[k] + inc;
        p[k] -= mom[k];
      } else {
        p[k] -= inc;
      }
    }
  }
};

/// The loops for T: the active instruction set's table for float, OptimizerLoops64 for double.
template <class T>
const auto& update_loops() {
  if constexpr (std::is_same<T, float>::value) {
    return kernels::active<kernels::OptimizerTable>();
  } else {
    static const OptimizerLoops64 loops{};
    return loops;
  }
}

}  // namespace xgrad::optim::detail
