#pragma once
// Private: the optimizers' update loops over a range of one parameter, for one instruction
// set, as a table (one family of isa_dispatch.hpp). The loops, simd/optimizer.cpp, are plain
// elementwise ones the compiler vectorises for each instruction set.
#include <cstddef>

#include "kernels/isa_dispatch.hpp"

namespace xgrad::kernels {

struct OptimizerTable {
  /// p -= lr g
  void (*sgd)(float* p, const float* g, float lr, std::size_t n);
  /// v = momentum v + g; p -= lr v
  void (*sgd_momentum)(float* p, float* v, const float* g, float momentum, float lr,
                       std::size_t n);
  /// out = g + wd p (L2 weight decay added to the gradient)
  void (*add_weight_decay)(float* out, const float* g, const float* p, float wd, std::size_t n);
  /// p -= factor p (decoupled weight decay)
  void (*decay)(float* p, float factor, std::size_t n);
  /// Adam with the bias corrections folded into lr_t.
  void (*adam)(float* p, float* m, float* v, const float* g, float beta1, float beta2,
               float lr_t, float eps, std::size_t n);
  /// RMSprop (TF's form); mg (centered) and mom (momentum) may be null.
  void (*rmsprop)(float* p, float* ms, float* mg, float* mom, const float* g, float rho,
                  float momentum, float eps, float lr, std::size_t n);
};

}  // namespace xgrad::kernels
