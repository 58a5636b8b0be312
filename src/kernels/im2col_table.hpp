#pragma once
// Private: im2col and col2im_add (conv.hpp) of one instruction set, as a table; conv.cpp calls
// the active set's. Each set's table is built in src/kernels/simd/.
#include <cstddef>

#include "kernels/conv.hpp"
#include "kernels/simd_isa.hpp"

namespace xgrad::kernels {

template <class T>
struct Im2colTable {
  void (*im2col)(const ConvGeometry&, const T*, T*, std::size_t, std::size_t);
  void (*col2im_add)(const ConvGeometry&, const T*, T*, std::size_t, std::size_t);
};

namespace baseline {
template <class T>
const Im2colTable<T>& im2col_table();
}
namespace avx2 {
template <class T>
const Im2colTable<T>& im2col_table();
}
namespace avx512 {
template <class T>
const Im2colTable<T>& im2col_table();
}

/// The functions of `isa` (baseline ones for a set this build has no code for).
template <class T>
const Im2colTable<T>& im2col_kernels(Isa isa);

}  // namespace xgrad::kernels
