#pragma once
// Private: the loops of vmath.hpp for one instruction set, as a table; vmath.cpp calls the
// active set's. Each set's table is built in src/kernels/simd/.
#include <cstddef>

#include "kernels/simd_isa.hpp"

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

namespace baseline {
template <class T>
const VMathTable<T>& vmath_table();
}
namespace avx2 {
template <class T>
const VMathTable<T>& vmath_table();
}
namespace avx512 {
template <class T>
const VMathTable<T>& vmath_table();
}

/// The loops of `isa` (baseline ones for a set this build has no code for).
template <class T>
const VMathTable<T>& vmath_kernels(Isa isa);

}  // namespace xgrad::kernels
