#pragma once
// Private: SIMD transcendental loops over raw contiguous pointers. Without -ffast-math the
// compiler cannot vectorise std::exp / std::tanh, so the exp-heavy ops (sigmoid, tanh,
// softmax, losses) go through these: kernels::vmath<T>().exp(x, out, n), the widest
// instruction set's version (vmath_table.hpp documents each loop). float and double. No
// autograd here.
#include "kernels/vmath_table.hpp"

namespace xgrad::kernels {

/// The loops of the instruction set in use.
template <class T>
const VMathTable<T>& vmath() {
  return active<VMathTable<T>>();
}

}  // namespace xgrad::kernels
