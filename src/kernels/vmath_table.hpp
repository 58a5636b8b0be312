#pragma once
// Private: the loops of vmath.hpp for one instruction set, as a table; vmath.cpp calls the
// active set's (one family of isa_dispatch.hpp; the loops: simd/vmath.cpp).
#include <cstddef>

#include "kernels/isa_dispatch.hpp"

namespace xgrad::kernels {

template <class T>
struct VMathTable {
  void (*sigmoid)(const T*, T*, std::size_t);
  void (*tanh)(const T*, T*, std::size_t);
  void (*exp)(const T*, T*, std::size_t);
  void (*log)(const T*, T*, std::size_t);
  T (*exp_shift_sum_store)(const T*, T, T*, std::size_t);
  T (*exp_shift_sum)(const T*, T, std::size_t);
  T (*max)(const T*, std::size_t);
  T (*sum)(const T*, std::size_t);
  T (*sum_sq_dev)(const T*, T, std::size_t);
};

}  // namespace xgrad::kernels
