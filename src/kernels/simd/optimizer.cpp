// The loops of optimizer_table.hpp, compiled once per instruction set (per_isa.hpp).
#include <cmath>
#include <cstddef>

#include "kernels/optimizer_table.hpp"
#include "kernels/per_isa.hpp"

namespace xgrad::kernels {
namespace XGRAD_SIMD_NS {
namespace {

void sgd(float* __restrict p, const float* __restrict g, float lr, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) p[k] -= lr * g[k];
}

void sgd_momentum(float* __restrict p, float* __restrict v, const float* __restrict g,
                  float momentum, float lr, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) {
    v[k] = momentum * v[k] + g[k];
    p[k] -= lr * v[k];
  }
}

void add_weight_decay(float* __restrict out, const float* __restrict g,
                      const float* __restrict p, float wd, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) out[k] = g[k] + wd * p[k];
}

void decay(float* __restrict p, float factor, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) p[k] -= factor * p[k];
}

void adam(float* __restrict p, float* __restrict m, float* __restrict v,
          const float* __restrict g, float beta1, float beta2, float lr_t, float eps,
          std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) {
    const float gk = g[k];
    m[k] = beta1 * m[k] + (1.0f - beta1) * gk;
    v[k] = beta2 * v[k] + (1.0f - beta2) * gk * gk;
    p[k] -= lr_t * m[k] / (std::sqrt(v[k]) + eps);
  }
}

void rmsprop(float* __restrict p, float* __restrict ms, float* __restrict mg,
             float* __restrict mom, const float* __restrict g, float rho, float momentum,
             float eps, float lr, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) {
    const float gk = g[k];
    ms[k] = rho * ms[k] + (1.0f - rho) * gk * gk;
    float denom = ms[k] + eps;
    if (mg) {
      mg[k] = rho * mg[k] + (1.0f - rho) * gk;
      denom = ms[k] - mg[k] * mg[k] + eps;
    }
    const float inc = lr * gk / std::sqrt(denom);
    if (mom) {
      mom[k] = momentum * mom[k] + inc;
      p[k] -= mom[k];
    } else {
      p[k] -= inc;
    }
  }
}

/// Constant-initialised: building it at start-up would run this file's instructions on any CPU.
constexpr OptimizerTable kTable{&sgd, &sgd_momentum, &add_weight_decay, &decay, &adam, &rmsprop};

}  // namespace
}  // namespace XGRAD_SIMD_NS

XGRAD_ISA_TABLE(OptimizerTable, XGRAD_SIMD_NS::kTable)

}  // namespace xgrad::kernels
