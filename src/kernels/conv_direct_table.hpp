#pragma once
// Private: the direct convolution kernels (conv_direct.hpp) of one instruction set, as a table;
// conv_direct.cpp calls the active set's. Each set's table is built in src/kernels/simd/.
#include <cstddef>

#include "kernels/conv.hpp"
#include "kernels/simd_isa.hpp"

namespace xgrad::kernels {

template <class T>
struct ConvDirectTable {
  void (*forward)(const ConvGeometry&, const T*, const T*, T*, std::size_t, std::size_t);
  void (*backward_input)(const ConvGeometry&, const T*, const T*, T*, std::size_t, std::size_t);
  void (*backward_filter)(const ConvGeometry&, const T*, const T*, T*, std::size_t, std::size_t);
};

namespace baseline {
template <class T>
const ConvDirectTable<T>& conv_direct_table();
}
namespace avx2 {
template <class T>
const ConvDirectTable<T>& conv_direct_table();
}
namespace avx512 {
template <class T>
const ConvDirectTable<T>& conv_direct_table();
}

/// The kernels of `isa` (for the tests that compare the sets); those of a set this build has
/// no code for (not x86-64) are the baseline ones.
template <class T>
const ConvDirectTable<T>& conv_direct_kernels(Isa isa);

}  // namespace xgrad::kernels
