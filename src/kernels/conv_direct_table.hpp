#pragma once
// Private: the direct convolution kernels (conv_direct.hpp) of one instruction set, as a table;
// conv_direct.cpp calls the active set's (one family of isa_dispatch.hpp; the kernels:
// simd/conv_direct.cpp).
#include <cstddef>

#include "kernels/conv.hpp"
#include "kernels/isa_dispatch.hpp"

namespace xgrad::kernels {

template <class T>
struct ConvDirectTable {
  void (*forward)(const ConvGeometry&, const T*, const T*, T*, std::size_t, std::size_t);
  void (*backward_input)(const ConvGeometry&, const T*, const T*, T*, std::size_t, std::size_t);
  void (*backward_filter)(const ConvGeometry&, const T*, const T*, T*, std::size_t, std::size_t);
};

}  // namespace xgrad::kernels
